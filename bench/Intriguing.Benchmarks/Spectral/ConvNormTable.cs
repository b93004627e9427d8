using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Intriguing.Spectral;

namespace Intriguing.Benchmarks.Spectral;

/// <summary>
/// <c>convnorm-table [--weights DIR] [--repeat R] [--threads T] [--screening K] [--list] [names…]</c>: times <see cref="ConvolutionNorm"/> on
/// the shapes of <c>bench/reference/convnorm_compare.sh</c> (3×3×64×64 on 32×32 and the five AlexNet convolutions)
/// with seeded Gaussian weights N(0, 1/(C·k²)), and prints one line per shape:
/// <c>name C D k stride padding mode N_period seconds estimate upper_bound cpu_seconds first_call_seconds</c>. The times (wall clock,
/// and processor time of all threads) are the best of R runs (default 3) after warm-up runs (at least 20 and 1 s, so that the
/// tiered JIT has promoted the hot methods, as BenchmarkDotNet would); the last field is the first call's wall time, JIT included. With <c>--weights DIR</c> the weights are written to <c>DIR/name.f32</c>
/// (raw little-endian float32, D × C × k × k) for the NumPy and PyTorch scripts.
/// </summary>
public static class ConvNormTable
{
    /// <summary>The benchmark shapes: name and geometry.</summary>
    public static readonly (string Name, ConvolutionShape Shape)[] Shapes =
    [
        ("conv64@32", ConvolutionShape.Square(64, 64, 3, 32, 1, 1, PaddingMode.Circular)),
        ("alex1@224", ConvolutionShape.Square(3, 96, 11, 224, 4, 2, PaddingMode.Circular)),
        ("alex1z@224", ConvolutionShape.Square(3, 96, 11, 224, 4, 2, PaddingMode.Zero)),
        ("alex2@27", ConvolutionShape.Square(96, 256, 5, 27, 1, 2, PaddingMode.Circular)),
        ("alex3@13", ConvolutionShape.Square(256, 384, 3, 13, 1, 1, PaddingMode.Circular)),
        ("alex4@13", ConvolutionShape.Square(384, 384, 3, 13, 1, 1, PaddingMode.Circular)),
        ("alex5@13", ConvolutionShape.Square(384, 256, 3, 13, 1, 1, PaddingMode.Circular)),
        ("alex4z@13", ConvolutionShape.Square(384, 384, 3, 13, 1, 1, PaddingMode.Zero)),
    ];

    public static void Run(string[] args)
    {
        string? weightsDir = null;
        int repeat = 3, threads = -1, screening = ConvolutionNormOptions.Default.ScreeningSteps;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--weights": weightsDir = args[++i]; break;
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--screening": screening = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--list":
                    foreach (var (n, s) in Shapes) Console.WriteLine($"{n} {s}");
                    return;
                default: names.Add(args[i]); break;
            }
        }

        var options = new ConvolutionNormOptions { MaxDegreeOfParallelism = threads, ScreeningSteps = screening };
        var ci = CultureInfo.InvariantCulture;
        foreach (var (name, shape) in Shapes)
        {
            if (names.Count > 0 && !names.Contains(name)) continue;
            float[] weights = Weights(shape, name);
            if (weightsDir is not null)
            {
                Directory.CreateDirectory(weightsDir);
                File.WriteAllBytes(Path.Combine(weightsDir, name + ".f32"), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
            }

            // The first call (cold: just-in-time compilation included), then warm-up calls until the tiered JIT has
            // promoted the hot methods (at least 20 calls and 1 s), then the R timed calls.
            var cold = Stopwatch.StartNew();
            ConvolutionNormResult result = ConvolutionNorm.Compute(weights, shape, options);
            double coldSeconds = cold.Elapsed.TotalSeconds;
            var warm = Stopwatch.StartNew();
            for (int w = 1; w < 20 || warm.Elapsed.TotalSeconds < 1; w++) result = ConvolutionNorm.Compute(weights, shape, options);
            double best = double.PositiveInfinity, bestCpu = double.PositiveInfinity;
            using var process = Process.GetCurrentProcess();
            for (int r = 0; r < repeat; r++)
            {
                process.Refresh();
                TimeSpan cpu = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                result = ConvolutionNorm.Compute(weights, shape, options);
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
            }

            Console.WriteLine(string.Create(ci,
                $"{name} {shape.InputChannels} {shape.OutputChannels} {shape.KernelHeight} {shape.StrideY} {shape.Padding} {shape.PaddingMode.ToString().ToLowerInvariant()} {result.PeriodHeight} {best:F4} {result.Estimate:R} {result.UpperBound:R} {bestCpu:F4} {coldSeconds:F4}"));
            Console.Error.WriteLine(string.Create(ci,
                $"  {name}: {result.Frequencies} frequencies, {result.CertifiedByFrobenius} by Frobenius, {result.CertifiedByCholesky} by Cholesky, {result.Refined} refined, gap {result.RelativeGap:E2}, first call {coldSeconds:F4} s"));
        }
    }

    /// <summary>Seeded Gaussian weights N(0, 1/(C·k²)) for the named shape.</summary>
    public static float[] Weights(ConvolutionShape shape, string name)
    {
        ulong seed = 2013;
        foreach (char c in name) seed = seed * 31 + c;
        var random = new SeededRandom(seed);
        float[] w = new float[shape.WeightCount];
        double scale = 1 / Math.Sqrt(shape.InputChannels * shape.KernelHeight * shape.KernelWidth);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextGaussian() * scale);
        return w;
    }
}
