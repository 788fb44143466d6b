// Pillow's 8-bit resampling passes (ImagingResampleHorizontal_8bpc / ImagingResampleVertical_8bpc) on interleaved
// RGB, bit-exact in every variant; see include/cvat_resample.h for the contract.
//
// Exactness. Pillow accumulates `int ss = 1 << (PRECISION_BITS - 1); ss += sample * k` in C `int`, which wraps
// modulo 2^32 on every compiler it is built with. Here the scalar code accumulates in uint32_t (defined
// wrap-around in C) and converts to int32_t before the arithmetic shift. The vector code splits every weight as
// w = hi * 2^15 + lo with lo = w & 0x7FFF in [0, 32767] and hi = w >> 15 in Int16 (checked; otherwise the call
// runs the scalar code). `pmaddwd` multiplies 16-bit samples (0...255) by lo or hi and adds pairs into 32 bits
// without overflow (2 * 255 * 32767 < 2^31), so with L = half + sum(sample * lo) and H = sum(sample * hi), both
// wrapping in 32-bit lanes, (H << 15) + L == half + sum(sample * w) modulo 2^32: the same Int32 as the scalar sum,
// hence the same byte after `>> 22` and the clip. Which lanes and in what order the terms are added does not
// matter: addition modulo 2^32 is associative and commutative. Taps past `count` weigh 0 in the packed tables,
// so the samples a vector load reads beyond them (inside `src`, checked) add nothing.

#include "cvat_resample.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define CVAT_X86 1
#include <immintrin.h>
#else
#define CVAT_X86 0
#endif

#define PRECISION_BITS 22
#define HALF ((int32_t)1 << (PRECISION_BITS - 1))

static inline uint8_t clip8(uint32_t sum) {
    int32_t v = (int32_t)sum >> PRECISION_BITS;  // arithmetic shift (clang, gcc)
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

// MARK: - Dispatch

static int detect_isa(void) {
#if CVAT_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) return CVAT_RESAMPLE_ISA_AVX2;
    if (__builtin_cpu_supports("sse4.1")) return CVAT_RESAMPLE_ISA_SSE41;
#endif
    return CVAT_RESAMPLE_ISA_SCALAR;
}

static _Atomic int best_isa = 0;

int cvat_resample_best_isa(void) {
    int isa = atomic_load_explicit(&best_isa, memory_order_relaxed);
    if (isa == 0) {
        isa = detect_isa();  // idempotent: a race only detects twice
        atomic_store_explicit(&best_isa, isa, memory_order_relaxed);
    }
    return isa;
}

int cvat_resample_isa_supported(int isa) {
    switch (isa) {
    case CVAT_RESAMPLE_ISA_AUTO:
    case CVAT_RESAMPLE_ISA_SCALAR:
        return 1;
    case CVAT_RESAMPLE_ISA_SSE41:
        return cvat_resample_best_isa() >= CVAT_RESAMPLE_ISA_SSE41;
    case CVAT_RESAMPLE_ISA_AVX2:
        return cvat_resample_best_isa() >= CVAT_RESAMPLE_ISA_AVX2;
    default:
        return 0;
    }
}

static int resolve(int isa) {
    if (isa == CVAT_RESAMPLE_ISA_AUTO || !cvat_resample_isa_supported(isa)) return cvat_resample_best_isa();
    return isa;
}

// MARK: - Scalar (a plain port of Pillow's loops)

static void horizontal_scalar(
    const uint8_t *src, size_t src_width, size_t first_column, size_t first_row, size_t rows, const int32_t *first,
    const int32_t *count, const int32_t *weights, size_t taps, uint8_t *dst, size_t dst_width) {
    for (size_t yy = 0; yy < rows; yy++) {
        const uint8_t *row = src + (first_row + yy) * src_width * 3;
        uint8_t *out = dst + yy * dst_width * 3;
        for (size_t xx = 0; xx < dst_width; xx++) {
            const int32_t *k = weights + xx * taps;
            const uint8_t *p = row + ((size_t)first[xx] - first_column) * 3;
            uint32_t s0 = HALF, s1 = HALF, s2 = HALF;
            for (int32_t t = 0; t < count[xx]; t++, p += 3) {
                uint32_t w = (uint32_t)k[t];
                s0 += p[0] * w;
                s1 += p[1] * w;
                s2 += p[2] * w;
            }
            out[xx * 3] = clip8(s0);
            out[xx * 3 + 1] = clip8(s1);
            out[xx * 3 + 2] = clip8(s2);
        }
    }
}

static void vertical_row_scalar(
    const uint8_t *rows, size_t stride, int32_t n, const int32_t *k, uint8_t *out, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint32_t s = HALF;
        for (int32_t t = 0; t < n; t++) s += rows[t * stride + i] * (uint32_t)k[t];
        out[i] = clip8(s);
    }
}

static void vertical_scalar(
    const uint8_t *src, size_t src_width, size_t first_column, size_t row_offset, const int32_t *first,
    const int32_t *count, const int32_t *weights, size_t taps, size_t out_height, uint8_t *dst, size_t dst_width) {
    size_t len = dst_width * 3, stride = src_width * 3;
    const uint8_t *base = src + first_column * 3;
    for (size_t yy = 0; yy < out_height; yy++) {
        vertical_row_scalar(
            base + ((size_t)first[yy] - row_offset) * stride, stride, count[yy], weights + yy * taps,
            dst + yy * len, len);
    }
}

// MARK: - Split weights

static inline int splits(int32_t w) { return w >= -(1 << 30) && w < (1 << 30); }
static inline int16_t lo15(int32_t w) { return (int16_t)(w & 0x7FFF); }
static inline int16_t hi15(int32_t w) { return (int16_t)(w >> 15); }

#if CVAT_X86

/// Horizontal tables: for output `i`, groups of 4 taps, 32 int16 each: `lo` for taps (0, 1) as
/// (l0, l1, l0, l1, l0, l1, 0, 0), then for taps (2, 3), then the same with `hi`; missing taps weigh 0.
/// Matches the byte shuffle below, which makes (r0, r1, g0, g1, b0, b1, 0, 0) of pixels 0, 1 and of 2, 3.
/// Returns NULL if a weight does not split (or on allocation failure).
static int16_t *pack_horizontal(const int32_t *count, const int32_t *weights, size_t taps, size_t n, size_t *stride) {
    size_t g_max = (taps + 3) / 4;
    int16_t *packed = calloc(n * g_max * 32 + 1, sizeof(int16_t));
    if (!packed) return NULL;
    for (size_t i = 0; i < n; i++) {
        for (int32_t t = 0; t < count[i]; t++) {
            int32_t w = weights[i * taps + (size_t)t];
            if (!splits(w)) {
                free(packed);
                return NULL;
            }
            int16_t *k = packed + (i * g_max + (size_t)t / 4) * 32 + ((size_t)t % 4 / 2) * 8 + (size_t)t % 2;
            k[0] = k[2] = k[4] = lo15(w);
            k[16] = k[18] = k[20] = hi15(w);
        }
    }
    *stride = g_max;
    return packed;
}

/// Vertical tables: for output `i`, pairs of taps as two Int32 lanes, (lo(2p) | lo(2p+1) << 16) and the same
/// with hi; a missing tap weighs 0.
static int32_t *pack_vertical(const int32_t *count, const int32_t *weights, size_t taps, size_t n, size_t *pairs) {
    size_t p_max = (taps + 1) / 2;
    int32_t *packed = calloc(n * p_max * 2 + 1, sizeof(int32_t));
    if (!packed) return NULL;
    for (size_t i = 0; i < n; i++) {
        for (int32_t t = 0; t < count[i]; t++) {
            int32_t w = weights[i * taps + (size_t)t];
            if (!splits(w)) {
                free(packed);
                return NULL;
            }
            int shift = (t % 2) * 16;
            int32_t *k = packed + (i * p_max + (size_t)t / 2) * 2;
            k[0] = (int32_t)((uint32_t)k[0] | (uint32_t)(uint16_t)lo15(w) << shift);
            k[1] = (int32_t)((uint32_t)k[1] | (uint32_t)(uint16_t)hi15(w) << shift);
        }
    }
    *pairs = p_max;
    return packed;
}

/// 16 bytes from `p`, or the bytes before `end` followed by zeros when 16 would cross it.
static inline __attribute__((target("sse4.1"))) __m128i load16(const uint8_t *p, const uint8_t *end) {
    if (p < end && end - p >= 16) return _mm_loadu_si128((const __m128i *)p);
    uint8_t tmp[16] = {0};
    if (p < end) memcpy(tmp, p, (size_t)(end - p));
    return _mm_loadu_si128((const __m128i *)tmp);
}

/// Four pixels' sums (4 x Int32 each, already shifted) stored as 12 bytes, or `n` < 4 pixels' as 3n bytes.
static inline __attribute__((target("sse4.1"))) void store_pixels(
    __m128i s0, __m128i s1, __m128i s2, __m128i s3, uint8_t *out, size_t n) {
    const __m128i compact = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    __m128i v = _mm_shuffle_epi8(_mm_packus_epi16(_mm_packs_epi32(s0, s1), _mm_packs_epi32(s2, s3)), compact);
    if (n == 4) {
        _mm_storel_epi64((__m128i *)out, v);
        int32_t last = _mm_extract_epi32(v, 2);
        memcpy(out + 8, &last, 4);
    } else {
        uint8_t tmp[16];
        _mm_storeu_si128((__m128i *)tmp, v);
        memcpy(out, tmp, n * 3);
    }
}

// MARK: - SSE4.1

/// One output pixel's 4 sums, shifted: `groups` groups of 4 taps from `p`, weights `k`. With `checked`, a load
/// that would cross `end` reads zeros past it (only the last rows of `src` need that).
static inline __attribute__((target("sse4.1"), always_inline)) __m128i horizontal_pixel_sse41(
    const uint8_t *p, size_t groups, const int16_t *k, int checked, const uint8_t *end) {
    const __m128i shuf01 = _mm_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1);
    const __m128i shuf23 = _mm_setr_epi8(6, -1, 9, -1, 7, -1, 10, -1, 8, -1, 11, -1, -1, -1, -1, -1);
    __m128i l = _mm_setr_epi32(HALF, HALF, HALF, 0), h = _mm_setzero_si128();
    for (size_t g = 0; g < groups; g++, p += 12, k += 32) {
        __m128i v = checked ? load16(p, end) : _mm_loadu_si128((const __m128i *)p);
        __m128i a = _mm_shuffle_epi8(v, shuf01), b = _mm_shuffle_epi8(v, shuf23);
        l = _mm_add_epi32(l, _mm_madd_epi16(a, _mm_loadu_si128((const __m128i *)k)));
        l = _mm_add_epi32(l, _mm_madd_epi16(b, _mm_loadu_si128((const __m128i *)(k + 8))));
        h = _mm_add_epi32(h, _mm_madd_epi16(a, _mm_loadu_si128((const __m128i *)(k + 16))));
        h = _mm_add_epi32(h, _mm_madd_epi16(b, _mm_loadu_si128((const __m128i *)(k + 24))));
    }
    return _mm_srai_epi32(_mm_add_epi32(_mm_slli_epi32(h, 15), l), PRECISION_BITS);
}

/// One output row; `groups` is a constant where this is inlined, so the tap loop unrolls.
static inline __attribute__((target("sse4.1"), always_inline)) void horizontal_row_sse41(
    const uint8_t *row, const int32_t *first, size_t first_column, const int16_t *packed, size_t stride,
    size_t groups, int checked, const uint8_t *end, uint8_t *out, size_t dst_width) {
    for (size_t xx = 0; xx < dst_width; xx += 4) {
        size_t n = dst_width - xx < 4 ? dst_width - xx : 4;
        __m128i s[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
        for (size_t j = 0; j < n; j++) {
            size_t i = xx + j;
            s[j] = horizontal_pixel_sse41(
                row + ((size_t)first[i] - first_column) * 3, groups, packed + i * stride * 32, checked, end);
        }
        store_pixels(s[0], s[1], s[2], s[3], out + xx * 3, n);
    }
}

static __attribute__((target("sse4.1"))) void horizontal_sse41(
    const uint8_t *src, size_t src_len, size_t src_width, size_t first_column, size_t first_row, size_t rows,
    const int32_t *first, const int16_t *packed, size_t stride, size_t groups, size_t reach, uint8_t *dst,
    size_t dst_width) {
    const uint8_t *end = src + src_len;
    for (size_t yy = 0; yy < rows; yy++) {
        const uint8_t *row = src + (first_row + yy) * src_width * 3;
        uint8_t *out = dst + yy * dst_width * 3;
        if ((size_t)(end - row) < reach) {
            horizontal_row_sse41(row, first, first_column, packed, stride, groups, 1, end, out, dst_width);
            continue;
        }
        switch (groups) {
#define CASE(G) \
    case G: horizontal_row_sse41(row, first, first_column, packed, stride, G, 0, end, out, dst_width); break;
            CASE(1) CASE(2) CASE(3) CASE(4)
#undef CASE
        default:
            horizontal_row_sse41(row, first, first_column, packed, stride, groups, 0, end, out, dst_width);
        }
    }
}

/// One 16-byte chunk of an output row: `n` source rows from `rows`, pairs of weights in `k`.
static inline __attribute__((target("sse4.1"))) void vertical_chunk_sse41(
    const uint8_t *rows, size_t stride, int32_t n, const int32_t *k, uint8_t *out) {
    const __m128i zero = _mm_setzero_si128();
    __m128i l0 = _mm_set1_epi32(HALF), l1 = l0, l2 = l0, l3 = l0;
    __m128i h0 = zero, h1 = zero, h2 = zero, h3 = zero;
    for (int32_t t = 0; t < n; t += 2, rows += 2 * stride, k += 2) {
        __m128i a = _mm_loadu_si128((const __m128i *)rows);
        // An odd last tap pairs with itself at weight 0 (never reads past its row).
        __m128i b = t + 1 < n ? _mm_loadu_si128((const __m128i *)(rows + stride)) : a;
        __m128i ab0 = _mm_unpacklo_epi8(a, b), ab1 = _mm_unpackhi_epi8(a, b);
        __m128i z0 = _mm_unpacklo_epi8(ab0, zero), z1 = _mm_unpackhi_epi8(ab0, zero);
        __m128i z2 = _mm_unpacklo_epi8(ab1, zero), z3 = _mm_unpackhi_epi8(ab1, zero);
        __m128i wl = _mm_set1_epi32(k[0]), wh = _mm_set1_epi32(k[1]);
        l0 = _mm_add_epi32(l0, _mm_madd_epi16(z0, wl));
        l1 = _mm_add_epi32(l1, _mm_madd_epi16(z1, wl));
        l2 = _mm_add_epi32(l2, _mm_madd_epi16(z2, wl));
        l3 = _mm_add_epi32(l3, _mm_madd_epi16(z3, wl));
        h0 = _mm_add_epi32(h0, _mm_madd_epi16(z0, wh));
        h1 = _mm_add_epi32(h1, _mm_madd_epi16(z1, wh));
        h2 = _mm_add_epi32(h2, _mm_madd_epi16(z2, wh));
        h3 = _mm_add_epi32(h3, _mm_madd_epi16(z3, wh));
    }
    l0 = _mm_srai_epi32(_mm_add_epi32(_mm_slli_epi32(h0, 15), l0), PRECISION_BITS);
    l1 = _mm_srai_epi32(_mm_add_epi32(_mm_slli_epi32(h1, 15), l1), PRECISION_BITS);
    l2 = _mm_srai_epi32(_mm_add_epi32(_mm_slli_epi32(h2, 15), l2), PRECISION_BITS);
    l3 = _mm_srai_epi32(_mm_add_epi32(_mm_slli_epi32(h3, 15), l3), PRECISION_BITS);
    _mm_storeu_si128((__m128i *)out, _mm_packus_epi16(_mm_packs_epi32(l0, l1), _mm_packs_epi32(l2, l3)));
}

static __attribute__((target("sse4.1"))) void vertical_sse41(
    const uint8_t *src, size_t src_width, size_t first_column, size_t row_offset, const int32_t *first,
    const int32_t *count, const int32_t *packed, size_t pairs, const int32_t *weights, size_t taps,
    size_t out_height, uint8_t *dst, size_t dst_width) {
    size_t len = dst_width * 3, stride = src_width * 3;
    const uint8_t *base = src + first_column * 3;
    for (size_t yy = 0; yy < out_height; yy++) {
        const uint8_t *rows = base + ((size_t)first[yy] - row_offset) * stride;
        uint8_t *out = dst + yy * len;
        if (len < 16) {
            vertical_row_scalar(rows, stride, count[yy], weights + yy * taps, out, len);
            continue;
        }
        // The last chunk overlaps the one before it (recomputing the same bytes from the source).
        for (size_t x = 0;; x += 16) {
            size_t at = x + 16 <= len ? x : len - 16;
            vertical_chunk_sse41(rows + at, stride, count[yy], packed + yy * pairs * 2, out + at);
            if (at + 16 >= len) break;
        }
    }
}

// MARK: - AVX2

static inline __attribute__((target("avx2"), always_inline)) __m128i horizontal_pixel_avx2(
    const uint8_t *p, size_t groups, const int16_t *k, int checked, const uint8_t *end) {
    // Pixels 0, 1 of the 16 bytes in the low lane, 2, 3 in the high lane, as (r0, r1, g0, g1, b0, b1, 0, 0).
    const __m256i shuf = _mm256_setr_epi8(
        0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1, 6, -1, 9, -1, 7, -1, 10, -1, 8, -1, 11, -1, -1, -1,
        -1, -1);
    __m256i l = _mm256_setr_epi32(HALF, HALF, HALF, 0, 0, 0, 0, 0), h = _mm256_setzero_si256();
    for (size_t g = 0; g < groups; g++, p += 12, k += 32) {
        __m128i raw = checked ? load16(p, end) : _mm_loadu_si128((const __m128i *)p);
        __m256i v = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(raw), shuf);
        l = _mm256_add_epi32(l, _mm256_madd_epi16(v, _mm256_loadu_si256((const __m256i *)k)));
        h = _mm256_add_epi32(h, _mm256_madd_epi16(v, _mm256_loadu_si256((const __m256i *)(k + 16))));
    }
    __m256i s = _mm256_add_epi32(_mm256_slli_epi32(h, 15), l);
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    return _mm_srai_epi32(s4, PRECISION_BITS);
}

static inline __attribute__((target("avx2"), always_inline)) void horizontal_row_avx2(
    const uint8_t *row, const int32_t *first, size_t first_column, const int16_t *packed, size_t stride,
    size_t groups, int checked, const uint8_t *end, uint8_t *out, size_t dst_width) {
    size_t xx = 0;
    for (; xx + 4 <= dst_width; xx += 4) {
        const int16_t *k = packed + xx * stride * 32;
#define AT(j) (row + ((size_t)first[xx + j] - first_column) * 3)
        __m128i s0 = horizontal_pixel_avx2(AT(0), groups, k, checked, end);
        __m128i s1 = horizontal_pixel_avx2(AT(1), groups, k + stride * 32, checked, end);
        __m128i s2 = horizontal_pixel_avx2(AT(2), groups, k + stride * 64, checked, end);
        __m128i s3 = horizontal_pixel_avx2(AT(3), groups, k + stride * 96, checked, end);
#undef AT
        store_pixels(s0, s1, s2, s3, out + xx * 3, 4);
    }
    if (xx < dst_width) {
        __m128i s[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
        for (size_t j = 0; xx + j < dst_width; j++) {
            size_t i = xx + j;
            s[j] = horizontal_pixel_avx2(
                row + ((size_t)first[i] - first_column) * 3, groups, packed + i * stride * 32, checked, end);
        }
        store_pixels(s[0], s[1], s[2], s[3], out + xx * 3, dst_width - xx);
    }
}

static __attribute__((target("avx2"))) void horizontal_avx2(
    const uint8_t *src, size_t src_len, size_t src_width, size_t first_column, size_t first_row, size_t rows,
    const int32_t *first, const int16_t *packed, size_t stride, size_t groups, size_t reach, uint8_t *dst,
    size_t dst_width) {
    const uint8_t *end = src + src_len;
    for (size_t yy = 0; yy < rows; yy++) {
        const uint8_t *row = src + (first_row + yy) * src_width * 3;
        uint8_t *out = dst + yy * dst_width * 3;
        if ((size_t)(end - row) < reach) {
            horizontal_row_avx2(row, first, first_column, packed, stride, groups, 1, end, out, dst_width);
            continue;
        }
        switch (groups) {
#define CASE(G) \
    case G: horizontal_row_avx2(row, first, first_column, packed, stride, G, 0, end, out, dst_width); break;
            CASE(1) CASE(2) CASE(3) CASE(4)
#undef CASE
        default:
            horizontal_row_avx2(row, first, first_column, packed, stride, groups, 0, end, out, dst_width);
        }
    }
}

static inline __attribute__((target("avx2"))) void vertical_chunk_avx2(
    const uint8_t *rows, size_t stride, int32_t n, const int32_t *k, uint8_t *out) {
    const __m256i zero = _mm256_setzero_si256();
    __m256i l0 = _mm256_set1_epi32(HALF), l1 = l0, l2 = l0, l3 = l0;
    __m256i h0 = zero, h1 = zero, h2 = zero, h3 = zero;
    for (int32_t t = 0; t < n; t += 2, rows += 2 * stride, k += 2) {
        __m256i a = _mm256_loadu_si256((const __m256i *)rows);
        __m256i b = t + 1 < n ? _mm256_loadu_si256((const __m256i *)(rows + stride)) : a;
        // Per 128-bit lane: bytes 0-3, 4-7, 8-11, 12-15 of a and b as (a, b) Int16 pairs.
        __m256i ab0 = _mm256_unpacklo_epi8(a, b), ab1 = _mm256_unpackhi_epi8(a, b);
        __m256i z0 = _mm256_unpacklo_epi8(ab0, zero), z1 = _mm256_unpackhi_epi8(ab0, zero);
        __m256i z2 = _mm256_unpacklo_epi8(ab1, zero), z3 = _mm256_unpackhi_epi8(ab1, zero);
        __m256i wl = _mm256_set1_epi32(k[0]), wh = _mm256_set1_epi32(k[1]);
        l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(z0, wl));
        l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(z1, wl));
        l2 = _mm256_add_epi32(l2, _mm256_madd_epi16(z2, wl));
        l3 = _mm256_add_epi32(l3, _mm256_madd_epi16(z3, wl));
        h0 = _mm256_add_epi32(h0, _mm256_madd_epi16(z0, wh));
        h1 = _mm256_add_epi32(h1, _mm256_madd_epi16(z1, wh));
        h2 = _mm256_add_epi32(h2, _mm256_madd_epi16(z2, wh));
        h3 = _mm256_add_epi32(h3, _mm256_madd_epi16(z3, wh));
    }
    l0 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_slli_epi32(h0, 15), l0), PRECISION_BITS);
    l1 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_slli_epi32(h1, 15), l1), PRECISION_BITS);
    l2 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_slli_epi32(h2, 15), l2), PRECISION_BITS);
    l3 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_slli_epi32(h3, 15), l3), PRECISION_BITS);
    // The packs work per lane too, so this undoes the unpacks' order.
    _mm256_storeu_si256(
        (__m256i *)out, _mm256_packus_epi16(_mm256_packs_epi32(l0, l1), _mm256_packs_epi32(l2, l3)));
}

static __attribute__((target("avx2"))) void vertical_avx2(
    const uint8_t *src, size_t src_width, size_t first_column, size_t row_offset, const int32_t *first,
    const int32_t *count, const int32_t *packed, size_t pairs, const int32_t *weights, size_t taps,
    size_t out_height, uint8_t *dst, size_t dst_width) {
    size_t len = dst_width * 3, stride = src_width * 3;
    const uint8_t *base = src + first_column * 3;
    for (size_t yy = 0; yy < out_height; yy++) {
        const uint8_t *rows = base + ((size_t)first[yy] - row_offset) * stride;
        const int32_t *k = packed + yy * pairs * 2;
        uint8_t *out = dst + yy * len;
        if (len < 16) {
            vertical_row_scalar(rows, stride, count[yy], weights + yy * taps, out, len);
        } else if (len < 32) {
            vertical_chunk_sse41(rows, stride, count[yy], k, out);
            vertical_chunk_sse41(rows + len - 16, stride, count[yy], k, out + len - 16);
        } else {
            for (size_t x = 0;; x += 32) {
                size_t at = x + 32 <= len ? x : len - 32;
                vertical_chunk_avx2(rows + at, stride, count[yy], k, out + at);
                if (at + 32 >= len) break;
            }
        }
    }
}

#endif  // CVAT_X86

// MARK: - Entry points

int cvat_resample_horizontal(
    int isa, const uint8_t *src, size_t src_len, size_t src_width, size_t first_column, size_t first_row,
    size_t rows, const int32_t *first, const int32_t *count, const int32_t *weights, size_t taps, uint8_t *dst,
    size_t dst_width) {
    isa = resolve(isa);
#if CVAT_X86
    if (isa != CVAT_RESAMPLE_ISA_SCALAR) {
        size_t stride = 0;
        int16_t *packed = pack_horizontal(count, weights, taps, dst_width, &stride);
        if (packed) {
            // Every pixel runs the same number of 4-tap groups (the most any needs; the rest weigh 0), and a
            // row's vector loads reach at most `reach` bytes past its start: rows closer than that to the end
            // of `src` load with a check.
            int32_t most = 0;
            size_t reach = 0;
            for (size_t i = 0; i < dst_width; i++) {
                if (count[i] > most) most = count[i];
            }
            size_t groups = ((size_t)most + 3) / 4;
            for (size_t i = 0; i < dst_width && groups > 0; i++) {
                size_t r = ((size_t)first[i] - first_column + 4 * (groups - 1)) * 3 + 16;
                if (r > reach) reach = r;
            }
            if (isa == CVAT_RESAMPLE_ISA_AVX2) {
                horizontal_avx2(
                    src, src_len, src_width, first_column, first_row, rows, first, packed, stride, groups, reach,
                    dst, dst_width);
            } else {
                horizontal_sse41(
                    src, src_len, src_width, first_column, first_row, rows, first, packed, stride, groups, reach,
                    dst, dst_width);
            }
            free(packed);
            return isa;
        }
    }
#else
    (void)src_len;
#endif
    horizontal_scalar(src, src_width, first_column, first_row, rows, first, count, weights, taps, dst, dst_width);
    return CVAT_RESAMPLE_ISA_SCALAR;
}

int cvat_resample_vertical(
    int isa, const uint8_t *src, size_t src_width, size_t first_column, size_t row_offset, const int32_t *first,
    const int32_t *count, const int32_t *weights, size_t taps, size_t out_height, uint8_t *dst, size_t dst_width) {
    isa = resolve(isa);
#if CVAT_X86
    if (isa != CVAT_RESAMPLE_ISA_SCALAR) {
        size_t pairs = 0;
        int32_t *packed = pack_vertical(count, weights, taps, out_height, &pairs);
        if (packed) {
            if (isa == CVAT_RESAMPLE_ISA_AVX2) {
                vertical_avx2(
                    src, src_width, first_column, row_offset, first, count, packed, pairs, weights, taps, out_height,
                    dst, dst_width);
            } else {
                vertical_sse41(
                    src, src_width, first_column, row_offset, first, count, packed, pairs, weights, taps, out_height,
                    dst, dst_width);
            }
            free(packed);
            return isa;
        }
    }
#endif
    vertical_scalar(src, src_width, first_column, row_offset, first, count, weights, taps, out_height, dst, dst_width);
    return CVAT_RESAMPLE_ISA_SCALAR;
}
