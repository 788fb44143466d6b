// Placeholder so the package builds while CvatTensors is written; removed when the module gets its first real file.
