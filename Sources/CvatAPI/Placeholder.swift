// Placeholder so the package builds while CvatAPI is written; removed when the module gets its first real file.
