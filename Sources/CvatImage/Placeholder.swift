// Placeholder so the package builds while CvatImage is written; removed when the module gets its first real file.
