// libpng wrappers for cvat-ds.
//
// Why a C shim: libpng reports errors by longjmp, which Swift cannot catch (no setjmp in Swift), and the
// simplified png_image_* API cannot give Pillow's pixels: it composites alpha, treats 16-bit samples as linear
// light and re-encodes them to sRGB, and applies gAMA. Pillow does none of that (see cvat_png.c), so the decode
// uses libpng's regular API here, where setjmp is allowed, and hands Swift plain return codes and a message.
#ifndef CVAT_PNG_H
#define CVAT_PNG_H

#include <png.h>
#include <stddef.h>
#include <stdint.h>

/// PNG_FORMAT_RGB: 8-bit RGB (simplified API; kept for callers of the simplified API).
unsigned int cvat_png_format_rgb(void);
/// PNG_IMAGE_VERSION, needed to initialise a png_image before png_image_begin_read_from_memory.
unsigned int cvat_png_image_version(void);

/// What the IHDR chunk says.
typedef struct cvat_png_header {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;
    int interlaced;
} cvat_png_header;

/// Reads the signature and IHDR through libpng. Returns 0, or -1 with `message` set.
int cvat_png_read_header(const uint8_t *data, size_t size, cvat_png_header *header, char *message,
                         size_t message_size);

/// Decodes the whole PNG to 8-bit RGB (width*height*3 bytes into `out`) the way Pillow's
/// `Image.open(...).convert("RGB")` does: alpha dropped (not composited), tRNS ignored, 1/2/4-bit grey scaled by
/// bit replication, 16-bit samples reduced to their high byte, except 16-bit grey without alpha, which Pillow
/// opens as "I;16" and clips to 255; no gamma or colour-profile processing. Returns 0, or -1 with `message` set.
/// `max_pixels` is checked again before any row is decoded.
int cvat_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, uint64_t max_pixels,
                         char *message, size_t message_size);

#endif
