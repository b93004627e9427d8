using System.Numerics;
using static Intriguing.Fourier.Tests.NaiveDft;

namespace Intriguing.Fourier.Tests;

public class FftPlanTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 1; n <= 64; n++) data.Add(n);
        data.Add(97);
        data.Add(1009);
        data.Add(2 * 3 * 5 * 7 * 11); // several direct odd radices in one plan
        data.Add(1024);
        // Four-step (n ≥ 256, smooth) splits, including unbalanced and odd ones.
        data.Add(256);
        data.Add(1000);
        data.Add(2187);
        data.Add(4096);
        data.Add(2 * 509); // Bluestein whose inner length is large enough for four-step
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Forward_and_inverse_match_naive_dft_float(int n) => MatchesNaive<float>(n);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Forward_and_inverse_match_naive_dft_double(int n) => MatchesNaive<double>(n);

    private static void MatchesNaive<T>(int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = Convert<T>(Random(2 * n, seed: n));
        double[] xd = ToDouble<T>(x);
        var plan = FftPlan<T>.Create(n);

        var output = new T[2 * n];
        plan.Forward(x, output);
        double error = RelativeError<T>(output, Dft(xd));
        Assert.True(error <= Tolerance<T>(), $"forward n={n}: relative error {error:E2}");

        plan.Inverse(x, output);
        double[] expected = Dft(xd, inverse: true).Select(v => v / n).ToArray();
        error = RelativeError<T>(output, expected);
        Assert.True(error <= Tolerance<T>(), $"inverse n={n}: relative error {error:E2}");

        // In place gives the same values as out of place.
        var inPlace = (T[])x.Clone();
        plan.Inverse(inPlace);
        Assert.Equal(output, inPlace);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(48)]
    [InlineData(97)]
    [InlineData(250)]
    [InlineData(1009)]
    public void Inverse_of_forward_is_identity_and_preserves_energy(int n)
    {
        double[] x = Random(2 * n, seed: 100 + n);
        var plan = FftPlan<double>.Create(n);
        var spectrum = new double[2 * n];
        plan.Forward(x, spectrum);

        // Parseval: Σ|X|² = n·Σ|x|².
        double energyX = x.Sum(v => v * v), energySpectrum = spectrum.Sum(v => v * v);
        Assert.True(Math.Abs(energySpectrum - n * energyX) <= 1e-12 * n * energyX, $"Parseval n={n}");

        var back = new double[2 * n];
        plan.Inverse(spectrum, back);
        Assert.True(RelativeError<double>(back, x) <= 1e-13, $"round trip n={n}");
    }

    [Fact]
    public void Caller_scratch_and_thread_scratch_give_identical_results()
    {
        var plan = FftPlan<float>.Create(97);
        float[] x = Convert<float>(Random(194, seed: 3));
        var a = new float[194];
        var b = new float[194];
        plan.Forward(x, a);
        plan.Forward(x, b, new float[plan.ScratchLength]);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Bad_arguments_throw_with_the_argument_name()
    {
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => FftPlan<float>.Create(0)).ParamName);
        Assert.Throws<NotSupportedException>(() => FftPlan<Half>.Create(8));
        var plan = FftPlan<float>.Create(8);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => plan.Forward(new float[15], new float[16])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => plan.Forward(new float[16], new float[17])).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(
            () => plan.Forward(new float[16], new float[16], new float[plan.ScratchLength - 1])).ParamName);
        var buffer = new float[18];
        Assert.Throws<ArgumentException>(() => plan.Forward(buffer.AsSpan(0, 16), buffer.AsSpan(2, 16)));
    }
}
