using System.Numerics;
using static Intriguing.Fourier.Tests.NaiveDft;

namespace Intriguing.Fourier.Tests;

public class Fft2DPlanTests
{
    public static TheoryData<int, int> Sizes() => new()
    {
        { 8, 8 }, { 13, 13 }, { 28, 28 }, { 55, 55 }, { 224, 224 },
        { 1, 1 }, { 1, 7 }, { 7, 1 }, { 3, 5 }, { 5, 12 }, { 16, 9 }, { 2, 37 }, { 37, 6 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Forward_and_inverse_match_naive_dft_float(int rows, int cols) => MatchesNaive<float>(rows, cols);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Forward_and_inverse_match_naive_dft_double(int rows, int cols) => MatchesNaive<double>(rows, cols);

    private static void MatchesNaive<T>(int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = rows * cols;
        T[] x = Convert<T>(Random(2 * n, seed: rows * 1000 + cols));
        double[] xd = ToDouble<T>(x);
        var plan = Fft2DPlan<T>.Create(rows, cols);

        var output = new T[2 * n];
        plan.Forward(x, output);
        double error = RelativeError<T>(output, Dft2D(xd, rows, cols));
        Assert.True(error <= Tolerance<T>(), $"forward {rows}×{cols}: relative error {error:E2}");

        plan.Inverse(x, output);
        double[] expected = Dft2D(xd, rows, cols, inverse: true).Select(v => v / n).ToArray();
        error = RelativeError<T>(output, expected);
        Assert.True(error <= Tolerance<T>(), $"inverse {rows}×{cols}: relative error {error:E2}");

        var inPlace = (T[])x.Clone();
        plan.Inverse(inPlace);
        Assert.Equal(output, inPlace);
    }

    [Theory]
    [InlineData(13, 13)]
    [InlineData(32, 32)]
    [InlineData(6, 41)]
    public void Inverse_of_forward_is_identity_and_preserves_energy(int rows, int cols)
    {
        int n = rows * cols;
        double[] x = Random(2 * n, seed: 7);
        var plan = Fft2DPlan<double>.Create(rows, cols);
        var spectrum = new double[2 * n];
        plan.Forward(x, spectrum);
        double energyX = x.Sum(v => v * v), energySpectrum = spectrum.Sum(v => v * v);
        Assert.True(Math.Abs(energySpectrum - n * energyX) <= 1e-12 * n * energyX, "Parseval");
        var back = new double[2 * n];
        plan.Inverse(spectrum, back);
        Assert.True(RelativeError<double>(back, x) <= 1e-13, "round trip");
    }

    [Theory]
    [InlineData(13, 13, 5)]
    [InlineData(32, 32, 3)]
    [InlineData(7, 97, 2)]
    public void Batch_equals_one_by_one(int rows, int cols, int count)
    {
        var plan = Fft2DPlan<float>.Create(rows, cols);
        int channel = plan.ChannelLength;
        float[] x = Convert<float>(Random(count * channel, seed: 11));
        var batch = new float[x.Length];
        plan.ForwardBatch(x, batch, count);
        var single = new float[channel];
        for (int c = 0; c < count; c++)
        {
            plan.Forward(x.AsSpan(c * channel, channel), single);
            Assert.Equal(single, batch.AsSpan(c * channel, channel).ToArray());
        }
        plan.InverseBatch(x, batch, count, new float[plan.ScratchLength]);
        for (int c = 0; c < count; c++)
        {
            plan.Inverse(x.AsSpan(c * channel, channel), single);
            Assert.Equal(single, batch.AsSpan(c * channel, channel).ToArray());
        }
    }

    [Fact]
    public void Plan_shared_by_threads_gives_the_sequential_answers()
    {
        var plan = Fft2DPlan<float>.Create(28, 55);
        const int Jobs = 16;
        float[][] inputs = Enumerable.Range(0, Jobs).Select(i => Convert<float>(Random(plan.ChannelLength, seed: 50 + i))).ToArray();
        float[][] expected = inputs.Select(x =>
        {
            var y = new float[x.Length];
            plan.Forward(x, y);
            return y;
        }).ToArray();
        var actual = new float[Jobs][];
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int repeat = 0; repeat < 5; repeat++)
            {
                for (int i = t; i < Jobs; i += 4)
                {
                    var y = new float[plan.ChannelLength];
                    plan.Forward(inputs[i], y);
                    actual[i] = y;
                }
            }
        })).ToArray();
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        for (int i = 0; i < Jobs; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void Calls_after_warm_up_allocate_nothing()
    {
        var plan = Fft2DPlan<float>.Create(55, 55);
        var real = RealFft2DPlan<float>.Create(13, 13);
        var plan1D = FftPlan<double>.Create(97);
        float[] x = Convert<float>(Random(3 * plan.ChannelLength, seed: 1));
        var y = new float[x.Length];
        float[] r = Convert<float>(Random(4 * real.RealLength, seed: 2));
        var spectrum = new float[4 * real.SpectrumLength];
        double[] z = Random(2 * 97, seed: 3);
        var zOut = new double[z.Length];
        var plan4 = FftPlan<float>.Create(1024);
        float[] w = Convert<float>(Random(2 * 1024, seed: 4));
        var real1D = RealFftPlan<float>.Create(1000);
        var realSpectrum = new float[2 * real1D.SpectrumLength];
        void Run()
        {
            plan.ForwardBatch(x, y, 3);
            plan.Inverse(y.AsSpan(0, plan.ChannelLength));
            real.ForwardBatch(r, spectrum, 4);
            real.InverseBatch(spectrum, r, 4);
            plan1D.Forward(z, zOut);
            plan4.Inverse(w);
            real1D.Forward(w.AsSpan(0, 1000), realSpectrum);
        }
        Run();
        Assert.Equal(0, AllocationProbe.BytesAllocated(Run));
    }

    [Fact]
    public void Bad_arguments_throw_with_the_argument_name()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Fft2DPlan<float>.Create(0, 4)).ParamName);
        Assert.Equal("cols", Assert.Throws<ArgumentOutOfRangeException>(() => Fft2DPlan<float>.Create(4, -1)).ParamName);
        var plan = Fft2DPlan<float>.Create(4, 4);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => plan.ForwardBatch(new float[32], new float[32], -1)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => plan.ForwardBatch(new float[64], new float[32], 2)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => plan.Forward(new float[31], new float[32])).ParamName);
    }
}
