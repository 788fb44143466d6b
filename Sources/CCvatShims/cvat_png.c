#include "cvat_png.h"

unsigned int cvat_png_format_rgb(void) { return PNG_FORMAT_RGB; }
unsigned int cvat_png_image_version(void) { return PNG_IMAGE_VERSION; }
