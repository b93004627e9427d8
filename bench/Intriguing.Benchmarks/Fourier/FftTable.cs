using System.Diagnostics;
using Intriguing.Fourier;

namespace Intriguing.Benchmarks.Fourier;

/// <summary>
/// Quick timing mode for <c>bench/reference/fft_compare.sh</c>: <c>dotnet run -c Release -- fft-table [sizes…]</c>
/// prints one line "size microseconds" per square 2-D complex float forward transform, out of place.
/// Method (same as the FFTW and NumPy scripts): warm up (here: one untimed round over all sizes first), then 31 samples, each timing enough back-to-back calls
/// to last about 2 ms; the reported figure is the median per-call time.
/// </summary>
public static class FftTable
{
    public static readonly int[] DefaultSizes = [8, 13, 16, 28, 32, 55, 64, 128, 224, 256];

    public static void Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--parts")
        {
            RunParts(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "--1d")
        {
            foreach (int n in args[1..].Select(int.Parse))
            {
                var plan = FftPlan<float>.Create(n);
                var x = new float[2 * n];
                for (int i = 0; i < x.Length; i++) x[i] = (float)Math.Sin(i);
                var y = new float[2 * n];
                var scratch = new float[plan.ScratchLength];
                Console.WriteLine($"1-D {n}: {MedianMicroseconds(() => plan.Forward(x, y, scratch)):F3} µs");
            }
            return;
        }
        if (args.Length > 0 && args[0] == "--real")
        {
            RunReal(args[1..]);
            return;
        }
        int[] sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : DefaultSizes;
        // Round 0 only warms up every size (tiered JIT compiles the shared generic kernels in the background);
        // round 1 measures.
        for (int round = 0; round < 2; round++)
        {
            foreach (int n in sizes)
            {
                var plan = Fft2DPlan<float>.Create(n, n);
                var input = new float[plan.ChannelLength];
                var random = new Random(n);
                for (int i = 0; i < input.Length; i++) input[i] = (float)(2 * random.NextDouble() - 1);
                var output = new float[input.Length];
                var scratch = new float[plan.ScratchLength];
                double microseconds = MedianMicroseconds(() => plan.Forward(input, output, scratch));
                if (round == 1) Console.WriteLine($"{n} {microseconds:F3}");
            }
        }
    }

    /// <summary>Real batched 2-D transforms (64 channels) against 32 complex transforms of the same size.</summary>
    private static void RunReal(string[] args)
    {
        const int Channels = 64;
        foreach (int n in args.Select(int.Parse))
        {
            var real = RealFft2DPlan<float>.Create(n, n);
            var input = new float[Channels * real.RealLength];
            for (int i = 0; i < input.Length; i++) input[i] = (float)Math.Sin(i);
            var output = new float[Channels * real.SpectrumLength];
            var scratch = new float[real.ScratchLength];
            var kernels = new float[Channels * 9];
            double batch = MedianMicroseconds(() => real.ForwardBatch(input, output, Channels, scratch));
            double padded = MedianMicroseconds(() => real.ForwardBatchPadded(kernels, 3, 3, output, Channels, scratch));
            var complex = Fft2DPlan<float>.Create(n, n);
            var z = new float[complex.ChannelLength * Channels / 2];
            var zOut = new float[z.Length];
            var zScratch = new float[complex.ScratchLength];
            double half = MedianMicroseconds(() => complex.ForwardBatch(z, zOut, Channels / 2, zScratch));
            var clScratch = new float[real.ChannelsLastScratchLength(Channels)];
            double channelsLast = MedianMicroseconds(() => real.ForwardChannelsLast(input, output, Channels, clScratch));
            Console.WriteLine($"{n} real×64 {batch:F2} µs, padded 3×3 ×64 {padded:F2} µs, complex×32 {half:F2} µs, real channels-last ×64 {channelsLast:F2} µs");
        }
    }

    /// <summary>Diagnostic split of one 2-D transform into its column kernel, transpose and row kernel.</summary>
    private static void RunParts(string[] args)
    {
        foreach (int n in args.Select(int.Parse))
        {
            var kernel = new FftKernel<float>(n);
            var a = new float[2 * n * n];
            var b = new float[2 * n * n];
            var c = new float[2 * n * n];
            var extra = new float[kernel.ExtraScratch(n + 4)];
            new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
            for (int i = 0; i < a.Length; i++) a[i] = (float)(i % 7);
            double run = MedianMicroseconds(() => kernel.Run(a, b, c, extra, n, inverse: false));
            double transpose = MedianMicroseconds(() => FftGuard.Transpose<float>(a, b, n, n));
            var plan = Fft2DPlan<float>.Create(n, n);
            var scratch = new float[plan.ScratchLength];
            double whole = MedianMicroseconds(() => plan.Forward(a, b, scratch));
            double inner = MedianMicroseconds(() => plan.ExecuteUnchecked(a, b, scratch, false));
            var padded = new float[2 * n * (n + 4)];
            var padded2 = new float[2 * n * (n + 4)];
            var padded3 = new float[2 * n * (n + 4)];
            double runPadded = MedianMicroseconds(() => kernel.Run(padded, padded2, padded3, extra, n + 4, inverse: false));
            Console.WriteLine($"{n} kernel {run:F3} (batch+4: {runPadded:F3}) transpose {transpose:F3} plan {whole:F3} unchecked {inner:F3}");
        }
    }

    private static double MedianMicroseconds(Action action)
    {
        // Calibrate the number of calls per sample to ~2 ms, after a warm-up long enough for tiered JIT.
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
