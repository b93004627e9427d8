using System.Numerics;
using static Intriguing.Fourier.Tests.NaiveDft;

namespace Intriguing.Fourier.Tests;

public class RealFftPlanTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 1; n <= 64; n++) data.Add(n);
        data.Add(97);
        data.Add(194);
        data.Add(1009);
        return data;
    }

    private static double[] Complexify(ReadOnlySpan<double> real)
    {
        var z = new double[2 * real.Length];
        for (int i = 0; i < real.Length; i++) z[2 * i] = real[i];
        return z;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Real_1d_matches_naive_dft_float(int n) => Real1D<float>(n);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Real_1d_matches_naive_dft_double(int n) => Real1D<double>(n);

    private static void Real1D<T>(int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = RealFftPlan<T>.Create(n);
        T[] x = Convert<T>(Random(n, seed: n + 5));
        double[] full = Dft(Complexify(ToDouble<T>(x)));
        var spectrum = new T[2 * plan.SpectrumLength];
        plan.Forward(x, spectrum);
        double error = RelativeError<T>(spectrum, full.AsSpan(0, spectrum.Length));
        Assert.True(error <= Tolerance<T>(), $"forward n={n}: {error:E2}");

        // Inverse of an arbitrary half spectrum = Re of the naive inverse of its Hermitian extension / n.
        T[] h = Convert<T>(Random(2 * plan.SpectrumLength, seed: n + 6));
        double[] hd = ToDouble<T>(h);
        var ext = new double[2 * n];
        for (int k = 0; k < n; k++)
        {
            int src = k <= n / 2 ? k : n - k;
            ext[2 * k] = hd[2 * src];
            ext[2 * k + 1] = k <= n / 2 ? hd[2 * src + 1] : -hd[2 * src + 1];
        }
        double[] inv = Dft(ext, inverse: true);
        double[] expected = Enumerable.Range(0, n).Select(j => inv[2 * j] / n).ToArray();
        var back = new T[n];
        plan.Inverse(h, back);
        error = RelativeError<T>(back, expected);
        Assert.True(error <= Tolerance<T>(), $"inverse n={n}: {error:E2}");

        plan.Inverse(spectrum, back);
        error = RelativeError<T>(back, ToDouble<T>(x));
        Assert.True(error <= Tolerance<T>(), $"round trip n={n}: {error:E2}");
    }

    public static TheoryData<int, int> Sizes() => new()
    {
        { 8, 8 }, { 13, 13 }, { 28, 28 }, { 55, 55 }, { 1, 1 }, { 1, 6 }, { 5, 1 }, { 6, 9 }, { 9, 6 }, { 2, 37 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Real_2d_batch_matches_naive_dft_float(int rows, int cols) => Real2D<float>(rows, cols);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Real_2d_batch_matches_naive_dft_double(int rows, int cols) => Real2D<double>(rows, cols);

    private static void Real2D<T>(int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Count = 3; // one pair and one single channel
        var plan = RealFft2DPlan<T>.Create(rows, cols);
        int sc = cols / 2 + 1, n = rows * cols;
        T[] x = Convert<T>(Random(Count * n, seed: rows * 31 + cols));
        var spectra = new T[Count * plan.SpectrumLength];
        plan.ForwardBatch(x, spectra, Count);
        for (int c = 0; c < Count; c++)
        {
            double[] full = Dft2D(Complexify(ToDouble<T>(x.AsSpan(c * n, n))), rows, cols);
            var half = new double[2 * rows * sc];
            for (int k = 0; k < rows; k++) Array.Copy(full, 2 * k * cols, half, 2 * k * sc, 2 * sc);
            double error = RelativeError<T>(spectra.AsSpan(c * plan.SpectrumLength, plan.SpectrumLength), half);
            Assert.True(error <= Tolerance<T>(), $"forward {rows}×{cols} channel {c}: {error:E2}");

            var single = new T[plan.SpectrumLength];
            plan.Forward(x.AsSpan(c * n, n), single);
            error = RelativeError<T>(single, half);
            Assert.True(error <= Tolerance<T>(), $"single forward {rows}×{cols} channel {c}: {error:E2}");
        }

        var back = new T[Count * n];
        plan.InverseBatch(spectra, back, Count);
        double roundTrip = RelativeError<T>(back, ToDouble<T>(x));
        Assert.True(roundTrip <= Tolerance<T>(), $"round trip {rows}×{cols}: {roundTrip:E2}");

        // Inverse of arbitrary (non-Hermitian-consistent) half spectra = Re of the naive inverse of the extension.
        T[] h = Convert<T>(Random(Count * plan.SpectrumLength, seed: 3));
        plan.InverseBatch(h, back, Count);
        for (int c = 0; c < Count; c++)
        {
            double[] hd = ToDouble<T>(h.AsSpan(c * plan.SpectrumLength, plan.SpectrumLength));
            var ext = new double[2 * n];
            for (int k = 0; k < rows; k++)
            {
                for (int l = 0; l < cols; l++)
                {
                    bool stored = l < sc;
                    int kk = stored ? k : (rows - k) % rows, ll = stored ? l : cols - l;
                    ext[2 * (k * cols + l)] = hd[2 * (kk * sc + ll)];
                    ext[2 * (k * cols + l) + 1] = stored ? hd[2 * (kk * sc + ll) + 1] : -hd[2 * (kk * sc + ll) + 1];
                }
            }
            double[] inv = Dft2D(ext, rows, cols, inverse: true);
            double[] expected = Enumerable.Range(0, n).Select(j => inv[2 * j] / n).ToArray();
            double error = RelativeError<T>(back.AsSpan(c * n, n), expected);
            Assert.True(error <= Tolerance<T>(), $"inverse {rows}×{cols} channel {c}: {error:E2}");
        }
    }

    [Theory]
    [InlineData(13, 13, 3, 3)]
    [InlineData(8, 6, 5, 4)]
    [InlineData(27, 27, 27, 27)]
    public void Padded_batch_matches_naive_dft_of_zero_padded_arrays(int rows, int cols, int kRows, int kCols)
    {
        const int Count = 5;
        var plan = RealFft2DPlan<double>.Create(rows, cols);
        int sc = cols / 2 + 1;
        double[] kernels = Random(Count * kRows * kCols, seed: kRows * 7 + kCols);
        var spectra = new double[Count * plan.SpectrumLength];
        plan.ForwardBatchPadded(kernels, kRows, kCols, spectra, Count);
        for (int c = 0; c < Count; c++)
        {
            var padded = new double[2 * rows * cols];
            for (int r = 0; r < kRows; r++)
            {
                for (int q = 0; q < kCols; q++) padded[2 * (r * cols + q)] = kernels[c * kRows * kCols + r * kCols + q];
            }
            double[] full = Dft2D(padded, rows, cols);
            var half = new double[2 * rows * sc];
            for (int k = 0; k < rows; k++) Array.Copy(full, 2 * k * cols, half, 2 * k * sc, 2 * sc);
            double error = RelativeError<double>(spectra.AsSpan(c * plan.SpectrumLength, plan.SpectrumLength), half);
            Assert.True(error <= 1e-12, $"channel {c}: {error:E2}");
        }
        Assert.Equal("inputRows", Assert.Throws<ArgumentOutOfRangeException>(
            () => plan.ForwardBatchPadded(kernels, rows + 1, kCols, spectra, Count)).ParamName);
    }

    [Fact]
    public void Bad_arguments_throw_with_the_argument_name()
    {
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => RealFftPlan<double>.Create(0)).ParamName);
        var plan = RealFftPlan<double>.Create(8);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => plan.Forward(new double[8], new double[8])).ParamName);
        var plan2 = RealFft2DPlan<float>.Create(4, 5);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => plan2.ForwardBatch(new float[40], new float[24], 2)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => plan2.ForwardBatch(new float[39], new float[48], 2)).ParamName);
    }
}
