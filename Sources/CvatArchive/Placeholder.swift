// Placeholder so the package builds while CvatArchive is written; removed when the module gets its first real file.
