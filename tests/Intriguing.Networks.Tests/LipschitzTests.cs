using Intriguing.Adversarial;
using Intriguing.Paper;
using Intriguing.Spectral;

namespace Intriguing.Networks.Tests;

/// <summary>Per-layer Lipschitz bounds against exact singular values, and the certified radius against the attack.</summary>
public class LipschitzTests
{
    [Fact]
    public void Dense_bounds_are_the_exact_largest_singular_values_rounded_up()
    {
        var net = new TanhReluNet(4);
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        double product = 1;
        foreach (LayerInfo l in TanhReluNet.Layout.Summary.Layers)
        {
            LayerBound b = report.Layers[l.Index - 1];
            if (l.Kind == LayerKind.Dense)
            {
                double exact = JacobiSvd.SingularValues(net.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength), l.OutputLength, l.InputLength)[0];
                Assert.True(b.Bound >= exact, $"{l.Name}: bound {b.Bound} below σ₁ {exact}");
                Assert.True(b.Bound <= exact * (1 + 1e-5), $"{l.Name}: bound {b.Bound} vs σ₁ {exact}");
            }
            else
            {
                Assert.Equal(l.Kind switch { LayerKind.Softmax => 0.5, _ => 1.0 }, b.Bound);
            }

            product *= b.Bound;
        }

        Assert.Equal(product, report.Bound, 12);
        Assert.Equal(product / 0.5, report.LogitBound, 12);
    }

    [Fact]
    public void Certified_radius_never_exceeds_the_attack_distance()
    {
        // The certified radius is a guaranteed lower bound on the distance to the nearest adversarial example; the
        // attack finds an upper bound. The first must never exceed the second.
        var net = new Fc100x100x10(8);
        System.Numerics.Tensors.TensorPrimitives.Multiply(net.Parameters, 6f, net.Parameters);
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        var random = new SeededRandom(3);
        var attack = new LbfgsAttack(net);
        var ws = net.CreateWorkspace();
        float[] logits = new float[10];
        for (int s = 0; s < 6; s++)
        {
            float[] x = Enumerable.Range(0, 784).Select(_ => 0.2f + 0.6f * random.NextSingle()).ToArray();
            net.ForwardTo(ws, 5, x, logits);
            int label = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(logits);
            double margin = logits[label] - logits.Where((_, i) => i != label).Max();
            double certified = report.CertifiedRadius(margin);
            AttackResult r = attack.Untargeted(x, label);
            Assert.True(r.Success);
            double l2 = r.Distortion * 28;
            Assert.True(certified <= l2, $"certified {certified} above the attack's {l2}");
            Assert.True(certified > 0);
        }
    }

    /// <summary>
    /// The data-based lower estimate against an independent double-precision Jacobian (central differences of the
    /// reference network), and below the upper bound.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Local_lipschitz_estimate_matches_the_reference_jacobian_and_stays_below_the_bound(int which)
    {
        INetwork net = which switch { 0 => new SigmoidNet(5), 1 => new TanhReluNet(6), _ => new RegressionNet(7) };
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        int n = net.InputLength, count = 4;
        var random = new SeededRandom(11);
        float[] inputs = new float[count * n];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)random.NextGaussian();

        LocalLipschitzEstimate estimate = LocalLipschitz.Estimate(net, inputs, count);

        bool softmax = net is IClassifier;
        int mapLayer = softmax ? net.LayerCount - 1 : net.LayerCount;
        double largest = 0;
        for (int e = 0; e < count; e++)
        {
            double[] x = inputs.AsSpan(e * n, n).ToArray().Select(v => (double)v).ToArray();
            int k = net.ActivationLength(mapLayer);
            double[] jacobian = new double[k * n];
            for (int o = 0; o < k; o++)
            {
                for (int i = 0; i < n; i++)
                {
                    // Centred logits (soft-max networks) or the output.
                    jacobian[o * n + i] = ReferenceNetwork.CentralDifference(v =>
                    {
                        double[] z = reference.Forward(p, v)[mapLayer];
                        return z[o] - (softmax ? z.Average() : 0);
                    }, x, i);
                }
            }

            largest = Math.Max(largest, JacobiSvd.SingularValues(jacobian, k, n)[0]);
        }

        LipschitzReport bound = LipschitzAnalysis.Analyze(net);
        Assert.Equal(count, estimate.Examples);
        Assert.True(Math.Abs(estimate.Largest - largest) <= 1e-4 * largest, $"estimate {estimate.Largest} vs reference {largest}");
        Assert.True(estimate.Largest <= (softmax ? bound.LogitBound : bound.Bound), $"local {estimate.Largest} above the bound");
        Assert.True(estimate.Mean <= estimate.Largest);
    }

    /// <summary>A convolution layer as loops from the definition in <see cref="LayerGeometry"/> (zero padding), with its adjoint.</summary>
    private sealed class LoopConvolution(float[] w, LayerGeometry g) : ILinearOperator
    {
        public int InputLength => g.InputLength;

        public int OutputLength => g.OutputLength;

        private IEnumerable<(int Out, int In, double W)> Entries()
        {
            int k = g.Kernel;
            for (int d = 0; d < g.OutputChannels; d++)
            for (int i = 0; i < g.OutputHeight; i++)
            for (int j = 0; j < g.OutputWidth; j++)
            for (int c = 0; c < g.InputChannels; c++)
            for (int u = 0; u < k; u++)
            for (int v = 0; v < k; v++)
            {
                int r = i * g.Stride - g.Padding + u, q = j * g.Stride - g.Padding + v;
                if (r < 0 || r >= g.InputHeight || q < 0 || q >= g.InputWidth) continue;
                yield return (((d * g.OutputHeight) + i) * g.OutputWidth + j, (c * g.InputHeight + r) * g.InputWidth + q, w[((d * g.InputChannels + c) * k + u) * k + v]);
            }
        }

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            y.Clear();
            foreach (var (o, i, v) in Entries()) y[o] += v * x[i];
        }

        public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x)
        {
            x.Clear();
            foreach (var (o, i, v) in Entries()) x[i] += v * y[o];
        }
    }

    /// <summary>Conv, pooling and the rest of MNIST-Conv: the analysis uses the Fourier bound and the pooling coverage.</summary>
    [Fact]
    public void Conv_net_bounds_are_never_below_the_explicit_layer_norms()
    {
        var net = new MnistConv(3);
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        double product = 1;
        foreach (LayerInfo l in MnistConv.Layout.Summary.Layers)
        {
            LayerBound b = report.Layers[l.Index - 1];
            product *= b.Bound;
            switch (l.Kind)
            {
                case LayerKind.Conv:
                    LayerGeometry g = l.Geometry!;
                    float[] w = net.Parameters.Slice(l.WeightOffset, g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel).ToArray();
                    var op = new LoopConvolution(w, g);
                    Assert.True(OperatorNorm.AdjointMismatch(op) < 1e-12);
                    SpectralNormResult exact = OperatorNorm.Compute(op, new SpectralNormOptions { RelativeTolerance = 1e-8 });
                    Assert.True(b.Bound >= exact.UpperBound, $"{l.Name}: bound {b.Bound} below the explicit norm {exact.UpperBound}");
                    Assert.True(b.Bound <= 1.5 * exact.Estimate, $"{l.Name}: bound {b.Bound} far above the explicit norm {exact.Estimate}");
                    break;
                case LayerKind.MaxPool:
                    Assert.Equal(1.0, b.Bound);   // 2×2 windows at stride 2 do not overlap
                    break;
            }
        }

        Assert.Equal(product, report.Bound, 12);
    }

    /// <summary>
    /// The summary prints the bound the analysis computes: for every layer without parameters the analysis reports the
    /// summary's method, its bound is the closed form computed here independently, and a value the summary prints is it.
    /// </summary>
    [Fact]
    public void Summary_bounds_are_the_analysis_bounds()
    {
        INetwork[] nets = [new NormNet(1), new FlatNormNet(1), new SteepNormNet(1), new OverlapPoolNet(1), new AvgPoolNet(1), new MnistConv(1), new TanhReluNet(1), new DropoutNet(1)];
        int checkedLayers = 0;
        foreach (INetwork net in nets)
        {
            LipschitzReport report = LipschitzAnalysis.Analyze(net);
            foreach (LayerInfo l in net.Summary.Layers)
            {
                LayerBound b = report.Layers[l.Index - 1];
                if (l.Parameters > 0) continue;
                Assert.Equal(l.LipschitzMethod, b.Method);
                double expected = l.Kind switch
                {
                    LayerKind.Sigmoid => 0.25,
                    LayerKind.Softmax => 0.5,
                    LayerKind.Tanh or LayerKind.ReLU or LayerKind.Dropout => 1,
                    LayerKind.MaxPool => NonlinearLayerBounds.MaxPoolBound(l.Geometry!.InputHeight, l.Geometry.InputWidth, l.Geometry.Kernel, l.Geometry.Stride),
                    LayerKind.AvgPool => ExplicitNorm(l.Geometry!),
                    LayerKind.ContrastNorm => Math.Pow(l.Norm!.Epsilon, -l.Norm.Gamma),
                    LayerKind.LocalResponseNorm => Math.Pow(l.Norm!.K, -l.Norm.Beta)
                        * (1 + 2 * l.Norm.Beta * Math.Pow(l.Norm.Beta, l.Norm.Beta) / Math.Pow(1 + l.Norm.Beta, 1 + l.Norm.Beta) * Math.Pow(l.Norm.Size, 0.75)),
                    _ => throw new InvalidOperationException($"{l.Kind} has no expected bound in this test"),
                };
                // A fixed bound is its closed form; average pooling's, computed by an eigenvalue bracket, is rounded up.
                Assert.True(Math.Abs(b.Bound - expected) <= 1e-9 * expected, $"{l.Name}: bound {b.Bound:R}, expected {expected:R}");
                if (l.Kind == LayerKind.AvgPool) Assert.True(b.Bound >= expected, $"{l.Name}: bound {b.Bound:R} below the exact norm {expected:R}");
                int equals = l.LipschitzMethod.IndexOf("= ", StringComparison.Ordinal);
                if (equals >= 0)
                {
                    string printed = l.LipschitzMethod[(equals + 2)..].Split(' ')[0];
                    Assert.Equal(b.Bound, double.Parse(printed, System.Globalization.CultureInfo.InvariantCulture), 3);
                }

                checkedLayers++;
            }
        }

        Assert.True(checkedLayers >= 20, $"only {checkedLayers} layers checked");
    }

    /// <summary>
    /// Average pooling's bound is its operator norm: the largest singular value of the explicit matrix of the layer
    /// (one channel), for non-overlapping, neighbour-overlapping and heavily overlapping windows; never below the
    /// gain of random inputs or of the top singular vector pushed through the generated kernel.
    /// </summary>
    [Theory]
    [InlineData(6, 6, 2, 2)]
    [InlineData(7, 7, 3, 2)]
    [InlineData(15, 15, 3, 2)]
    [InlineData(9, 6, 3, 1)]
    [InlineData(12, 12, 5, 1)]
    [InlineData(10, 10, 4, 3)]
    [InlineData(5, 5, 5, 1)]
    public void Average_pooling_bound_is_the_exact_operator_norm(int h, int w, int k, int s)
    {
        var g = new LayerGeometry(1, h, w, 1, (h - k) / s + 1, (w - k) / s + 1, k, s, 0, PaddingMode.Zero);
        double exact = ExplicitNorm(g);
        double bound = Intriguing.Layers.AveragePooling.Lipschitz(g).Compute(new AvgPoolNet(1), AvgPoolNet.Layout.Summary.Layers[3], null).Bound;
        Assert.True(bound >= exact, $"bound {bound:R} below the exact norm {exact:R}");
        Assert.True(bound <= exact * (1 + 1e-9), $"bound {bound:R} above the exact norm {exact:R}");
        if (s < k && (h - k) / s >= 1) Assert.True(bound < 1, "overlapping averages still shrink");

        // Try to break it: the generated kernel's gain on random inputs and on the top right singular vector.
        double[] matrix = ExplicitMatrix(g, out int rows, out int cols);
        SingularValueDecomposition svd = JacobiSvd.Decompose(matrix, rows, cols);
        var random = new SeededRandom(5);
        float[] y = new float[rows];
        for (int trial = 0; trial <= 50; trial++)
        {
            float[] x = trial == 0
                ? Enumerable.Range(0, cols).Select(i => (float)svd.V![i * svd.Count]).ToArray()
                : Enumerable.Range(0, cols).Select(_ => (float)random.NextGaussian()).ToArray();
            Intriguing.Layers.AveragePooling.Forward(g, x, y, 1);
            double gain = Math.Sqrt(y.Sum(v => (double)v * v) / x.Sum(v => (double)v * v));
            Assert.True(gain <= bound * (1 + 1e-5), $"gain {gain:R} above the bound {bound:R}");
            if (trial == 0) Assert.Equal(exact, gain, 5);
        }
    }

    /// <summary>The explicit matrix of one channel of average pooling with geometry <paramref name="g"/>.</summary>
    private static double[] ExplicitMatrix(LayerGeometry g, out int rows, out int cols)
    {
        rows = g.OutputHeight * g.OutputWidth;
        cols = g.InputHeight * g.InputWidth;
        double[] a = new double[rows * cols];
        for (int i = 0; i < g.OutputHeight; i++)
        {
            for (int j = 0; j < g.OutputWidth; j++)
            {
                for (int u = 0; u < g.Kernel; u++)
                {
                    for (int v = 0; v < g.Kernel; v++) a[(i * g.OutputWidth + j) * cols + (i * g.Stride + u) * g.InputWidth + j * g.Stride + v] = 1.0 / (g.Kernel * g.Kernel);
                }
            }
        }

        return a;
    }

    private static double ExplicitNorm(LayerGeometry g) => JacobiSvd.SingularValues(ExplicitMatrix(g, out int rows, out int cols), rows, cols)[0];
}
