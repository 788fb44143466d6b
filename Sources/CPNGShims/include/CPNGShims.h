// libpng's simplified API behind functions Swift can call: PNG_FORMAT_* and PNG_IMAGE_VERSION are function-like
// macros, and the decode needs Pillow's conversion rules, which the simplified API alone does not give.
#include "cvat_png.h"
#include "cvat_png_write.h"
