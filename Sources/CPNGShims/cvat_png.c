#include "cvat_png.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cvat_png_source {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *message;
    size_t message_size;
    /// What the next longjmp reports: CVAT_PNG_TRUNCATED when the data ran out, else CVAT_PNG_CORRUPT
    /// (volatile: it is written inside libpng's calls and read after the longjmp back to the setjmp).
    volatile int status;
} cvat_png_source;

static void cvat_png_set_message(cvat_png_source *src, const char *text) {
    if (src->message && src->message_size > 0) {
        snprintf(src->message, src->message_size, "%s", text);
    }
}

static void cvat_png_error(png_structp png, png_const_charp text) {
    cvat_png_source *src = (cvat_png_source *)png_get_error_ptr(png);
    cvat_png_set_message(src, text);
    // libpng has no error codes. This one error means the IDAT chunks ended before the last row (the file goes
    // on, but its image data was cut), which Pillow also reports as a truncated image; it is libpng's literal
    // text (pngrutil.c, png_read_IDAT_data), so an exact comparison cannot match any other error.
    if (strcmp(text, "Not enough image data") == 0) src->status = CVAT_PNG_TRUNCATED;
    png_longjmp(png, 1);
}

static void cvat_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // Pillow ignores what libpng would warn about (bad ancillary chunks, sRGB profile quirks).
}

static void cvat_png_read(png_structp png, png_bytep out, size_t length) {
    cvat_png_source *src = (cvat_png_source *)png_get_io_ptr(png);
    if (length > src->size - src->offset) {
        src->status = CVAT_PNG_TRUNCATED;
        png_error(png, "PNG data ends early (truncated file)");
    }
    memcpy(out, src->data + src->offset, length);
    src->offset += length;
}

static png_structp cvat_png_create(cvat_png_source *src, png_infop *info) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src, cvat_png_error, cvat_png_warning);
    if (!png) {
        cvat_png_set_message(src, "libpng could not allocate its read structure");
        return NULL;
    }
    *info = png_create_info_struct(png);
    if (!*info) {
        png_destroy_read_struct(&png, NULL, NULL);
        cvat_png_set_message(src, "libpng could not allocate its info structure");
        return NULL;
    }
    png_set_read_fn(png, src, cvat_png_read);
    // CVAT frames are images, not 1e6-pixel-wide strips; our own pixel limit is checked before allocating.
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    return png;
}

int cvat_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, uint64_t max_pixels,
                         char *message, size_t message_size) {
    cvat_png_source src = {data, size, 0, message, message_size, CVAT_PNG_CORRUPT};
    png_infop info = NULL;
    png_structp png = cvat_png_create(&src, &info);
    if (!png) return CVAT_PNG_CORRUPT;
    // Variables changed after setjmp and read after longjmp must be volatile.
    uint8_t *volatile scratch = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(scratch);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return src.status;
    }
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info);
    int type = png_get_color_type(png, info);
    if ((uint64_t)width * height > max_pixels) {
        png_error(png, "image has more pixels than the limit");
    }
    if ((uint64_t)width * height * 3 != out_size) {
        png_error(png, "output buffer does not match the image size");
    }
    // Pillow opens 16-bit greyscale as "I;16" and convert("RGB") clips each sample to 255 (it does not take the
    // high byte as it does for every other 16-bit type). Read those samples whole and clip below.
    int grey16 = (type == PNG_COLOR_TYPE_GRAY && depth == 16);

    if (type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);  // also expands tRNS to alpha, stripped below
    }
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);  // bit replication: x*255, x*85, x*17, as Pillow's "1", "L;2", "L;4"
    }
    if (depth == 16 && !grey16) {
        png_set_strip_16(png);  // keep the high byte, as Pillow's ";16B" raw modes do
    }
    // Always: an alpha channel can also come from tRNS (palette expansion turns tRNS into alpha).
    png_set_strip_alpha(png);
    if ((type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA) && !grey16) {
        png_set_gray_to_rgb(png);
    }
    int passes = png_set_interlace_handling(png);
    (void)passes;
    png_read_update_info(png, info);

    size_t rowbytes = png_get_rowbytes(png, info);
    size_t expected = grey16 ? (size_t)width * 2 : (size_t)width * 3;
    if (rowbytes != expected) {
        png_error(png, "unexpected row size after transformations");
    }
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (!rows) png_error(png, "out of memory for row pointers");
    if (grey16) {
        scratch = (uint8_t *)malloc((size_t)width * 2 * height);
        if (!scratch) png_error(png, "out of memory for 16-bit rows");
        for (png_uint_32 y = 0; y < height; y++) rows[y] = scratch + (size_t)y * width * 2;
    } else {
        for (png_uint_32 y = 0; y < height; y++) rows[y] = out + (size_t)y * width * 3;
    }
    png_read_image(png, rows);
    // No png_read_end: Pillow does not insist on the chunks after the image data (a missing IEND is fine).
    if (grey16) {
        const uint8_t *s = scratch;
        uint8_t *d = out;
        for (size_t i = 0, n = (size_t)width * height; i < n; i++, s += 2, d += 3) {
            uint8_t v = s[0] == 0 ? s[1] : 255;  // big-endian sample; > 255 clips
            d[0] = d[1] = d[2] = v;
        }
    }
    free(scratch);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return CVAT_PNG_OK;
}
