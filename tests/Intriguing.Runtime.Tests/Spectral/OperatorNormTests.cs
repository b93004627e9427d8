using Intriguing.Spectral;
using static Intriguing.Tests.Spectral.SpectralTestMatrices;

namespace Intriguing.Tests.Spectral;

public sealed class OperatorNormTests
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>
    /// The three claims of a converged result against a known σ₁: the estimate is a lower bound (up to rounding of
    /// order k·ε·σ₁, allowed as 1e-13 relative), the upper bound is an upper bound, and the bracket is within the
    /// tolerance.
    /// </summary>
    private static void AssertBrackets(SpectralNormResult result, double sigma1, double tolerance)
    {
        Assert.True(result.Converged, $"not converged after {result.Iterations} iterations: {result}");
        Assert.True(result.Estimate <= sigma1 * (1 + 1e-13), $"estimate {result.Estimate:R} above σ₁ = {sigma1:R}");
        Assert.True(result.UpperBound >= sigma1, $"upper bound {result.UpperBound:R} below σ₁ = {sigma1:R} (short by {(sigma1 - result.UpperBound) / sigma1:E2} relative)");
        Assert.True(result.UpperBound - sigma1 <= tolerance * sigma1, $"upper bound {result.UpperBound:R} more than {tolerance} above σ₁ = {sigma1:R}");
        Assert.Equal(result.UpperBound - result.Estimate, result.ErrorEstimate, 4 * Eps * result.UpperBound);
    }

    [Theory]
    [InlineData(Spectrum.Random, 1, 1)]
    [InlineData(Spectrum.Random, 1, 50)]
    [InlineData(Spectrum.Random, 50, 1)]
    [InlineData(Spectrum.Random, 3, 17)]
    [InlineData(Spectrum.Random, 17, 3)]
    [InlineData(Spectrum.Random, 100, 784)]
    [InlineData(Spectrum.Random, 300, 300)]
    [InlineData(Spectrum.ClusteredTop, 3, 17)]
    [InlineData(Spectrum.ClusteredTop, 100, 784)]
    [InlineData(Spectrum.ClusteredTop, 300, 300)]
    [InlineData(Spectrum.IllConditioned, 3, 17)]
    [InlineData(Spectrum.IllConditioned, 100, 784)]
    [InlineData(Spectrum.IllConditioned, 300, 300)]
    public void DoubleMatrixBracketsKnownNorm(Spectrum kind, int rows, int cols)
    {
        var random = new SeededRandom(7 + (ulong)(rows * 1000 + cols));
        double[] s = MakeSpectrum(kind, Math.Min(rows, cols), random);
        double[] a = WithSingularValues(rows, cols, s, random);

        SpectralNormResult result = OperatorNorm.Compute(a, rows, cols);

        // A was formed in double from its factors; that moves σ₁ by about r·ε·σ₁, far below the rounding allowance.
        AssertBrackets(result, s[0], SpectralNormOptions.Default.RelativeTolerance);
    }

    [Theory]
    [InlineData(Spectrum.Random, 100, 784)]
    [InlineData(Spectrum.ClusteredTop, 300, 300)]
    [InlineData(Spectrum.IllConditioned, 784, 100)]
    public void FloatMatrixBracketsJacobiReference(Spectrum kind, int rows, int cols)
    {
        // Rounding to float moves σ₁ by up to ~1e-7 relative, so the reference is the one-sided Jacobi SVD of the
        // float matrix itself (converted exactly to double).
        var random = new SeededRandom(11 + (ulong)(rows * 1000 + cols));
        float[] a = ToFloat(WithSingularValues(rows, cols, MakeSpectrum(kind, Math.Min(rows, cols), random), random));
        double sigma1 = JacobiSvd.SingularValues(a, rows, cols)[0];

        SpectralNormResult result = OperatorNorm.Compute(a, rows, cols);

        AssertBrackets(result, sigma1, SpectralNormOptions.Default.RelativeTolerance);
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-9)]
    public void ToleranceIsHonoured(double tolerance)
    {
        var random = new SeededRandom(99);
        double[] s = MakeSpectrum(Spectrum.Random, 120, random);
        double[] a = WithSingularValues(120, 200, s, random);

        SpectralNormResult result = OperatorNorm.Compute(a, 120, 200, new SpectralNormOptions { RelativeTolerance = tolerance });

        AssertBrackets(result, s[0], tolerance);
        Assert.True(result.ErrorEstimate <= tolerance * result.Estimate);
    }

    [Fact]
    public void OperatorFormOfDenseMatrixGivesTheSameBits()
    {
        var random = new SeededRandom(3);
        float[] a = ToFloat(WithSingularValues(60, 90, MakeSpectrum(Spectrum.Random, 60, random), random));

        SpectralNormResult fromSpan = OperatorNorm.Compute(a, 60, 90);
        SpectralNormResult fromOperator = OperatorNorm.Compute(new DenseMatrixOperator(a, 60, 90));

        Assert.Equal(fromSpan, fromOperator);
    }

    [Fact]
    public void TransposedOperatorMatchesMatrixForm()
    {
        // ‖Aᵀ‖ = ‖A‖; the transposed operator uses independent naive loops, so only the brackets must agree.
        var random = new SeededRandom(4);
        double[] s = MakeSpectrum(Spectrum.Random, 40, random);
        double[] a = WithSingularValues(40, 70, s, random);

        SpectralNormResult matrix = OperatorNorm.Compute(a, 40, 70);
        SpectralNormResult transposed = OperatorNorm.Compute(new TransposedOperator(a, 40, 70));

        AssertBrackets(matrix, s[0], 1e-6);
        AssertBrackets(transposed, s[0], 1e-6);
        Assert.True(Math.Abs(matrix.Estimate - transposed.Estimate) <= 1e-6 * s[0]);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(500)]
    public void ForwardDifferenceOperatorHasClosedFormNorm(int n)
    {
        // σ₁ = 2·cos(π/(2n)); the top singular values crowd together as n grows (relative gap ≈ 1.9e-5 at n = 500).
        double sigma1 = 2 * Math.Cos(Math.PI / (2 * n));

        SpectralNormResult result = OperatorNorm.Compute(new ForwardDifference(n));

        AssertBrackets(result, sigma1, 1e-6);
    }

    [Theory]
    [InlineData(2, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 1.0)]
    [InlineData(5, 0.5)]
    public void TightTopClustersAreNotUnderestimated(int clusterSize, double spacingInTolerances)
    {
        // The hard case for any Krylov method: σ₁ sits in a cluster whose spacing is about the tolerance, so the top
        // Ritz vector is an unresolved mixture for a long time. Diagonal operators (equivalent under orthogonal
        // invariance for a Gaussian start) keep 16 runs × 600 dimensions cheap.
        const int n = 600;
        const double tolerance = 1e-6;
        var random = new SeededRandom(1234 + (ulong)clusterSize);
        for (int run = 0; run < 16; run++)
        {
            double[] d = new double[n];
            double spacing = spacingInTolerances * tolerance;
            for (int i = 0; i < n; i++)
            {
                d[i] = i < clusterSize ? 1 - spacing * i : (1 - clusterSize * spacing - 1e-3) * random.NextDouble();
            }

            var options = new SpectralNormOptions { RelativeTolerance = tolerance, Seed = (ulong)run };
            SpectralNormResult result = OperatorNorm.Compute(new DiagonalOperator(d), options);

            AssertBrackets(result, 1.0, tolerance);
        }
    }

    [Fact]
    public void SameSeedGivesSameBitsAndOtherSeedsStillBracket()
    {
        var random = new SeededRandom(21);
        double[] s = MakeSpectrum(Spectrum.Random, 80, random);
        float[] a = ToFloat(WithSingularValues(80, 150, s, random));
        double sigma1 = JacobiSvd.SingularValues(a, 80, 150)[0];

        SpectralNormResult first = OperatorNorm.Compute(a, 80, 150);
        SpectralNormResult second = OperatorNorm.Compute(a, 80, 150);
        SpectralNormResult otherSeed = OperatorNorm.Compute(a, 80, 150, new SpectralNormOptions { Seed = 12345 });

        Assert.Equal(BitConverter.DoubleToInt64Bits(first.Estimate), BitConverter.DoubleToInt64Bits(second.Estimate));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.UpperBound), BitConverter.DoubleToInt64Bits(second.UpperBound));
        Assert.Equal(first, second);
        AssertBrackets(otherSeed, sigma1, 1e-6);

        // The seed is used: after 5 steps (far from converged) two start vectors give different Ritz values.
        SpectralNormResult fiveSteps = OperatorNorm.Compute(a, 80, 150, new SpectralNormOptions { MaxIterations = 5 });
        SpectralNormResult fiveStepsOtherSeed = OperatorNorm.Compute(a, 80, 150, new SpectralNormOptions { MaxIterations = 5, Seed = 12345 });
        Assert.NotEqual(fiveSteps.Estimate, fiveStepsOtherSeed.Estimate);
    }

    [Fact]
    public void IndependentStartsCombineTheSingleRuns()
    {
        var random = new SeededRandom(22);
        double[] s = MakeSpectrum(Spectrum.ClusteredTop, 120, random);
        double[] a = WithSingularValues(120, 160, s, random);
        var options = new SpectralNormOptions { Seed = 77 };

        SpectralNormResult first = OperatorNorm.Compute(a, 120, 160, options);
        SpectralNormResult second = OperatorNorm.Compute(a, 120, 160, options with { Seed = SeededRandom.Derive(77, 1) });
        SpectralNormResult both = OperatorNorm.Compute(a, 120, 160, options with { IndependentStarts = 2 });

        Assert.Equal(Math.Max(first.Estimate, second.Estimate), both.Estimate);
        Assert.Equal(Math.Max(first.UpperBound, second.UpperBound), both.UpperBound);
        Assert.Equal(first.Iterations + second.Iterations, both.Iterations);
        AssertBrackets(both, s[0], 1e-6);
    }

    [Theory]
    [InlineData(1e-30)]
    [InlineData(1e30)]
    public void ExtremeScalesBracketTheScaledNorm(double scale)
    {
        // Every threshold is relative, so scaling A scales σ₁ and the bracket alike.
        var random = new SeededRandom(71);
        double[] s = MakeSpectrum(Spectrum.Random, 30, random);
        double[] a = WithSingularValues(30, 45, s, random);
        for (int i = 0; i < a.Length; i++) a[i] *= scale;

        SpectralNormResult result = OperatorNorm.Compute(a, 30, 45);

        AssertBrackets(result, s[0] * scale, 1e-6);
    }

    [Fact]
    public void LowRankMatrixStopsAtInvariantSubspace()
    {
        // Rank 3: the Krylov space is invariant after at most 4 steps and the estimate is exact up to rounding.
        var random = new SeededRandom(8);
        double[] s = new double[100];
        s[0] = 5; s[1] = 2; s[2] = 1;
        double[] a = WithSingularValues(100, 784, s, random);

        SpectralNormResult result = OperatorNorm.Compute(a, 100, 784);

        // The bracket is then only the rounding allowance, 2⁻⁴⁴·(k + √(m + n)) ≈ 2e-12 relative here.
        AssertBrackets(result, 5, 1e-11);
        Assert.True(result.Iterations <= 4, $"{result.Iterations} iterations");
    }

    [Fact]
    public void AllocatesOnlyTheKrylovBasesAndSmallArrays()
    {
        // Per call: the two bases (in blocks of 16 vectors) and O(k) work arrays; nothing per step or per product.
        const int rows = 200, cols = 300;
        var random = new SeededRandom(41);
        float[] a = ToFloat(WithSingularValues(rows, cols, MakeSpectrum(Spectrum.Random, rows, random), random));
        var options = new SpectralNormOptions { MaxIterations = 64, RelativeTolerance = 1e-12 };
        OperatorNorm.Compute(a, rows, cols, options);

        long before = GC.GetAllocatedBytesForCurrentThread();
        SpectralNormResult result = OperatorNorm.Compute(a, rows, cols, options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        int blocks = (result.Iterations + 1 + 15) / 16;
        long bases = 8L * 16 * blocks * (rows + cols);
        long small = 8L * 16 * (options.MaxIterations + 1);
        Assert.True(allocated <= bases + small + 4096, $"allocated {allocated} bytes; bases {bases}, small arrays {small}");
    }

    [Fact]
    public void ZeroAndEmptyMatricesHaveNormZero()
    {
        Assert.Equal(new SpectralNormResult(0, 0, 0, 1, true), OperatorNorm.Compute(new float[12], 3, 4));
        Assert.Equal(new SpectralNormResult(0, 0, 0, 0, true), OperatorNorm.Compute(ReadOnlySpan<float>.Empty, 0, 4));
        Assert.Equal(new SpectralNormResult(0, 0, 0, 0, true), OperatorNorm.Compute(ReadOnlySpan<float>.Empty, 4, 0));
    }

    [Fact]
    public void OneByOneIsItsAbsoluteValue()
    {
        SpectralNormResult result = OperatorNorm.Compute([-3f], 1, 1);

        AssertBrackets(result, 3, 1e-12);
        Assert.Equal(3, result.Estimate, 4 * Eps * 3);
    }

    [Fact]
    public void IterationLimitReportsNotConverged()
    {
        var random = new SeededRandom(31);
        double[] s = MakeSpectrum(Spectrum.Random, 200, random);
        double[] a = WithSingularValues(200, 200, s, random);

        SpectralNormResult result = OperatorNorm.Compute(a, 200, 200, new SpectralNormOptions { MaxIterations = 3 });

        Assert.False(result.Converged);
        Assert.Equal(3, result.Iterations);
        Assert.True(result.Estimate <= s[0]);
        Assert.True(result.ErrorEstimate > SpectralNormOptions.Default.RelativeTolerance * result.Estimate);
    }

    [Theory]
    [InlineData(Spectrum.Random, 40, 90)]
    [InlineData(Spectrum.ClusteredTop, 60, 60)]
    [InlineData(Spectrum.IllConditioned, 90, 40)]
    public void CertifiedBoundIsAboveSigma1AndTheLanczosBound(Spectrum kind, int rows, int cols)
    {
        var random = new SeededRandom(51 + (ulong)rows);
        float[] a = ToFloat(WithSingularValues(rows, cols, MakeSpectrum(kind, Math.Min(rows, cols), random), random));
        double sigma1 = JacobiSvd.SingularValues(a, rows, cols)[0];

        double certified = OperatorNorm.CertifiedUpperBound(a, rows, cols);

        Assert.True(certified >= sigma1);
        Assert.True(certified >= OperatorNorm.Compute(a, rows, cols).Estimate);
    }

    [Fact]
    public void CertifiedBoundIsTightWhereItShouldBe()
    {
        // Rank one x·yᵀ: ‖A‖_F = σ₁. Diagonal: ‖A‖₁ = ‖A‖_∞ = max|dᵢ| = σ₁. Both only inflated by rounding terms.
        float[] rankOne = new float[3 * 4];
        float[] x = [1, -2, 0.5f], y = [3, 1, -1, 2];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++) rankOne[i * 4 + j] = x[i] * y[j];
        }

        double rankOneNorm = Math.Sqrt(1 + 4 + 0.25) * Math.Sqrt(9 + 1 + 1 + 4);
        double rankOneBound = OperatorNorm.CertifiedUpperBound(rankOne, 3, 4);
        Assert.InRange(rankOneBound, rankOneNorm, rankOneNorm * (1 + 1e-14));

        float[] diagonal = new float[25];
        for (int i = 0; i < 5; i++) diagonal[i * 5 + i] = i - 3.5f;
        double diagonalBound = OperatorNorm.CertifiedUpperBound(diagonal, 5, 5);
        Assert.InRange(diagonalBound, 3.5, 3.5 * (1 + 1e-14));

        Assert.Equal(0, OperatorNorm.CertifiedUpperBound(ReadOnlySpan<float>.Empty, 0, 3));
        Assert.Equal(0, OperatorNorm.CertifiedUpperBound(new float[6], 2, 3));
        Assert.Throws<ArgumentException>(() => OperatorNorm.CertifiedUpperBound([float.NaN], 1, 1));
    }

    private sealed class WrongAdjoint(int n) : ILinearOperator
    {
        // Apply is the forward difference; ApplyAdjoint wrongly applies it again (padded), not its transpose.
        private readonly ForwardDifference _d = new(n);

        public int InputLength => n;

        public int OutputLength => n - 1;

        public void Apply(ReadOnlySpan<double> x, Span<double> y) => _d.Apply(x, y);

        public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x)
        {
            for (int j = 0; j < n; j++) x[j] = j < n - 2 ? y[j + 1] - y[j] : 0;
        }
    }

    [Fact]
    public void AdjointMismatchSeparatesRightFromWrongAdjoints()
    {
        var random = new SeededRandom(61);
        double[] a = WithSingularValues(30, 50, MakeSpectrum(Spectrum.Random, 30, random), random);

        Assert.True(OperatorNorm.AdjointMismatch(new ForwardDifference(100)) < 1e-15);
        Assert.True(OperatorNorm.AdjointMismatch(new TransposedOperator(a, 30, 50)) < 1e-14);
        Assert.True(OperatorNorm.AdjointMismatch(new DenseMatrixOperator(ToFloat(a), 30, 50)) < 1e-14);
        Assert.True(OperatorNorm.AdjointMismatch(new WrongAdjoint(100)) > 1e-3);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(new float[4], -1, 2));
        ArgumentException shortMatrix = Assert.Throws<ArgumentException>(() => OperatorNorm.Compute(new float[5], 2, 3));
        Assert.Equal("matrix", shortMatrix.ParamName);
        Assert.Throws<ArgumentNullException>(() => OperatorNorm.Compute(null!));
        Assert.Throws<ArgumentException>(() => new DenseMatrixOperator(new float[3], 2, 2));

        float[] a = [1, 2, 3, 4];
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { RelativeTolerance = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { RelativeTolerance = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { RelativeTolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { ResidualWindowFraction = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { IndependentStarts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatorNorm.Compute(a, 2, 2, new SpectralNormOptions { RelativeSafetyMargin = 1e-6 }));

        var operatorForm = new DenseMatrixOperator(a, 2, 2);
        Assert.Throws<ArgumentException>(() => operatorForm.Apply(new double[3], new double[2]));
        Assert.Throws<ArgumentException>(() => operatorForm.ApplyAdjoint(new double[2], new double[1]));
    }

    [Fact]
    public void NonFiniteEntriesAreReported()
    {
        Assert.Throws<InvalidOperationException>(() => OperatorNorm.Compute([1f, float.NaN, 0f, 1f], 2, 2));
        Assert.Throws<InvalidOperationException>(() => OperatorNorm.Compute([1f, float.PositiveInfinity, 0f, 1f], 2, 2));
    }
}
