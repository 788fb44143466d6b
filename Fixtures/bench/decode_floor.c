/* The decode limit for the cvat-ds benchmark: decode every JPEG named on stdin (one path a line) with TurboJPEG,
 * at DCT scale NUM/DEN, into RGB, on THREADS threads, and nothing else. The files are read into memory before the
 * clock starts; each thread keeps one output buffer and one decompressor and takes the next frame from a shared
 * counter, so the measured time is decoding only.
 *
 *   cc -O2 -o decode_floor decode_floor.c -lturbojpeg -lpthread
 *   find frames -name '*.jpg' | sort | ./decode_floor THREADS NUM/DEN [ROUNDS]
 *
 * Prints one JSON object: {"frames", "threads", "scale", "rounds", "seconds" (the fastest round), "all_seconds",
 * "megapixels" (decoded, per round), "checksum"}. Flags are 0 (accurate integer IDCT, fancy upsampling), as
 * cvat-ds's JPEGDecoder and Pillow use.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

typedef struct { unsigned char *data; unsigned long size; } blob;

static blob *frames;
static size_t nframes;
static int num = 1, den = 1;
static atomic_size_t next_frame;
static atomic_ullong total_pixels;
static atomic_ullong checksum;
static atomic_int failures;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *worker(void *arg) {
    (void)arg;
    tjhandle h = tjInitDecompress();
    if (!h) { atomic_fetch_add(&failures, 1); return NULL; }
    unsigned char *out = NULL;
    size_t cap = 0;
    unsigned long long pixels = 0, sum = 0;
    for (;;) {
        size_t i = atomic_fetch_add(&next_frame, 1);
        if (i >= nframes) break;
        int w, h0, sub, cs;
        if (tjDecompressHeader3(h, frames[i].data, frames[i].size, &w, &h0, &sub, &cs) != 0) {
            atomic_fetch_add(&failures, 1);
            continue;
        }
        int sw = (w * num + den - 1) / den, sh = (h0 * num + den - 1) / den;
        size_t need = (size_t)sw * sh * 3;
        if (need > cap) {
            free(out);
            out = malloc(need);
            cap = need;
        }
        if (tjDecompress2(h, frames[i].data, frames[i].size, out, sw, 0, sh, TJPF_RGB, 0) != 0) {
            atomic_fetch_add(&failures, 1);
            continue;
        }
        pixels += (unsigned long long)sw * sh;
        sum += out[need / 2] + out[need - 1];
    }
    atomic_fetch_add(&total_pixels, pixels);
    atomic_fetch_add(&checksum, sum);
    free(out);
    tjDestroy(h);
    return NULL;
}

static int supported(int n, int d) {
    int count = 0;
    tjscalingfactor *f = tjGetScalingFactors(&count);
    for (int k = 0; f && k < count; k++)
        if (f[k].num * d == n * f[k].denom) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || sscanf(argv[2], "%d/%d", &num, &den) != 2 || num <= 0 || den <= 0) {
        fprintf(stderr, "usage: decode_floor THREADS NUM/DEN [ROUNDS] < list-of-jpeg-paths\n");
        return 64;
    }
    int threads = atoi(argv[1]);
    int rounds = argc > 3 ? atoi(argv[3]) : 1;
    if (threads < 1 || rounds < 1 || !supported(num, den)) {
        fprintf(stderr, "decode_floor: bad thread count, round count or unsupported scale %d/%d\n", num, den);
        return 64;
    }
    size_t cap = 1024;
    frames = malloc(cap * sizeof *frames);
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    while ((len = getline(&line, &linecap, stdin)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (!len) continue;
        FILE *f = fopen(line, "rb");
        if (!f) { perror(line); return 66; }
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (nframes == cap) frames = realloc(frames, (cap *= 2) * sizeof *frames);
        frames[nframes].data = malloc(size);
        frames[nframes].size = (unsigned long)size;
        if (fread(frames[nframes].data, 1, size, f) != (size_t)size) { perror(line); return 74; }
        fclose(f);
        nframes++;
    }
    free(line);
    pthread_t *tids = malloc(threads * sizeof *tids);
    double best = 1e30;
    printf("{\"frames\": %zu, \"threads\": %d, \"scale\": \"%d/%d\", \"rounds\": %d, \"all_seconds\": [",
           nframes, threads, num, den, rounds);
    unsigned long long mp = 0;
    for (int r = 0; r < rounds; r++) {
        atomic_store(&next_frame, 0);
        atomic_store(&total_pixels, 0);
        double t0 = now();
        for (int k = 0; k < threads; k++) pthread_create(&tids[k], NULL, worker, NULL);
        for (int k = 0; k < threads; k++) pthread_join(tids[k], NULL);
        double dt = now() - t0;
        if (dt < best) best = dt;
        mp = atomic_load(&total_pixels);
        printf("%s%.6f", r ? ", " : "", dt);
    }
    printf("], \"seconds\": %.6f, \"megapixels\": %.3f, \"checksum\": %llu, \"failures\": %d}\n", best, mp / 1e6,
           (unsigned long long)atomic_load(&checksum), atomic_load(&failures));
    return atomic_load(&failures) ? 65 : 0;
}
