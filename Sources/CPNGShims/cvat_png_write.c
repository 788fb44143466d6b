#include "cvat_png_write.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cvat_png_write_message(char *message, size_t message_size, const char *text) {
    if (message && message_size > 0) {
        snprintf(message, message_size, "%s", text);
    }
}

static void cvat_png_write_setup(png_image *image, uint32_t width, uint32_t height) {
    memset(image, 0, sizeof(*image));
    image->version = PNG_IMAGE_VERSION;
    image->width = width;
    image->height = height;
    image->format = PNG_FORMAT_RGB;
}

static int cvat_png_write_check(uint32_t width, uint32_t height, char *message, size_t message_size) {
    if (width == 0 || height == 0) {
        cvat_png_write_message(message, message_size, "a PNG needs a positive width and height");
        return -1;
    }
    // libpng's own limit (PNG_UINT_31_MAX) and the row stride (a png_int_32) must both fit.
    if (width > 0x7fffffffu / 3u || height > 0x7fffffffu) {
        cvat_png_write_message(message, message_size, "image too large for PNG");
        return -1;
    }
    return 0;
}

int cvat_png_write_rgb8_to_memory(const uint8_t *pixels, uint32_t width, uint32_t height, uint8_t **out,
                                  size_t *out_size, char *message, size_t message_size) {
    *out = NULL;
    *out_size = 0;
    if (cvat_png_write_check(width, height, message, message_size) != 0) return -1;
    png_image image;
    cvat_png_write_setup(&image, width, height);
    png_int_32 stride = (png_int_32)(width * 3u);
    // First call: no buffer, so libpng only computes the size it needs.
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, stride, NULL)) {
        cvat_png_write_message(message, message_size, image.message);
        png_image_free(&image);
        return -1;
    }
    uint8_t *buffer = (uint8_t *)malloc(size > 0 ? size : 1);
    if (!buffer) {
        cvat_png_write_message(message, message_size, "out of memory for the PNG");
        return -1;
    }
    cvat_png_write_setup(&image, width, height);
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, stride, NULL)) {
        cvat_png_write_message(message, message_size, image.message);
        png_image_free(&image);
        free(buffer);
        return -1;
    }
    *out = buffer;
    *out_size = size;
    return 0;
}

int cvat_png_write_rgb8_to_file(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                                char *message, size_t message_size) {
    if (cvat_png_write_check(width, height, message, message_size) != 0) return -1;
    png_image image;
    cvat_png_write_setup(&image, width, height);
    if (!png_image_write_to_file(&image, path, 0, pixels, (png_int_32)(width * 3u), NULL)) {
        cvat_png_write_message(message, message_size, image.message);
        png_image_free(&image);
        return -1;
    }
    return 0;
}

void cvat_png_write_free(uint8_t *buffer) { free(buffer); }
