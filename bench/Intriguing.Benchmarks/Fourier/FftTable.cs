using System.Diagnostics;
using Intriguing.Fourier;

namespace Intriguing.Benchmarks.Fourier;

/// <summary>
/// Quick timing modes outside BenchmarkDotNet (<c>dotnet run -c Release -- fft-table …</c>):
/// <list type="bullet">
/// <item><c>fft-table [sizes…]</c>: one line "size microseconds" per square 2-D complex float forward transform,
/// out of place; used by <c>bench/reference/fft_compare.sh</c> next to FFTW and NumPy.</item>
/// <item><c>fft-table --1d [lengths…]</c>: "length microseconds" per 1-D complex float forward transform
/// (<c>fft_compare.sh --1d</c>).</item>
/// <item><c>fft-table --real [sizes…]</c>: 64 real float channels of N×N: channel-major batch, zero-padded 3×3 batch,
/// channels-last, and 32 complex transforms for comparison.</item>
/// <item><c>fft-table --parts [sizes…]</c>: a 2-D transform split into its kernel and transpose costs.</item>
/// </list>
/// Method (same as the FFTW and NumPy scripts): warm up, then 31 samples, each timing enough back-to-back calls to
/// last about 2 ms; the figure is the median per-call time. Every mode runs its whole list twice and prints only
/// the second round, so tiered JIT has finished compiling the shared generic kernels.
/// </summary>
public static class FftTable
{
    public static readonly int[] DefaultSizes = [8, 13, 16, 28, 32, 55, 64, 128, 224, 256];

    public static void Run(string[] args)
    {
        string mode = args.Length > 0 && args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "";
        string[] rest = mode.Length > 0 ? args[1..] : args;
        int[] sizes = rest.Length > 0 ? rest.Select(int.Parse).ToArray() : DefaultSizes;
        Action<int, bool> measure = mode switch
        {
            "" => Complex2D,
            "--1d" => OneDimensional,
            "--real" => Real,
            "--parts" => Parts,
            _ => throw new ArgumentException($"Unknown fft-table mode '{mode}'; expected --1d, --real or --parts.", nameof(args)),
        };
        for (int round = 0; round < 2; round++)
        {
            foreach (int n in sizes) measure(n, round == 1);
        }
    }

    private static void Complex2D(int n, bool print)
    {
        var plan = Fft2DPlan<float>.Create(n, n);
        float[] input = RandomValues(plan.ChannelLength, n);
        var output = new float[input.Length];
        var scratch = new float[plan.ScratchLength];
        double microseconds = MedianMicroseconds(() => plan.Forward(input, output, scratch));
        if (print) Console.WriteLine($"{n} {microseconds:F3}");
    }

    private static void OneDimensional(int n, bool print)
    {
        var plan = FftPlan<float>.Create(n);
        float[] x = RandomValues(2 * n, n);
        var y = new float[2 * n];
        var scratch = new float[plan.ScratchLength];
        double microseconds = MedianMicroseconds(() => plan.Forward(x, y, scratch));
        if (print) Console.WriteLine($"{n} {microseconds:F3}");
    }

    private static void Real(int n, bool print)
    {
        const int Channels = 64;
        var real = RealFft2DPlan<float>.Create(n, n);
        float[] input = RandomValues(Channels * real.RealLength, n);
        var output = new float[Channels * real.SpectrumLength];
        var scratch = new float[real.ScratchLength];
        float[] kernels = RandomValues(Channels * 9, n);
        double batch = MedianMicroseconds(() => real.ForwardBatch(input, output, Channels, scratch));
        double padded = MedianMicroseconds(() => real.ForwardBatchPadded(kernels, 3, 3, output, Channels, scratch));
        var channelsLastScratch = new float[real.ChannelsLastScratchLength(Channels)];
        double channelsLast = MedianMicroseconds(() => real.ForwardChannelsLast(input, output, Channels, channelsLastScratch));
        var complex = Fft2DPlan<float>.Create(n, n);
        var z = RandomValues(complex.ChannelLength * Channels / 2, n);
        var zOut = new float[z.Length];
        var zScratch = new float[complex.ScratchLength];
        double half = MedianMicroseconds(() => complex.ForwardBatch(z, zOut, Channels / 2, zScratch));
        if (print)
        {
            Console.WriteLine($"{n}×{n} ×64 real: batch {batch:F2} µs, zero-padded 3×3 batch {padded:F2} µs, " +
                $"channels-last {channelsLast:F2} µs; 32 complex transforms {half:F2} µs");
        }
    }

    private static void Parts(int n, bool print)
    {
        var kernel = new FftKernel<float>(n);
        float[] a = RandomValues(2 * n * n, n);
        var b = new float[a.Length];
        var c = new float[a.Length];
        var extra = new float[kernel.ExtraScratch(n)];
        double run = MedianMicroseconds(() => kernel.Run(a, b, c, extra, n, inverse: false));
        double transpose = MedianMicroseconds(() => FftGuard.Transpose<float>(a, b, n, n));
        var plan = Fft2DPlan<float>.Create(n, n);
        var scratch = new float[plan.ScratchLength];
        double whole = MedianMicroseconds(() => plan.Forward(a, b, scratch));
        if (print) Console.WriteLine($"{n}: one axis {run:F3} µs, transpose {transpose:F3} µs, whole 2-D {whole:F3} µs");
    }

    private static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(2 * random.NextDouble() - 1);
        return values;
    }

    private static double MedianMicroseconds(Action action)
    {
        // Calibrate the number of calls per sample to ~2 ms after a 300 ms warm-up.
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 300)
        {
            action();
            calls++;
        }
        int perSample = Math.Max(1, (int)(calls * 2.0 / watch.Elapsed.TotalMilliseconds));
        var samples = new double[31];
        for (int s = 0; s < samples.Length; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perSample; i++) action();
            samples[s] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perSample;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
