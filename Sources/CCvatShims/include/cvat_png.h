// libpng's simplified API sizes and formats are function-like or composite macros that Swift cannot import.
#ifndef CVAT_PNG_H
#define CVAT_PNG_H

#include <png.h>

/// PNG_FORMAT_RGB: 8-bit RGB, the only pixel format cvat-ds hands to the rest of the pipeline.
unsigned int cvat_png_format_rgb(void);
/// PNG_IMAGE_VERSION, needed to initialise a png_image before png_image_begin_read_from_memory.
unsigned int cvat_png_image_version(void);

#endif
