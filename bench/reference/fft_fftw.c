/* FFTW3 single-precision reference for the 2-D complex FFT benchmark.
 * Build: gcc -O2 -o fft_fftw fft_fftw.c -lfftw3f -lm
 * Usage: ./fft_fftw [--1d] [sizes...]   prints "size microseconds" per square N×N (or, with --1d, length-N)
 *        forward out-of-place transform.
 * Plans: FFTW_MEASURE, one thread. Timing: warm-up, then 31 samples of ~2 ms of back-to-back executes; median per call. */
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int defaults[] = {8, 13, 16, 28, 32, 55, 64, 128, 224, 256};
    int one_d = argc > 1 && strcmp(argv[1], "--1d") == 0;
    int first = one_d ? 2 : 1;
    int count = argc > first ? argc - first : (int)(sizeof defaults / sizeof defaults[0]);
    for (int s = 0; s < count; s++) {
        int n = argc > first ? atoi(argv[s + first]) : defaults[s];
        size_t total = one_d ? (size_t)n : (size_t)n * n;
        fftwf_complex *in = fftwf_alloc_complex(total), *out = fftwf_alloc_complex(total);
        fftwf_plan plan = one_d ? fftwf_plan_dft_1d(n, in, out, FFTW_FORWARD, FFTW_MEASURE)
                                : fftwf_plan_dft_2d(n, n, in, out, FFTW_FORWARD, FFTW_MEASURE);
        srand(n);
        for (size_t i = 0; i < total; i++) {
            in[i][0] = 2.0f * rand() / RAND_MAX - 1;
            in[i][1] = 2.0f * rand() / RAND_MAX - 1;
        }
        double start = now_us();
        long calls = 0;
        while (now_us() - start < 300000) { fftwf_execute(plan); calls++; }
        long per = (long)(calls * 2000.0 / (now_us() - start));
        if (per < 1) per = 1;
        double samples[31];
        for (int k = 0; k < 31; k++) {
            double t0 = now_us();
            for (long i = 0; i < per; i++) fftwf_execute(plan);
            samples[k] = (now_us() - t0) / per;
        }
        qsort(samples, 31, sizeof(double), cmp);
        printf("%d %.3f\n", n, samples[15]);
        fflush(stdout);
        fftwf_destroy_plan(plan);
        fftwf_free(in);
        fftwf_free(out);
    }
    return 0;
}
