// Placeholder so the package builds while CvatTransforms is written; removed when the module gets its first real file.
