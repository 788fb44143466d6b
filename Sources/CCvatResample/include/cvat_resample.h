#ifndef CVAT_RESAMPLE_H
#define CVAT_RESAMPLE_H

/// The two passes of Pillow's 8-bit `ImagingResample` (PRECISION_BITS 22) on interleaved RGB (3 bytes a pixel),
/// in portable C and in SSE4.1 and AVX2 variants chosen once at run time.
///
/// Every variant computes, per output byte, `(1 << 21) + sum(weight[t] * sample[t])` with Int32 wrap-around
/// (modulo 2^32, as Pillow's `int` arithmetic on every platform it runs on), shifts it right by 22 (arithmetic)
/// and clips to 0...255. The vector variants multiply with `pmaddwd` on weights split as
/// `w == hi * 2^15 + lo` (`lo = w & 0x7FFF`, `hi = w >> 15`); their sums are congruent modulo 2^32 to the scalar
/// ones, so the bytes are the same. A call whose weights do not split into 16-bit halves (|w| >= 2^30, never
/// for normalised coefficients) runs the scalar code.
///
/// Coefficients are Pillow's `precompute_coeffs` layout: for output `i`, `first[i]` (first source index),
/// `count[i]` (taps used) and `weights[i * taps ..< i * taps + count[i]]`. The caller guarantees the bounds
/// (every source index read lies inside `src`); nothing here allocates more than a few coefficient tables.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set variants. `AUTO` is the best one the CPU supports, detected once.
#define CVAT_RESAMPLE_ISA_AUTO 0
#define CVAT_RESAMPLE_ISA_SCALAR 1
#define CVAT_RESAMPLE_ISA_SSE41 2
#define CVAT_RESAMPLE_ISA_AVX2 3

/// Whether this CPU (and this build) can run `isa`. `AUTO` and `SCALAR` always can.
int cvat_resample_isa_supported(int isa);

/// The variant `AUTO` runs.
int cvat_resample_best_isa(void);

/// Horizontal pass: `rows` rows of `dst` (`dst_width` pixels each) from source rows `first_row ...` of `src`
/// (`src_width` pixels a row, `src_len` bytes in all, which a vector load never crosses). `src` holds source
/// columns from `first_column` on, so column `first[i]` is at offset `first[i] - first_column`.
/// `isa` is `AUTO`, or a variant to force (the test hook); an unsupported one runs `AUTO`.
/// Returns the variant that ran.
int cvat_resample_horizontal(
    int isa, const uint8_t *src, size_t src_len, size_t src_width, size_t first_column, size_t first_row,
    size_t rows, const int32_t *first, const int32_t *count, const int32_t *weights, size_t taps, uint8_t *dst,
    size_t dst_width);

/// Vertical pass: `out_height` rows of `dst` (`dst_width` pixels each), output row `i` the combination of
/// source rows `first[i] - row_offset ..< + count[i]` of `src` (`src_width` pixels a row), columns
/// `first_column ..< first_column + dst_width`. Returns the variant that ran.
int cvat_resample_vertical(
    int isa, const uint8_t *src, size_t src_width, size_t first_column, size_t row_offset, const int32_t *first,
    const int32_t *count, const int32_t *weights, size_t taps, size_t out_height, uint8_t *dst, size_t dst_width);

#ifdef __cplusplus
}
#endif

#endif
