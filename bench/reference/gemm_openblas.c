/*
 * Reference timings for bench/reference/gemm_compare.sh: cblas_sgemm from OpenBLAS on the same shapes and with the
 * same method as `dotnet run -c Release -- gemm-table` (median of repeated timed batches, beta = 0).
 * Build: cc -O2 -o gemm_openblas gemm_openblas.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -lm
 * Run:   OPENBLAS_NUM_THREADS=1 ./gemm_openblas [shape-file]   (threads also via OPENBLAS_NUM_THREADS=2)
 * Input lines:  <product ABt|AB|AtB> <m> <n> <k>       Output lines: <product> <m> <n> <k> <median-seconds> <GFLOP/s>
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void run(const char *product, int m, int n, int k, float *a, float *b, float *c)
{
    if (strcmp(product, "ABt") == 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
    else if (strcmp(product, "AB") == 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    else
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a, m, b, n, 0.0f, c, n);
}

int main(int argc, char **argv)
{
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!in) { perror("shape file"); return 1; }
    char product[16];
    int m, n, k;
    while (fscanf(in, "%15s %d %d %d", product, &m, &n, &k) == 4)
    {
        size_t sa = (size_t)m * k, sb = (size_t)k * n, sc = (size_t)m * n;
        float *a = aligned_alloc(64, (sa + 16) * 4), *b = aligned_alloc(64, (sb + 16) * 4), *c = aligned_alloc(64, (sc + 16) * 4);
        for (size_t i = 0; i < sa; i++) a[i] = (float)((i * 7919 % 1000) / 1000.0 - 0.5);
        for (size_t i = 0; i < sb; i++) b[i] = (float)((i * 104729 % 1000) / 1000.0 - 0.5);
        double flop = 2.0 * m * n * k;

        /* Batch size: enough calls for ~2 ms per timed batch (at least 1); warm-up for ~100 ms. */
        double t0 = now();
        int calls = 0;
        while (now() - t0 < 0.1 || calls < 3) { run(product, m, n, k, a, b, c); calls++; }
        double per = (now() - t0) / calls;
        int batch = per >= 2e-3 ? 1 : (int)(2e-3 / per) + 1;
        int reps = per >= 0.05 ? 7 : 31;
        double times[64];
        for (int r = 0; r < reps; r++)
        {
            double s = now();
            for (int i = 0; i < batch; i++) run(product, m, n, k, a, b, c);
            times[r] = (now() - s) / batch;
        }
        qsort(times, reps, sizeof(double), cmp);
        double med = times[reps / 2];
        printf("%s %d %d %d %.9f %.3f\n", product, m, n, k, med, flop / med * 1e-9);
        fflush(stdout);
        free(a); free(b); free(c);
    }
    return 0;
}
