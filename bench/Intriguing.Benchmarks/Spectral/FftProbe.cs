namespace Intriguing.Benchmarks.Spectral;
public static class FftProbe
{
    public static void Run()
    {
        foreach (int n in new[] { 13, 32 })
        foreach (int ch in new[] { 64, 1024 })
        {
            var plan = Intriguing.Fourier.RealFft2DPlan<double>.Create(n, n);
            var input = new double[9 * ch]; var output = new double[plan.SpectrumLength * ch];
            var scratch = new double[plan.ScratchLength];
            for (int i = 0; i < input.Length; i++) input[i] = i % 7;
            plan.ForwardBatchPadded(input, 3, 3, output, ch, scratch);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            int reps = Math.Max(1, 100000 / ch);
            for (int r = 0; r < reps; r++) plan.ForwardBatchPadded(input, 3, 3, output, ch, scratch);
            double padded = sw.Elapsed.TotalMilliseconds * 1e6 / reps / ch;
            var planf = Intriguing.Fourier.RealFft2DPlan<float>.Create(n, n);
            var inputf = new float[9 * ch]; var outputf = new float[planf.SpectrumLength * ch];
            var scratchf = new float[planf.ScratchLength];
            planf.ForwardBatchPadded(inputf, 3, 3, outputf, ch, scratchf);
            sw.Restart();
            for (int r = 0; r < reps; r++) planf.ForwardBatchPadded(inputf, 3, 3, outputf, ch, scratchf);
            Console.WriteLine($"{n} ch {ch}: padded batch double {padded:F1} ns/channel, float {sw.Elapsed.TotalMilliseconds * 1e6 / reps / ch:F1}");
        }
    }
}
