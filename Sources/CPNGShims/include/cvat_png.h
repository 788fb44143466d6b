// libpng wrappers for cvat-ds.
//
// Why a C shim: libpng reports errors by longjmp, which Swift cannot catch (no setjmp in Swift), and the
// simplified png_image_* API cannot give Pillow's pixels: it composites alpha, treats 16-bit samples as linear
// light and re-encodes them to sRGB, and applies gAMA. Pillow does none of that (see cvat_png.c), so the decode
// uses libpng's regular API here, where setjmp is allowed, and hands Swift a status code and a message. The
// header is read in Swift (PNGDecoder.ihdr), which needs no libpng call.
#ifndef CVAT_PNG_H
#define CVAT_PNG_H

#include <png.h>
#include <stddef.h>
#include <stdint.h>

/// What `cvat_png_decode_rgb8` returns. The shim decides truncated against corrupt where it knows (its read
/// callback ran out of data), so Swift does not have to guess from libpng's text.
enum {
    CVAT_PNG_OK = 0,
    /// Damaged data, impossible header values, or libpng could not allocate.
    CVAT_PNG_CORRUPT = -1,
    /// The data ends before the image does (a cut file or an interrupted download).
    CVAT_PNG_TRUNCATED = -2,
};

/// Decodes the whole PNG to 8-bit RGB (width*height*3 bytes into `out`) the way Pillow's
/// `Image.open(...).convert("RGB")` does: alpha dropped (not composited), tRNS ignored, 1/2/4-bit grey scaled by
/// bit replication, 16-bit samples reduced to their high byte, except 16-bit grey without alpha, which Pillow
/// opens as "I;16" and clips to 255; no gamma or colour-profile processing. Returns CVAT_PNG_OK, or
/// CVAT_PNG_CORRUPT or CVAT_PNG_TRUNCATED with `message` set.
/// `max_pixels` is checked again before any row is decoded.
int cvat_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, uint64_t max_pixels,
                         char *message, size_t message_size);

#endif
