// PNG encoding for cvat-ds (the preview contact sheet), through libpng's simplified write API.
//
// Why a C shim: png_image is initialised with PNG_IMAGE_VERSION and sized with PNG_IMAGE_ROW_STRIDE-style
// macros Swift cannot import, and the two-call size-then-write protocol of png_image_write_to_memory is easier
// to get right in one place. The simplified API reports errors through `image.message`, never by longjmp, so
// no setjmp is needed here.
#ifndef CVAT_PNG_WRITE_H
#define CVAT_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

/// Encodes `width` x `height` 8-bit RGB pixels (rows of width*3 bytes, no padding) as a PNG in memory.
/// On success returns 0 and sets `*out` to a malloc'd buffer of `*out_size` bytes that the caller frees with
/// `cvat_png_write_free`. On failure returns -1 with `message` set and `*out` NULL.
int cvat_png_write_rgb8_to_memory(const uint8_t *pixels, uint32_t width, uint32_t height, uint8_t **out,
                                  size_t *out_size, char *message, size_t message_size);

/// Encodes the same pixels straight to the file at `path` (created or truncated). Returns 0, or -1 with
/// `message` set (libpng's text; when the file cannot be opened or written it is strerror's).
int cvat_png_write_rgb8_to_file(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                                char *message, size_t message_size);

/// Frees a buffer returned by `cvat_png_write_rgb8_to_memory`.
void cvat_png_write_free(uint8_t *buffer);

#endif
