using System.Numerics;
using static Intriguing.Fourier.Tests.NaiveDft;

namespace Intriguing.Fourier.Tests;

public class ChannelsLastTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 13, 13, 6 }, { 13, 13, 16 }, { 6, 5, 9 }, { 8, 6, 3 }, { 1, 9, 4 }, { 7, 1, 2 }, { 28, 28, 1 }, { 5, 37, 5 },
    };

    private static double[] Channel(ReadOnlySpan<double> data, int pixels, int channels, int ch)
    {
        var result = new double[2 * pixels];
        for (int p = 0; p < pixels; p++)
        {
            result[2 * p] = data[2 * (p * channels + ch)];
            result[2 * p + 1] = data[2 * (p * channels + ch) + 1];
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Complex_channels_last_matches_naive_dft_float(int rows, int cols, int channels) => Complex<float>(rows, cols, channels);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Complex_channels_last_matches_naive_dft_double(int rows, int cols, int channels) => Complex<double>(rows, cols, channels);

    private static void Complex<T>(int rows, int cols, int channels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = Fft2DPlan<T>.Create(rows, cols);
        int pixels = rows * cols;
        T[] x = Convert<T>(Random(2 * pixels * channels, seed: rows + 3 * cols + 7 * channels));
        double[] xd = ToDouble<T>(x);
        var y = new T[x.Length];
        plan.ForwardChannelsLast(x, y, channels);
        var back = new T[x.Length];
        plan.InverseChannelsLast(x, back, channels);
        double[] yd = ToDouble<T>(y), backd = ToDouble<T>(back);
        for (int ch = 0; ch < channels; ch++)
        {
            double[] input = Channel(xd, pixels, channels, ch);
            double error = RelativeError<double>(Channel(yd, pixels, channels, ch), Dft2D(input, rows, cols));
            Assert.True(error <= Tolerance<T>(), $"forward channel {ch}: {error:E2}");
            double[] expected = Dft2D(input, rows, cols, inverse: true).Select(v => v / pixels).ToArray();
            error = RelativeError<double>(Channel(backd, pixels, channels, ch), expected);
            Assert.True(error <= Tolerance<T>(), $"inverse channel {ch}: {error:E2}");
        }

        // In place gives the same values.
        var inPlace = (T[])x.Clone();
        plan.ForwardChannelsLast(inPlace, inPlace, channels, new T[plan.ChannelsLastScratchLength(channels)]);
        Assert.Equal(y, inPlace);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Real_channels_last_matches_naive_dft_float(int rows, int cols, int channels) => Real<float>(rows, cols, channels);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Real_channels_last_matches_naive_dft_double(int rows, int cols, int channels) => Real<double>(rows, cols, channels);

    private static void Real<T>(int rows, int cols, int channels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = RealFft2DPlan<T>.Create(rows, cols);
        int pixels = rows * cols, sc = cols / 2 + 1;
        T[] x = Convert<T>(Random(pixels * channels, seed: 5 * rows + cols + channels));
        double[] xd = ToDouble<T>(x);
        var spectra = new T[plan.SpectrumLength * channels];
        plan.ForwardChannelsLast(x, spectra, channels);
        double[] sd = ToDouble<T>(spectra);
        for (int ch = 0; ch < channels; ch++)
        {
            var z = new double[2 * pixels];
            for (int p = 0; p < pixels; p++) z[2 * p] = xd[p * channels + ch];
            double[] full = Dft2D(z, rows, cols);
            var expected = new double[2 * rows * sc];
            for (int k = 0; k < rows; k++) Array.Copy(full, 2 * k * cols, expected, 2 * k * sc, 2 * sc);
            double error = RelativeError<double>(Channel(sd, rows * sc, channels, ch), expected);
            Assert.True(error <= Tolerance<T>(), $"channel {ch}: {error:E2}");
        }

        // Round trip, and the inverse of arbitrary half spectra = Re of the naive inverse of the Hermitian extension.
        var back = new T[x.Length];
        plan.InverseChannelsLast(spectra, back, channels);
        double roundTrip = RelativeError<T>(back, xd);
        Assert.True(roundTrip <= Tolerance<T>(), $"round trip: {roundTrip:E2}");

        T[] h = Convert<T>(Random(spectra.Length, seed: 77));
        double[] hd = ToDouble<T>(h);
        plan.InverseChannelsLast(h, back, channels);
        double[] backd = ToDouble<T>(back);
        for (int ch = 0; ch < channels; ch++)
        {
            var ext = new double[2 * pixels];
            for (int k = 0; k < rows; k++)
            {
                for (int l = 0; l < cols; l++)
                {
                    bool stored = l < sc;
                    int kk = stored ? k : (rows - k) % rows, ll = stored ? l : cols - l;
                    int at = 2 * ((kk * sc + ll) * channels + ch);
                    ext[2 * (k * cols + l)] = hd[at];
                    ext[2 * (k * cols + l) + 1] = stored ? hd[at + 1] : -hd[at + 1];
                }
            }
            double[] inv = Dft2D(ext, rows, cols, inverse: true);
            var expected = new double[pixels];
            var actual = new double[pixels];
            for (int p = 0; p < pixels; p++)
            {
                expected[p] = inv[2 * p] / pixels;
                actual[p] = backd[p * channels + ch];
            }
            double error = RelativeError<double>(actual, expected);
            Assert.True(error <= Tolerance<T>(), $"inverse channel {ch}: {error:E2}");
        }
    }

    [Fact]
    public void Bad_arguments_throw_with_the_argument_name()
    {
        var plan = Fft2DPlan<float>.Create(4, 4);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => plan.ForwardChannelsLast(new float[32], new float[32], 0)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => plan.ForwardChannelsLast(new float[64], new float[32], 2)).ParamName);
        var real = RealFft2DPlan<float>.Create(4, 4);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => real.ForwardChannelsLast(new float[31], new float[48], 2)).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(
            () => real.ForwardChannelsLast(new float[32], new float[48], 2, new float[10])).ParamName);
    }
}
