using Intriguing.Spectral;
using Xunit.Abstractions;

namespace Intriguing.Tests.Spectral;

public sealed class NonlinearLayerBoundsTests
{
    private readonly ITestOutputHelper _output;

    public NonlinearLayerBoundsTests(ITestOutputHelper output) => _output = output;

    /// <summary>Max-pooling written from its definition (one channel, −∞ padding), for the explicit Jacobian.</summary>
    private static double[] MaxPool(double[] x, int h, int w, int size, int stride, int padding)
    {
        int ho = (h + 2 * padding - size) / stride + 1, wo = (w + 2 * padding - size) / stride + 1;
        double[] y = new double[ho * wo];
        for (int i = 0; i < ho; i++)
        {
            for (int j = 0; j < wo; j++)
            {
                double best = double.NegativeInfinity;
                for (int a = 0; a < size; a++)
                {
                    for (int b = 0; b < size; b++)
                    {
                        int r = i * stride + a - padding, c = j * stride + b - padding;
                        if (r >= 0 && r < h && c >= 0 && c < w) best = Math.Max(best, x[r * w + c]);
                    }
                }

                y[i * wo + j] = best;
            }
        }

        return y;
    }

    /// <summary>‖J‖₂ of max-pooling at x by central differences (exact for a piecewise-linear map away from ties).</summary>
    private static double PoolJacobianNorm(double[] x, int h, int w, int size, int stride, int padding)
    {
        int outputs = MaxPool(x, h, w, size, stride, padding).Length, n = x.Length;
        double[] jacobian = new double[outputs * n];
        const double H = 1e-7;
        for (int q = 0; q < n; q++)
        {
            double keep = x[q];
            x[q] = keep + H;
            double[] up = MaxPool(x, h, w, size, stride, padding);
            x[q] = keep - H;
            double[] down = MaxPool(x, h, w, size, stride, padding);
            x[q] = keep;
            for (int o = 0; o < outputs; o++) jacobian[o * n + q] = (up[o] - down[o]) / (2 * H);
        }

        return JacobiSvd.SingularValues(jacobian, outputs, n)[0];
    }

    [Theory]
    [InlineData(7, 7, 2, 2, 0, 1)]    // non-overlapping
    [InlineData(8, 8, 3, 2, 0, 4)]    // AlexNet's overlapping 3×3 stride 2
    [InlineData(9, 9, 3, 2, 1, 4)]
    [InlineData(6, 6, 3, 1, 0, 9)]
    [InlineData(7, 5, 3, 3, 1, 1)]
    [InlineData(9, 9, 4, 2, 2, 4)]
    public void MaxPoolBoundEqualsTheLargestExplicitJacobianNorm(int h, int w, int size, int stride, int padding, int expectedCoverage)
    {
        Assert.Equal(expectedCoverage, NonlinearLayerBounds.MaxPoolCoverage(h, w, size, size, stride, stride, padding));
        double bound = NonlinearLayerBounds.MaxPoolBound(h, w, size, stride, padding);

        // A spike at each position over distinct negative values (no ties): the spike wins every window that
        // contains it, so the largest of these norms is the bound exactly.
        var random = new SeededRandom((ulong)(h * 100 + size * 10 + stride));
        int n = h * w;
        double largest = 0;
        for (int spike = 0; spike < n; spike++)
        {
            double[] x = new double[n];
            int[] order = Enumerable.Range(0, n).ToArray();
            random.Shuffle<int>(order);
            for (int q = 0; q < n; q++) x[q] = -1 - order[q] * 1e-3;
            x[spike] = 1;
            largest = Math.Max(largest, PoolJacobianNorm(x, h, w, size, stride, padding));
        }

        // Random inputs never exceed it.
        for (int trial = 0; trial < 20; trial++)
        {
            double[] x = new double[n];
            for (int q = 0; q < n; q++) x[q] = random.NextGaussian();
            Assert.True(PoolJacobianNorm(x, h, w, size, stride, padding) <= bound * (1 + 1e-6));
        }

        Assert.Equal(bound, largest, 1e-6);
    }

    [Fact]
    public void AlexNetPoolingBoundIsTwoNotOne()
    {
        Assert.Equal(2.0, NonlinearLayerBounds.MaxPoolBound(55, 55, 3, 2));
        Assert.Equal(2.0, NonlinearLayerBounds.MaxPoolBound(27, 27, 3, 2));
        Assert.Equal(1.0, NonlinearLayerBounds.MaxPoolBound(28, 28, 2, 2));
    }

    /// <summary>The closed-form Jacobians against central differences of the forward maps, in double.</summary>
    [Fact]
    public void ClosedFormJacobiansMatchFiniteDifferences()
    {
        var random = new SeededRandom(17);
        const int N = 7;
        double[] x = new double[N], jac = new double[N * N], up = new double[N], down = new double[N];
        for (int trial = 0; trial < 10; trial++)
        {
            for (int i = 0; i < N; i++) x[i] = random.NextGaussian() * (trial + 1) * 0.3;
            CheckJacobian((p, y) => NonlinearLayerBounds.ContrastNorm(p, 0.5, 0.75, y), (p, j) => NonlinearLayerBounds.ContrastNormJacobian(p, 0.5, 0.75, j));
            CheckJacobian((p, y) => NonlinearLayerBounds.LocalResponseNorm(p, 2, 0.1, 0.75, 5, y), (p, j) => NonlinearLayerBounds.LocalResponseNormJacobian(p, 2, 0.1, 0.75, 5, j));
            CheckJacobian((p, y) => NonlinearLayerBounds.LocalResponseNorm(p, 1, 1, 0.5, 2, y), (p, j) => NonlinearLayerBounds.LocalResponseNormJacobian(p, 1, 1, 0.5, 2, j));
        }

        void CheckJacobian(Action<double[], double[]> f, Action<double[], double[]> jacobian)
        {
            jacobian(x, jac);
            for (int q = 0; q < N; q++)
            {
                double keep = x[q], h = 1e-6 * Math.Max(1, Math.Abs(keep));
                x[q] = keep + h;
                f(x, up);
                x[q] = keep - h;
                f(x, down);
                x[q] = keep;
                for (int o = 0; o < N; o++) Assert.Equal((up[o] - down[o]) / (2 * h), jac[o * N + q], 1e-7);
            }
        }
    }

    /// <summary>The paper's claim ε^(−γ) (proven in the docs) against a search for the largest Jacobian norm.</summary>
    [Theory]
    [InlineData(1.0, 0.5)]
    [InlineData(0.1, 0.75)]
    [InlineData(10.0, 1.0)]
    [InlineData(0.01, 1.0)]
    [InlineData(1.0, 1.5)]
    [InlineData(0.5, 3.0)]
    [InlineData(2.0, 10.0)]
    public void ContrastNormBoundHoldsAndIsAttained(double epsilon, double gamma)
    {
        double bound = NonlinearLayerBounds.ContrastNormBound(epsilon, gamma);
        (double found, double[] at) = NonlinearLayerBounds.MaximizeJacobianNorm(
            6, 6, (x, j) => NonlinearLayerBounds.ContrastNormJacobian(x, epsilon, gamma, j), restarts: 12, steps: 30,
            minScale: 1e-3 * Math.Sqrt(epsilon), maxScale: 1e2 * Math.Sqrt(epsilon), seed: 3);
        _output.WriteLine($"ε = {epsilon}, γ = {gamma}: bound {bound:R}, largest found {found:R} at ‖x‖ = {Math.Sqrt(at.Sum(v => v * v)):G3}");
        Assert.True(found <= bound * (1 + 1e-12), $"found {found:R} above the bound {bound:R}");
        Assert.True(found >= bound * (1 - 1e-6), "the search should reach the maximum at x = 0");

        // Away from the origin the norm is strictly smaller.
        double[] away = [1, -2, 0.5, 0, 3, 1];
        double[] jac = new double[36];
        NonlinearLayerBounds.ContrastNormJacobian(away, epsilon, gamma, jac);
        Assert.True(JacobiSvd.SingularValues(jac, 6, 6)[0] < bound);
    }

    /// <summary>AlexNet's LRN: no Jacobian found by the search (nor on random inputs at many scales) exceeds the bound.</summary>
    [Theory]
    [InlineData(2.0, 1e-4, 0.75, 5, 8)]
    [InlineData(2.0, 1.0, 0.75, 5, 8)]
    [InlineData(1.0, 1.0, 1.0, 3, 6)]
    [InlineData(0.5, 2.0, 0.5, 7, 9)]
    public void LocalResponseNormBoundIsNeverExceeded(double k, double alpha, double beta, int size, int channels)
    {
        double bound = NonlinearLayerBounds.LocalResponseNormBound(k, beta, size);
        NonlinearLayerBounds.JacobianFunction jacobian = (x, j) => NonlinearLayerBounds.LocalResponseNormJacobian(x, k, alpha, beta, size, j);
        double scale = Math.Sqrt(k / alpha);
        (double found, _) = NonlinearLayerBounds.MaximizeJacobianNorm(channels, channels, jacobian, restarts: 16, steps: 30, minScale: 1e-2 * scale, maxScale: 1e2 * scale, seed: 5);

        var random = new SeededRandom(9);
        double[] x = new double[channels], jac = new double[channels * channels];
        double sampled = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            double s = scale * Math.Pow(10, -2 + 4 * random.NextDouble());
            for (int i = 0; i < channels; i++) x[i] = random.NextGaussian() * s;
            jacobian(x, jac);
            sampled = Math.Max(sampled, JacobiSvd.SingularValues(jac, channels, channels)[0]);
        }

        _output.WriteLine($"k = {k}, α = {alpha}, β = {beta}, n = {size}: bound {bound:F4}, search {found:F4}, samples {sampled:F4}, k^-β = {Math.Pow(k, -beta):F4}");
        Assert.True(found <= bound, $"search found {found:R} above the bound {bound:R}");
        Assert.True(sampled <= bound, $"a sample reached {sampled:R} above the bound {bound:R}");
        Assert.True(found >= Math.Pow(k, -beta) * (1 - 1e-9), "the norm at 0 is k^(−β)");
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NonlinearLayerBounds.MaxPoolBound(4, 4, 5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonlinearLayerBounds.MaxPoolBound(4, 4, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonlinearLayerBounds.ContrastNormBound(0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonlinearLayerBounds.ContrastNormBound(1, -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonlinearLayerBounds.ContrastNormBound(1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonlinearLayerBounds.LocalResponseNormBound(2, 0.75, 0));
    }
}
