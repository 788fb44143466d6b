// Placeholder so the package builds while CvatCodecs is written; removed when the module gets its first real file.
