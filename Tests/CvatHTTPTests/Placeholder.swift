// Placeholder so the package builds; removed when the first real test lands.
