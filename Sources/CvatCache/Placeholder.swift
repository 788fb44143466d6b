// Placeholder so the package builds while CvatCache is written; removed when the module gets its first real file.
