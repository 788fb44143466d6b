// Umbrella header: one shim header per wrapped C library.
#include "cvat_curl.h"
#include "cvat_png.h"
#include "cvat_png_write.h"
