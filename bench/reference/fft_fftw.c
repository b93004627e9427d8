/* FFTW3 single-precision reference for the 2-D complex FFT benchmark.
 * Build: gcc -O2 -o fft_fftw fft_fftw.c -lfftw3f -lm
 * Usage: ./fft_fftw [sizes...]   prints "size microseconds" per square N×N forward out-of-place transform.
 * Plans: FFTW_MEASURE, one thread. Timing: warm-up, then 31 samples of ~2 ms of back-to-back executes; median per call. */
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
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
    int count = argc > 1 ? argc - 1 : (int)(sizeof defaults / sizeof defaults[0]);
    for (int s = 0; s < count; s++) {
        int n = argc > 1 ? atoi(argv[s + 1]) : defaults[s];
        fftwf_complex *in = fftwf_alloc_complex((size_t)n * n), *out = fftwf_alloc_complex((size_t)n * n);
        fftwf_plan plan = fftwf_plan_dft_2d(n, n, in, out, FFTW_FORWARD, FFTW_MEASURE);
        srand(n);
        for (int i = 0; i < n * n; i++) {
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
