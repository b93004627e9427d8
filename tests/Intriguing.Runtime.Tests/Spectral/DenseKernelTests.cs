using Intriguing.Spectral;

namespace Intriguing.Tests.Spectral;

public sealed class DenseKernelTests
{
    // Every vector width and tail: 0 … 3·Vector512<float>.Count + 1.
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 49; n++) data.Add(n);
        return data;
    }

    private static (float[] A, double[] X) Inputs(int n, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] a = new float[n];
        double[] x = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)random.NextGaussian();
            x[i] = random.NextGaussian();
        }

        return (a, x);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotWidenMatchesScalarDouble(int n)
    {
        (float[] a, double[] x) = Inputs(n, (ulong)n);
        double expected = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            expected += (double)a[i] * x[i];
            magnitude += Math.Abs((double)a[i] * x[i]);
        }

        double actual = DenseKernels.DotWiden(a, x);

        // Two different double summation orders differ by at most 2n·ε·Σ|aᵢxᵢ|.
        Assert.True(Math.Abs(actual - expected) <= 2 * n * 2.220446049250313e-16 * magnitude, $"n={n}: {actual:R} vs {expected:R}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AxpyWidenMatchesScalarDouble(int n)
    {
        (float[] a, double[] x) = Inputs(n, 1000 + (ulong)n);
        double c = -0.75;
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = x[i] + c * a[i];

        DenseKernels.AxpyWiden(c, a, x);

        for (int i = 0; i < n; i++) Assert.Equal(expected[i], x[i], 2 * 2.220446049250313e-16 * (Math.Abs(expected[i]) + Math.Abs(c * a[i])));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AxpyWidenFusesEachElementAsTheScalarFormula(int n)
    {
        (float[] a, double[] x) = Inputs(n, 2000 + (ulong)n);
        double c = 0.3;
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = Math.FusedMultiplyAdd(a[i], c, x[i]);

        DenseKernels.AxpyWiden(c, a, x);

        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(x[i]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(17, 3)]
    [InlineData(5, 33)]
    public void MatrixProductsMatchNaiveLoops(int rows, int cols)
    {
        var random = new SeededRandom(77);
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.Length; i++) a[i] = (float)random.NextGaussian();
        double[] x = new double[cols], y = new double[rows];
        for (int j = 0; j < cols; j++) x[j] = random.NextGaussian();
        for (int i = 0; i < rows; i++) y[i] = random.NextGaussian();
        double[] ad = SpectralTestMatrices.ToDouble(a);

        double[] ax = new double[rows], aty = new double[cols], axd = new double[rows], atyd = new double[cols];
        DenseKernels.Multiply(a, rows, cols, x, ax);
        DenseKernels.MultiplyTransposed(a, rows, cols, y, aty);
        DenseKernels.Multiply(ad, rows, cols, x, axd);
        DenseKernels.MultiplyTransposed(ad, rows, cols, y, atyd);

        for (int i = 0; i < rows; i++)
        {
            double expected = 0;
            for (int j = 0; j < cols; j++) expected += a[i * cols + j] * x[j];
            Assert.Equal(expected, ax[i], 1e-13);
            Assert.Equal(expected, axd[i], 1e-13);
        }

        for (int j = 0; j < cols; j++)
        {
            double expected = 0;
            for (int i = 0; i < rows; i++) expected += a[i * cols + j] * y[i];
            Assert.Equal(expected, aty[j], 1e-13);
            Assert.Equal(expected, atyd[j], 1e-13);
        }
    }
}
