using System.Diagnostics;
using System.Globalization;
using Intriguing.Linear;

namespace Intriguing.Benchmarks.Linear;

/// <summary>
/// Side-by-side timing mode for bench/reference/gemm_compare.sh: the same shapes and the same method as
/// bench/reference/gemm_openblas.c (warm-up ≈ 100 ms, timed batches of ≈ 2 ms, median of 31 batches, or of 7 single calls
/// for long products). BenchmarkDotNet (<see cref="GemmBenchmarks"/>) is the rigorous measurement; this mode exists
/// so both libraries are timed in the same run on a shared machine.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release -- gemm-table [threads] [shape-file]</c>; shape lines are <c>ABt|AB|AtB m n k</c>,
/// output lines <c>product m n k median-seconds GFLOP/s</c>.
/// </remarks>
public static class GemmTable
{
    public static void Run(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        TextReader input = args.Length > 1 ? new StreamReader(args[1]) : Console.In;
        Console.Error.WriteLine($"# SIMD level {SimdSupport.Level}, threads {threads}");
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 4) continue;
            string product = parts[0];
            int m = int.Parse(parts[1], CultureInfo.InvariantCulture);
            int n = int.Parse(parts[2], CultureInfo.InvariantCulture);
            int k = int.Parse(parts[3], CultureInfo.InvariantCulture);
            double median = Measure(product, m, n, k, threads);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{product} {m} {n} {k} {median:F9} {2.0 * m * n * k / median * 1e-9:F3}"));
        }
    }

    private static double Measure(string product, int m, int n, int k, int threads)
    {
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)((long)i * 7919 % 1000 / 1000.0 - 0.5);
        for (int i = 0; i < b.Length; i++) b[i] = (float)((long)i * 104729 % 1000 / 1000.0 - 0.5);
        Action call = product switch
        {
            "ABt" => () => Gemm.MultiplyABt(a, b, c, m, n, k, false, threads),
            "AB" => () => Gemm.MultiplyAB(a, b, c, m, n, k, false, threads),
            "AtB" => () => Gemm.MultiplyAtB(a, b, c, m, n, k, false, threads),
            _ => throw new ArgumentException($"Unknown product '{product}'; expected ABt, AB or AtB.", nameof(product)),
        };

        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (clock.Elapsed.TotalSeconds < 0.1 || calls < 3)
        {
            call();
            calls++;
        }

        double per = clock.Elapsed.TotalSeconds / calls;
        int batch = per >= 2e-3 ? 1 : (int)(2e-3 / per) + 1;
        int reps = per >= 0.05 ? 7 : 31;
        var times = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++) call();
            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / batch;
        }

        Array.Sort(times);
        return times[reps / 2];
    }
}
