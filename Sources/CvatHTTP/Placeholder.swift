// Placeholder so the package builds while CvatHTTP is written; removed when the module gets its first real file.
