using Intriguing.Spectral;
using static Intriguing.Tests.Spectral.SpectralTestMatrices;

namespace Intriguing.Tests.Spectral;

public sealed class JacobiSvdTests
{
    private const double Eps = 2.220446049250313e-16;

    [Theory]
    [InlineData(3.0, 4.0, 5.0)]
    [InlineData(1.0, 0.0, 1.0)]
    [InlineData(-2.0, 7.0, 0.5)]
    [InlineData(1e-8, 1.0, 1e-8)]
    [InlineData(0.0, 1.0, 0.0)]
    public void UpperTriangular2x2MatchesClosedForm(double a, double b, double c)
    {
        // For [[a, b], [0, c]]: σ = (√((a+c)² + b²) ± √((a−c)² + b²)) / 2.
        double p = Math.Sqrt((a + c) * (a + c) + b * b), q = Math.Sqrt((a - c) * (a - c) + b * b);
        double s1 = (p + q) / 2, s2 = Math.Abs(p - q) / 2;

        double[] s = JacobiSvd.SingularValues([a, b, 0, c], 2, 2);

        Assert.Equal(s1, s[0], 4 * Eps * s1);
        Assert.Equal(s2, s[1], 4 * Eps * s1);
    }

    [Fact]
    public void DiagonalGivesSortedAbsoluteValues()
    {
        double[] d = [0.5, -3, 2, 0, -1e-9];
        double[] a = new double[25];
        for (int i = 0; i < 5; i++) a[i * 5 + i] = d[i];

        double[] s = JacobiSvd.SingularValues(a, 5, 5);

        Assert.Equal([3, 2, 0.5, 1e-9, 0], s);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(7, 1)]
    [InlineData(4, 9)]
    [InlineData(9, 4)]
    public void RankOneHasNormProductAndZeros(int rows, int cols)
    {
        var random = new SeededRandom(17);
        double[] x = new double[rows], y = new double[cols];
        for (int i = 0; i < rows; i++) x[i] = random.NextGaussian();
        for (int j = 0; j < cols; j++) y[j] = random.NextGaussian();
        double[] a = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++) a[i * cols + j] = x[i] * y[j];
        }

        double norm = Math.Sqrt(x.Sum(t => t * t)) * Math.Sqrt(y.Sum(t => t * t));
        SingularValueDecomposition svd = JacobiSvd.Decompose(a, rows, cols);

        Assert.Equal(norm, svd.SingularValues[0], 8 * Eps * norm);
        for (int i = 1; i < svd.Count; i++) Assert.True(svd.SingularValues[i] <= 8 * Eps * norm, $"s[{i}] = {svd.SingularValues[i]}");
        Assert.True(OrthonormalityError(svd.U!, rows, svd.Count) < 1e-14);
        Assert.True(OrthonormalityError(svd.V!, cols, svd.Count) < 1e-14);
    }

    [Fact]
    public void AllOnesHasSqrtOfSize()
    {
        double[] a = Enumerable.Repeat(1.0, 3 * 5).ToArray();

        double[] s = JacobiSvd.SingularValues(a, 3, 5);

        Assert.Equal(Math.Sqrt(15), s[0], 4 * Eps * 4);
        Assert.True(s[1] < 1e-15 && s[2] < 1e-15);
    }

    [Fact]
    public void ZeroMatrixGivesZerosAndOrthonormalVectors()
    {
        SingularValueDecomposition svd = JacobiSvd.Decompose(new double[4 * 6], 4, 6);

        Assert.All(svd.SingularValues, s => Assert.Equal(0, s));
        Assert.True(OrthonormalityError(svd.U!, 4, 4) < 1e-15);
        Assert.True(OrthonormalityError(svd.V!, 6, 4) < 1e-15);
    }

    [Fact]
    public void EmptyMatrixGivesNoValues()
    {
        Assert.Empty(JacobiSvd.SingularValues(ReadOnlySpan<double>.Empty, 0, 3));
        Assert.Empty(JacobiSvd.SingularValues(ReadOnlySpan<double>.Empty, 3, 0));
    }

    [Theory]
    [InlineData(Spectrum.Random, 20, 20)]
    [InlineData(Spectrum.Random, 30, 12)]
    [InlineData(Spectrum.Random, 12, 30)]
    [InlineData(Spectrum.ClusteredTop, 25, 25)]
    [InlineData(Spectrum.ClusteredTop, 40, 15)]
    [InlineData(Spectrum.IllConditioned, 25, 25)]
    [InlineData(Spectrum.IllConditioned, 15, 40)]
    public void RecoversKnownSpectrumAndVectors(Spectrum kind, int rows, int cols)
    {
        var random = new SeededRandom(2013 + (ulong)(rows * 100 + cols));
        int r = Math.Min(rows, cols);
        double[] expected = MakeSpectrum(kind, r, random);
        double[] a = WithSingularValues(rows, cols, expected, random);

        SingularValueDecomposition svd = JacobiSvd.Decompose(a, rows, cols);

        // Backward stability: each singular value within a small multiple of ε·‖A‖ (this also absorbs the rounding
        // made when A was formed from its factors, of order r·ε·‖A‖).
        double tolerance = 16 * Math.Max(rows, cols) * Eps * expected[0];
        for (int i = 0; i < r; i++)
        {
            Assert.True(Math.Abs(svd.SingularValues[i] - expected[i]) <= tolerance, $"s[{i}] = {svd.SingularValues[i]:R}, expected {expected[i]:R}");
        }

        // Clustered values 1e-6 apart are still told apart in order.
        for (int i = 1; i < r; i++) Assert.True(svd.SingularValues[i] <= svd.SingularValues[i - 1]);

        Assert.True(OrthonormalityError(svd.U!, rows, r) < 64 * rows * Eps);
        Assert.True(OrthonormalityError(svd.V!, cols, r) < 64 * cols * Eps);

        // Reconstruction A = U·diag(s)·Vᵀ, naive loops.
        double worst = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int k = 0; k < r; k++) sum += svd.U![i * r + k] * svd.SingularValues[k] * svd.V![j * r + k];
                worst = Math.Max(worst, Math.Abs(sum - a[i * cols + j]));
            }
        }

        Assert.True(worst <= tolerance, $"reconstruction error {worst:R}");
    }

    [Fact]
    public void FloatOverloadMatchesExactDoubleConversion()
    {
        var random = new SeededRandom(5);
        float[] a = new float[6 * 4];
        for (int i = 0; i < a.Length; i++) a[i] = (float)random.NextGaussian();

        Assert.Equal(JacobiSvd.SingularValues(ToDouble(a), 6, 4), JacobiSvd.SingularValues(a, 6, 4));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JacobiSvd.SingularValues(new double[4], -1, 2));
        ArgumentException shortMatrix = Assert.Throws<ArgumentException>(() => JacobiSvd.SingularValues(new double[5], 2, 3));
        Assert.Contains("2 × 3", shortMatrix.Message);
        Assert.Throws<ArgumentException>(() => JacobiSvd.SingularValues([1, double.NaN], 1, 2));
    }
}
