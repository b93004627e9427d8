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
        foreach (LayerInfo l in TanhReluNet.Summary.Layers)
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

        bool softmax = net.Loss == LossKind.SoftmaxCrossEntropy;
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
        foreach (LayerInfo l in MnistConv.Summary.Layers)
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
}
