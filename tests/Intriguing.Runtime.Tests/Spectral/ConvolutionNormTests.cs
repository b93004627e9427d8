using Intriguing.Spectral;
using Xunit.Abstractions;

namespace Intriguing.Tests.Spectral;

public sealed class ConvolutionNormTests
{
    private readonly ITestOutputHelper _output;

    public ConvolutionNormTests(ITestOutputHelper output) => _output = output;

    /// <summary>Circular padding: the Fourier value is the exact norm; compared with the dense SVD of the explicit operator.</summary>
    [Theory]
    [InlineData(2, 3, 3, 3, 8, 8, 1, 1, 1)]
    [InlineData(2, 3, 3, 3, 8, 8, 2, 2, 1)]
    [InlineData(3, 2, 3, 2, 8, 6, 2, 3, 0)]   // non-square kernel, map and stride
    [InlineData(1, 4, 4, 4, 8, 8, 4, 4, 0)]   // stride equal to the kernel
    [InlineData(4, 1, 5, 3, 10, 9, 1, 3, 2)]  // D < C·L with a single output channel
    [InlineData(3, 5, 2, 2, 6, 6, 3, 3, 0)]   // stride larger than the kernel (D > C·L)
    [InlineData(2, 2, 3, 3, 7, 7, 1, 1, 1)]   // odd map
    public void CircularMatchesDenseSvd(int c, int d, int kh, int kw, int h, int w, int sy, int sx, int p)
    {
        var shape = new ConvolutionShape(c, d, kh, kw, h, w, sy, sx, p, PaddingMode.Circular);
        float[] weights = ExplicitConvolution.RandomWeights(shape, 100 + (ulong)(c * 7 + d * 13 + kh * 31 + sy * 101));
        double exact = new ExplicitConvolution(weights, shape).DenseNorm();

        foreach (int method in new[] { 1, 2 })
        {
            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { GramMethod = method });
            _output.WriteLine($"{shape}, Gram method {method}: exact {exact:R}, estimate {r.Estimate:R}, bound {r.UpperBound:R}");
            AssertCircular(r, exact);
        }
    }

    private static void AssertCircular(ConvolutionNormResult r, double exact)
    {
        Assert.True(r.Exact);
        Assert.True(Math.Abs(r.UpperBound - exact) <= 1e-4 * exact, $"bound {r.UpperBound:R} vs exact {exact:R}");
        Assert.True(r.UpperBound >= exact, $"bound {r.UpperBound:R} below exact {exact:R}");
        Assert.True(r.Estimate <= exact * (1 + 1e-12), $"estimate {r.Estimate:R} above exact {exact:R}");
        Assert.True(r.RelativeGap <= 1.1e-6, $"gap {r.RelativeGap}");
    }

    /// <summary>Zero padding: the Fourier value on the periodic map bounds the explicit norm, and not absurdly.</summary>
    [Theory]
    [InlineData(2, 3, 3, 3, 8, 8, 1, 1, 1)]
    [InlineData(2, 3, 3, 3, 8, 8, 2, 2, 1)]
    [InlineData(3, 2, 3, 2, 7, 6, 2, 3, 0)]
    [InlineData(2, 2, 5, 5, 6, 6, 1, 1, 2)]
    [InlineData(1, 3, 3, 3, 5, 5, 2, 2, 3)]   // padding larger than the kernel: some outputs read only zeros
    [InlineData(3, 4, 11, 11, 13, 13, 4, 4, 2)] // AlexNet conv 1 in miniature
    public void ZeroPaddingBoundsDenseSvd(int c, int d, int kh, int kw, int h, int w, int sy, int sx, int p)
    {
        var shape = new ConvolutionShape(c, d, kh, kw, h, w, sy, sx, p, PaddingMode.Zero);
        float[] weights = ExplicitConvolution.RandomWeights(shape, 200 + (ulong)(c * 7 + d * 13 + kh * 31 + sy * 101));
        double exact = new ExplicitConvolution(weights, shape).DenseNorm();

        foreach (int method in new[] { 1, 2 })
        {
            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { GramMethod = method });
            _output.WriteLine($"{shape}, Gram method {method}: exact {exact:R}, estimate {r.Estimate:R}, bound {r.UpperBound:R}, ratio {r.UpperBound / exact:F4}");
            Assert.False(r.Exact);
            Assert.True(r.UpperBound >= exact, $"bound {r.UpperBound:R} below exact {exact:R}");
            Assert.True(r.UpperBound <= 2 * exact, $"bound {r.UpperBound:R} more than twice exact {exact:R}");
        }
    }

    /// <summary>Larger shapes: against Lanczos in double on the explicit operator (loops, adjoint included).</summary>
    [Theory]
    [InlineData(16, 24, 3, 12, 1, PaddingMode.Circular)]
    [InlineData(24, 16, 3, 12, 2, PaddingMode.Circular)]
    [InlineData(12, 16, 3, 12, 1, PaddingMode.Zero)]
    [InlineData(8, 12, 5, 12, 1, PaddingMode.Circular)]
    [InlineData(6, 32, 7, 16, 4, PaddingMode.Circular)]
    public void LargerShapesMatchLanczosOnExplicitOperator(int c, int d, int k, int n, int stride, PaddingMode mode)
    {
        var shape = ConvolutionShape.Square(c, d, k, n, stride, k / 2, mode);
        float[] weights = ExplicitConvolution.RandomWeights(shape, 300 + (ulong)(c + d + k + n + stride));
        var op = new ExplicitConvolution(weights, shape);
        Assert.True(OperatorNorm.AdjointMismatch(op) < 1e-13);
        SpectralNormResult reference = OperatorNorm.Compute(op, new SpectralNormOptions { RelativeTolerance = 1e-9, IndependentStarts = 2 });

        ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { GramMethod = stride == 1 ? 2 : 0 });

        _output.WriteLine($"{shape}: Lanczos [{reference.Estimate:R}, {reference.UpperBound:R}], ours [{r.Estimate:R}, {r.UpperBound:R}], refined {r.Refined}");
        Assert.True(reference.Converged);
        Assert.True(r.UpperBound >= reference.UpperBound, "bound below the Lanczos bracket of the explicit operator");
        if (mode == PaddingMode.Circular)
        {
            Assert.True(r.UpperBound - reference.Estimate <= 1e-5 * reference.Estimate);
            Assert.True(Math.Abs(r.Estimate - reference.Estimate) <= 1e-8 * reference.Estimate);
        }
        else
        {
            Assert.True(r.UpperBound <= 1.5 * reference.Estimate);
        }
    }

    /// <summary>Never low: many random small layers (random sizes, strides, padding modes) against the dense SVD.</summary>
    [Fact]
    public void NeverBelowDenseNormOverRandomLayers()
    {
        var random = new SeededRandom(0xC0FFEE);
        int checkedLayers = 0;
        for (int trial = 0; trial < 150; trial++)
        {
            int c = 1 + random.NextInt(4), d = 1 + random.NextInt(4);
            int kh = 1 + random.NextInt(4), kw = 1 + random.NextInt(4);
            int sy = 1 + random.NextInt(3), sx = 1 + random.NextInt(3);
            bool circular = random.NextInt(2) == 0;
            int h = Math.Max(kh, 2 + random.NextInt(7)), w = Math.Max(kw, 2 + random.NextInt(7));
            if (circular)
            {
                h = (h + sy - 1) / sy * sy;
                w = (w + sx - 1) / sx * sx;
            }

            int p = random.NextInt(3);
            var shape = new ConvolutionShape(c, d, kh, kw, h, w, sy, sx, p, circular ? PaddingMode.Circular : PaddingMode.Zero);
            float[] weights = ExplicitConvolution.RandomWeights(shape, random.NextUInt64());
            // Some layers with one dominant tap or a low-rank structure, where top singular values cluster.
            if (trial % 5 == 0) Array.Fill(weights, 0.25f);
            if (trial % 7 == 0) weights[random.NextInt(weights.Length)] = 3;
            double exact = new ExplicitConvolution(weights, shape).DenseNorm();

            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { GramMethod = 1 + trial % 2 });

            Assert.True(r.UpperBound >= exact, $"trial {trial}, {shape}: bound {r.UpperBound:R} below exact {exact:R}");
            Assert.True(r.Estimate <= r.UpperBound);
            if (circular)
            {
                Assert.True(r.UpperBound - exact <= 1e-5 * exact, $"trial {trial}, {shape}: bound {r.UpperBound:R} vs exact {exact:R}");
                Assert.True(r.Estimate <= exact * (1 + 1e-12), $"trial {trial}, {shape}: estimate {r.Estimate:R} above exact {exact:R}");
            }

            checkedLayers++;
        }

        Assert.Equal(150, checkedLayers);
    }

    [Fact]
    public void IdentityKernelHasNormOne()
    {
        var shape = ConvolutionShape.Square(3, 3, 3, 8, 1, 1, PaddingMode.Circular);
        float[] weights = new float[shape.WeightCount];
        for (int ch = 0; ch < 3; ch++) weights[((ch * 3 + ch) * 3 + 1) * 3 + 1] = 1;
        ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape);
        Assert.InRange(r.Estimate, 1 - 1e-12, 1 + 1e-12);
        Assert.InRange(r.UpperBound, 1, 1 + 2e-6);
    }

    [Fact]
    public void ZeroWeightsGiveZero()
    {
        var shape = ConvolutionShape.Square(2, 3, 3, 6, 1, 1);
        ConvolutionNormResult r = ConvolutionNorm.Compute(new float[shape.WeightCount], shape);
        Assert.Equal(0, r.Estimate);
        Assert.InRange(r.UpperBound, 0, 1e-300);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    public void SameBitsForAnyThreadCount(int stride, int method)
    {
        var shape = ConvolutionShape.Square(8, 12, 3, 12, stride, 1);
        float[] weights = ExplicitConvolution.RandomWeights(shape, 5);
        ConvolutionNormResult one = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { MaxDegreeOfParallelism = 1, GramMethod = method });
        ConvolutionNormResult two = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { MaxDegreeOfParallelism = 2, GramMethod = method });
        ConvolutionNormResult four = ConvolutionNorm.Compute(weights, shape, new ConvolutionNormOptions { MaxDegreeOfParallelism = 4, GramMethod = method });
        Assert.Equal(one, two);
        Assert.Equal(one, four);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionShape.Square(0, 1, 3, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionShape.Square(1, 1, 9, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionShape.Square(1, 1, 3, 9, 2, 0, PaddingMode.Circular));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionShape.Square(1, 1, 3, 8, 1, -1));
        var shape = ConvolutionShape.Square(2, 2, 3, 8);
        Assert.Throws<ArgumentException>(() => ConvolutionNorm.Compute(new float[5], shape));
        float[] nan = new float[shape.WeightCount];
        nan[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => ConvolutionNorm.Compute(nan, shape));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvolutionNorm.Compute(new float[shape.WeightCount], shape, new ConvolutionNormOptions { RelativeTolerance = 0 }));
    }
}

public sealed unsafe class ConvolutionNormKernelTests
{
    /// <summary>The complex Cholesky kernel: L·Lᴴ reproduces M (sizes around the 4-wide and 2-column blocking), and an indefinite M is refused.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(33)]
    public void CholeskyReproducesTheMatrix(int n)
    {
        int stride = (n + 3) & ~3;
        var random = new SeededRandom((ulong)n);
        // M = X·Xᴴ + I with complex X (n × n), stored as its lower triangle.
        double[] xr = new double[n * n], xi = new double[n * n];
        for (int i = 0; i < n * n; i++)
        {
            xr[i] = random.NextGaussian();
            xi[i] = random.NextGaussian();
        }

        double[] mr = new double[n * stride], mi = new double[n * stride];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double re = i == j ? 1 : 0, im = 0;
                for (int k = 0; k < n; k++)
                {
                    re += xr[i * n + k] * xr[j * n + k] + xi[i * n + k] * xi[j * n + k];
                    im += xi[i * n + k] * xr[j * n + k] - xr[i * n + k] * xi[j * n + k];
                }

                mr[i * stride + j] = re;
                mi[i * stride + j] = i == j ? 0 : im;
            }
        }

        double[] lr = (double[])mr.Clone(), li = (double[])mi.Clone();
        bool ok;
        double frob;
        fixed (double* pr = lr, pi = li) ok = ConvolutionNormKernels.CholeskyLower(pr, pi, n, stride, out frob);
        Assert.True(ok);
        double frobCheck = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double re = 0, im = 0;
                for (int k = 0; k <= j; k++)
                {
                    // (L·Lᴴ)_ij = Σ_k L_ik·conj(L_jk)
                    re += lr[i * stride + k] * lr[j * stride + k] + li[i * stride + k] * li[j * stride + k];
                    im += li[i * stride + k] * lr[j * stride + k] - lr[i * stride + k] * li[j * stride + k];
                }

                Assert.Equal(mr[i * stride + j], re, 1e-9 * n);
                Assert.Equal(mi[i * stride + j], im, 1e-9 * n);
                frobCheck += lr[i * stride + j] * lr[i * stride + j] + li[i * stride + j] * li[i * stride + j];
            }
        }

        Assert.Equal(frobCheck, frob, 1e-9 * frobCheck);

        // M − (λ_max + 1)·I is negative definite: the factorisation must fail.
        double[] nr = (double[])mr.Clone(), ni = (double[])mi.Clone();
        double trace = 0;
        for (int i = 0; i < n; i++) trace += mr[i * stride + i];
        for (int i = 0; i < n; i++) nr[i * stride + i] -= trace + 1;
        fixed (double* pr = nr, pi = ni) ok = ConvolutionNormKernels.CholeskyLower(pr, pi, n, stride, out _);
        Assert.False(ok);
    }
}
