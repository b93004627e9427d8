using System.Numerics.Tensors;
using Intriguing.Adversarial;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

// Tiny ReLU networks whose exact minimum distortion is found by scanning every direction (2-D) or many (4-D).
[Network, Input(2), Dense(8), ReLU, Dense(8), ReLU, Dense(2), Softmax]
public partial class Relu2x8x8x2;

[Network, Input(4), Dense(10), ReLU, Dense(10), ReLU, Dense(3), Softmax]
public partial class Relu4x10x10x3;

/// <summary>
/// Bound propagation and certified radii, tested by trying to break them: points sampled in the region and a projected
/// gradient attack inside it must stay within every bound and keep the class; exact minima of tiny networks bracket them.
/// </summary>
public class CertificationTests
{
    public static TheoryData<string> Networks => new()
    {
        nameof(SigmoidNet), nameof(TanhReluNet), nameof(OneUnitNet), nameof(DeepImageNet), nameof(TinyHidden), nameof(DropoutNet),
        nameof(ConvZeroNet), nameof(ConvCircularNet), nameof(PoolNet), nameof(OverlapPoolNet), nameof(AvgPoolNet), nameof(Relu4x10x10x3),
        nameof(WindowNet), nameof(WindowStrideNet),
    };

    internal static ICertifiable Make(string name, ulong seed)
    {
        INetwork net = name switch
        {
            nameof(SigmoidNet) => new SigmoidNet(),
            nameof(TanhReluNet) => new TanhReluNet(),
            nameof(OneUnitNet) => new OneUnitNet(),
            nameof(DeepImageNet) => new DeepImageNet(),
            nameof(TinyHidden) => new TinyHidden(),
            nameof(DropoutNet) => new DropoutNet(),
            nameof(ConvZeroNet) => new ConvZeroNet(),
            nameof(ConvCircularNet) => new ConvCircularNet(),
            nameof(PoolNet) => new PoolNet(),
            nameof(OverlapPoolNet) => new OverlapPoolNet(),
            nameof(AvgPoolNet) => new AvgPoolNet(),
            nameof(Relu4x10x10x3) => new Relu4x10x10x3(),
            nameof(WindowNet) => new WindowNet(),
            nameof(WindowStrideNet) => new WindowStrideNet(),
            _ => throw new ArgumentException(name),
        };
        net.Initialize(seed);
        // Larger weights than the initialisation's, so that many neurons straddle their kinks and relaxations matter.
        TensorPrimitives.Multiply(net.Parameters, 2.5f, net.Parameters);
        return (ICertifiable)net;
    }

    [Fact]
    public void Networks_without_bounds_for_a_layer_kind_are_not_certifiable()
    {
        Assert.False(new NormNet() is ICertifiable);
        Assert.False(new RegressionNet() is ICertifiable);
        Assert.True(new Fc100x100x10() is ICertifiable);
        Assert.True(new MnistConv() is ICertifiable);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_sampled_and_attacked_point_of_the_region_lies_within_the_bounds(string name)
    {
        ICertifiable net = Make(name, 11);
        int n = net.InputLength, top = net.LayerCount - 1;
        var random = new SeededRandom(5);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        var point = new float[n];
        int checkedPoints = 0;
        for (int trial = 0; trial < 3; trial++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            int label = Predict(net, ws, x);
            foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
            {
                foreach (double scale in new[] { 0.01, 0.05, 0.25 })
                {
                    double epsilon = norm == PerturbationNorm.L2 ? scale * Math.Sqrt(n) : scale;
                    var region = new InputRegion(norm, epsilon);
                    double[]? plain = null, refined = null;
                    foreach ((BoundMethod method, int refinements, int steps) in new[] { (BoundMethod.Crown, 0, 0), (BoundMethod.Crown, 3, 0), (BoundMethod.Crown, 3, 6), (BoundMethod.CrownInterval, 0, 0), (BoundMethod.Interval, 0, 0) })
                    {
                        bw.MarginRefinements = refinements;
                        bw.SlopeSteps = steps;
                        net.PropagateBounds(bw, x, region, method);
                        float[][] lo = Enumerable.Range(0, top + 1).Select(k => bw.Lower(k).ToArray()).ToArray();
                        float[][] hi = Enumerable.Range(0, top + 1).Select(k => bw.Upper(k).ToArray()).ToArray();
                        net.MarginLowerBound(bw, label);
                        double[] margins = bw.MarginBounds.ToArray();
                        if (refinements == 0 && method == BoundMethod.Crown) plain = margins;
                        if (refinements > 0 && steps == 0) refined = margins;
                        if (refinements > 0)
                        {
                            // Re-touched relaxations and optimised slopes only ever raise a margin bound (the largest valid one is kept).
                            for (int j = 0; j < margins.Length; j++) Assert.True(margins[j] >= plain![j], $"{name} {norm} ε={epsilon:G3}: refined margin {j} {margins[j]} below CROWN's {plain[j]}");
                        }

                        if (steps > 0)
                        {
                            // Not guaranteed: with optimised slopes the margins rest on other (tighter) intermediate bounds, so
                            // they are other float computations and may land below the re-touched ones by rounding (seen once:
                            // 6e-8 relative, DropoutNet, 256-bit vectors). Anything beyond rounding would be a real loss.
                            for (int j = 0; j < margins.Length; j++) Assert.True(margins[j] >= refined![j] || margins[j] >= refined[j] - 1e-6 * (1 + Math.Abs(refined[j])), $"{name} {norm} ε={epsilon:G3}: optimised margin {j} {margins[j]} below the re-touched {refined[j]}");
                        }

                        for (int s = 0; s < 60; s++)
                        {
                            Sample(random, x, region, point, s);
                            CheckPoint(net, ws, point, lo, hi, margins, label, $"{name} {norm} ε={epsilon:G3} {method}/{refinements}/{steps} sample {s}");
                            checkedPoints++;
                        }

                        // A projected gradient attack on the loss, inside the region: the strongest point it finds.
                        Attack(net, ws, x, label, region, point, steps: 40);
                        CheckPoint(net, ws, point, lo, hi, margins, label, $"{name} {norm} ε={epsilon:G3} {method}/{refinements}/{steps} attack");
                    }
                }
            }
        }

        Assert.True(checkedPoints > 1000);
    }

    [Theory]
    [InlineData(nameof(WindowNetFullRows))]
    [InlineData(nameof(WindowNetPlainRows))]
    public void Windowed_rows_give_the_bounds_of_full_rows(string referenceName)
    {
        // Each reference is WindowNet with an identity pooling, which has no windowed step: before the second convolution
        // (whose bounds then come from full rows through the plain steps of the layers above the first pooling, windowed
        // with the whole map below it), or before everything (plain steps only; compared in L∞, where its first
        // convolution's interval bounds are exact as WindowNet's are).
        bool plain = referenceName == nameof(WindowNetPlainRows);
        var windowed = new WindowNet();
        ICertifiable full = plain ? new WindowNetPlainRows() : new WindowNetFullRows();
        windowed.Initialize(3);
        TensorPrimitives.Multiply(windowed.Parameters, 2.5f, windowed.Parameters);
        Assert.Equal(windowed.ParameterBufferLength, full.ParameterBufferLength);
        windowed.Parameters.CopyTo(full.Parameters);
        BoundWorkspace bw = windowed.CreateBoundWorkspace(), fw = full.CreateBoundWorkspace();
        var random = new SeededRandom(9);
        int n = windowed.InputLength, compared = 0;
        for (int trial = 0; trial < 4; trial++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            foreach (PerturbationNorm norm in plain ? new[] { PerturbationNorm.LInfinity } : new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
            {
                foreach (double scale in new[] { 0.01, 0.05 })
                {
                    var region = new InputRegion(norm, norm == PerturbationNorm.L2 ? scale * Math.Sqrt(n) : scale);
                    windowed.PropagateBounds(bw, x, region);
                    full.PropagateBounds(fw, x, region);
                    // Activation k of WindowNet is activation k (+ 1 after the reference's identity pooling) of the reference.
                    for (int k = 1; k <= windowed.LayerCount - 1; k++)
                    {
                        int r = plain || k > 3 ? k + 1 : k;
                        ReadOnlySpan<float> lo = bw.Lower(k), hi = bw.Upper(k), refLo = fw.Lower(r), refHi = fw.Upper(r);
                        for (int i = 0; i < lo.Length; i++)
                        {
                            if (k == 4 && refHi[i] <= 0)
                            {
                                // A neuron read by a ReLU and already ≤ 0 by interval bounds is not refined (its ReLU is
                                // 0 either way): only its sign must agree.
                                Assert.True(hi[i] <= 0, $"{norm} ε scale {scale}: activation 4 upper {i}: {hi[i]} vs {refHi[i]}");
                                continue;
                            }

                            Assert.True(Math.Abs(lo[i] - refLo[i]) <= 1e-4 * (1 + Math.Abs(refLo[i])), $"{norm} ε scale {scale}: activation {k} lower {i}: {lo[i]} vs {refLo[i]}");
                            Assert.True(Math.Abs(hi[i] - refHi[i]) <= 1e-4 * (1 + Math.Abs(refHi[i])), $"{norm} ε scale {scale}: activation {k} upper {i}: {hi[i]} vs {refHi[i]}");
                            compared++;
                        }
                    }

                    double reference = full.MarginLowerBound(fw, 0), margin = windowed.MarginLowerBound(bw, 0);
                    Assert.True(Math.Abs(margin - reference) <= 1e-5 * (1 + Math.Abs(reference)), $"{norm} ε scale {scale}: margin bound {margin} vs {reference}");
                }
            }
        }

        Assert.True(compared > 5000);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Bounds_tighten_as_the_region_shrinks_and_crown_is_no_looser_than_intervals(string name)
    {
        ICertifiable net = Make(name, 12);
        int n = net.InputLength, top = net.LayerCount - 1;
        var random = new SeededRandom(6);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        int label = Predict(net, ws, x);
        foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
        {
            double previousWidth = double.PositiveInfinity, previousMargin = double.NegativeInfinity;
            float[][]? outer = null;
            foreach (double scale in new[] { 0.3, 0.1, 0.03, 0.01, 0.0 })
            {
                double epsilon = norm == PerturbationNorm.L2 ? scale * Math.Sqrt(n) : scale;
                net.PropagateBounds(bw, x, new InputRegion(norm, epsilon), BoundMethod.Interval);
                // Interval bounds are monotone in the region: each set of bounds lies inside the previous one.
                float[][] lo = Enumerable.Range(0, top + 1).Select(k => bw.Lower(k).ToArray()).ToArray();
                float[][] hi = Enumerable.Range(0, top + 1).Select(k => bw.Upper(k).ToArray()).ToArray();
                if (outer is not null)
                {
                    for (int k = 0; k <= top; k++)
                    {
                        for (int i = 0; i < lo[k].Length; i++) Assert.InRange(lo[k][i], outer[2 * k][i] - Tol(outer[2 * k][i]), hi[k][i] + Tol(hi[k][i]));
                        for (int i = 0; i < hi[k].Length; i++) Assert.True(hi[k][i] <= outer[2 * k + 1][i] + Tol(outer[2 * k + 1][i]), $"{name} {norm} layer {k}");
                    }
                }

                outer = lo.Zip(hi).SelectMany(p => new[] { p.First, p.Second }).ToArray();
                double width = Enumerable.Range(0, top + 1).Sum(k => hi[k].Zip(lo[k]).Sum(p => (double)p.First - p.Second));
                Assert.True(width <= previousWidth + 1e-6, $"{name} {norm}: width {width} after {previousWidth}");
                previousWidth = width;

                double interval = net.MarginLowerBound(bw, label);
                net.PropagateBounds(bw, x, new InputRegion(norm, epsilon), BoundMethod.Crown);
                double crown = net.MarginLowerBound(bw, label);
                Assert.True(crown >= interval - 1e-4 * (1 + Math.Abs(interval)), $"{name} {norm} ε={epsilon}: CROWN {crown} below intervals {interval}");
                Assert.True(crown >= previousMargin - 1e-4 * (1 + Math.Abs(crown)), $"{name} {norm} ε={epsilon}: margin bound {crown} below {previousMargin} at a larger ε");
                previousMargin = crown;
            }

            // At ε = 0 the bounds are the point itself: the margin bound is the margin.
            double[] logits = Logits(net, ws, x);
            double exact = Enumerable.Range(0, logits.Length).Where(j => j != label).Min(j => logits[label] - logits[j]);
            Assert.Equal(exact, previousMargin, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void No_attack_inside_a_certified_radius_changes_the_class(string name)
    {
        ICertifiable net = Make(name, 13);
        int n = net.InputLength;
        var random = new SeededRandom(7);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        var point = new float[n];
        int certified = 0;
        for (int trial = 0; trial < 4; trial++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            int label = Predict(net, ws, x);
            foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
            {
                CertifiedRadius r = Certifier.Radius(net, bw, ws, x, label, new CertifyOptions { Norm = norm });
                Assert.True(r.Correct);
                if (r.Radius <= 0) continue;
                certified++;
                var region = new InputRegion(norm, r.Radius);
                Assert.True(Certifier.IsCertified(net, bw, x, label, region));
                Attack(net, ws, x, label, region, point, steps: 100);
                Assert.Equal(label, Predict(net, ws, point));
                for (int s = 0; s < 200; s++)
                {
                    Sample(random, x, region, point, s);
                    Assert.Equal(label, Predict(net, ws, point));
                }
            }
        }

        Assert.True(certified >= 4, $"only {certified} certified examples");
    }

    [Fact]
    public void Tiny_relu_network_certified_radius_is_at_most_the_exact_minimum_and_not_far_below()
    {
        var net = new Relu2x8x8x2();
        var ratios = new List<double>();
        var random = new SeededRandom(21);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        for (int seed = 1; seed <= 4; seed++)
        {
            net.Initialize((ulong)seed);
            TensorPrimitives.Multiply(net.Parameters, 2f, net.Parameters);
            for (int trial = 0; trial < 5; trial++)
            {
                float[] x = { (float)(random.NextDouble() * 2 - 1), (float)(random.NextDouble() * 2 - 1) };
                int label = Predict(net, ws, x);
                foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
                {
                    // A box far away, so that the exact minimum is the distance to the decision boundary.
                    CertifiedRadius r = Certifier.Radius(net, bw, ws, x, label, new CertifyOptions { Norm = norm, Box = (-50, 50) });
                    double exact = ScanMinimum(net, ws, x, label, norm, 3);
                    if (double.IsPositiveInfinity(exact)) continue;
                    Assert.True(r.Radius <= exact * (1 + 1e-6), $"seed {seed}: certified {r.Radius} above the exact minimum {exact} ({norm})");
                    ratios.Add(r.Radius / exact);
                }
            }
        }

        Assert.True(ratios.Count >= 20, $"{ratios.Count} examples with a boundary in reach");
        ratios.Sort();
        double median = ratios[ratios.Count / 2];
        // CROWN on small ReLU networks certifies a large part of the exact minimum (Fast-Lin/CROWN report ½ to ⅔).
        Assert.True(median > 0.3, $"median certified / exact {median:F3}");
    }

    [Fact]
    public void Certified_radius_is_at_most_the_attack_distortion_and_the_scanned_minimum_in_four_dimensions()
    {
        var net = new Relu4x10x10x3();
        net.Initialize(3);
        var random = new SeededRandom(22);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        var attack = new LbfgsAttack(net);
        int compared = 0;
        for (int trial = 0; trial < 10; trial++)
        {
            float[] x = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray();
            int label = Predict(net, ws, x);
            CertifiedRadius r = Certifier.Radius(net, bw, ws, x, label, new CertifyOptions { Norm = PerturbationNorm.L2 });
            AttackResult a = attack.Untargeted(x, label);
            if (!a.Success) continue;
            double l2 = Math.Sqrt(a.Adversarial.Zip(x).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
            Assert.True(r.Radius <= l2, $"certified {r.Radius} above the attack's {l2}");
            compared++;
        }

        Assert.True(compared >= 5);
    }

    [Fact]
    public void Certified_radius_never_exceeds_the_attack_distortion_on_mnist()
    {
        MnistData mnist = Mnist.Load(TestData.MnistDirectory());
        var net = new Fc100x100x10(7);
        Trainer.Fit(net, mnist.Train.Take(3000), new SgdOptions { Epochs = 8, BatchSize = 20, LearningRate = 0.1f, Seed = 3 });
        int count = 200;
        var inputs = mnist.Test.Samples.AsSpan(0, count * 784);
        var labels = mnist.Test.Labels.AsSpan(0, count);
        CertifiedRadius[] radii = Certifier.Certify(net, inputs, labels, count, new CertifyOptions { Norm = PerturbationNorm.L2, Threads = 2 });
        CertifiedRadius[] again = Certifier.Certify(net, inputs, labels, count, new CertifyOptions { Norm = PerturbationNorm.L2, Threads = 1 });
        Assert.Equal(radii, again);
        var attack = new LbfgsAttack(net);
        int compared = 0;
        var ratios = new List<double>();
        for (int i = 0; i < count; i++)
        {
            if (!radii[i].Correct) continue;
            AttackResult a = attack.Untargeted(mnist.Test.Sample(i), labels[i]);
            if (!a.Success) continue;
            double l2 = Math.Sqrt(a.Adversarial.Zip(mnist.Test.Sample(i).ToArray()).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
            Assert.True(radii[i].Radius <= l2, $"example {i}: certified {radii[i].Radius} above the attack's {l2}");
            ratios.Add(l2 / radii[i].Radius);
            compared++;
        }

        Assert.True(compared > 150, $"{compared} examples compared");
        ratios.Sort();
        Assert.True(ratios[ratios.Count / 2] < 4, $"median attack / certified {ratios[ratios.Count / 2]:F2}");
    }

    [Fact]
    public void Propagation_and_the_radius_search_allocate_nothing_after_warm_up()
    {
        var net = new MnistConv(3);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        var random = new SeededRandom(9);
        float[] x = Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble()).ToArray();
        var options = new CertifyOptions();
        int label = Predict(net, ws, x);
        var region = new InputRegion(PerturbationNorm.L2, 0.01);
        long propagate = AllocationProbe.BytesAllocated(() => { net.PropagateBounds(bw, x, region); net.MarginLowerBound(bw, label); });
        Assert.Equal(0, propagate);

        var dense = new Fc100x100x10(3);
        BoundWorkspace dbw = dense.CreateBoundWorkspace();
        NetworkWorkspace dws = dense.CreateWorkspace(1);
        int denseLabel = Predict(dense, dws, x);
        long search = AllocationProbe.BytesAllocated(() => Certifier.Radius(dense, dbw, dws, x, denseLabel, options));
        Assert.Equal(0, search);

        // Optimised slopes: their buffers are made on first use and kept.
        CertifyOptions slopes = options with { SlopeSteps = 3 };
        long slopeSearch = AllocationProbe.BytesAllocated(() => Certifier.Radius(dense, dbw, dws, x, denseLabel, slopes));
        Assert.Equal(0, slopeSearch);
        bw.SlopeSteps = 2;
        long slopePropagate = AllocationProbe.BytesAllocated(() => { net.PropagateBounds(bw, x, region); net.MarginLowerBound(bw, label); });
        Assert.Equal(0, slopePropagate);
    }

    [Fact]
    public void Bad_arguments_are_clear_errors()
    {
        var net = new Relu4x10x10x3();
        BoundWorkspace bw = net.CreateBoundWorkspace();
        float[] x = { 0.5f, 0.5f, 0.5f, 0.5f };
        Assert.Throws<InvalidOperationException>(() => net.MarginLowerBound(bw, 0));
        Assert.Throws<ArgumentException>(() => net.PropagateBounds(bw, new float[3], new InputRegion(PerturbationNorm.L2, 0.1)));
        Assert.Throws<ArgumentException>(() => net.PropagateBounds(bw, new[] { 0.5f, 0.5f, 2f, 0.5f }, new InputRegion(PerturbationNorm.L2, 0.1)));
        Assert.Throws<ArgumentException>(() => net.PropagateBounds(bw, new[] { 0.5f, 0.5f, float.NaN, 0.5f }, new InputRegion(PerturbationNorm.L2, 0.1)));
        Assert.Throws<ArgumentException>(() => net.PropagateBounds(bw, x, new InputRegion(PerturbationNorm.L2, -1)));
        Assert.Throws<ArgumentException>(() => net.PropagateBounds(bw, x, new InputRegion(PerturbationNorm.L2, double.NaN)));
        Assert.Throws<ArgumentException>(() => net.PropagateBounds(new TinyHidden().CreateBoundWorkspace(), x, new InputRegion(PerturbationNorm.L2, 0.1)));
        net.PropagateBounds(bw, x, new InputRegion(PerturbationNorm.L2, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.MarginLowerBound(bw, 3));
        Assert.Throws<ArgumentException>(() => Certifier.Certify(net, x, new[] { 7 }, 1));
        Assert.Throws<ArgumentException>(() => Certifier.Certify(net, x, new[] { 0 }, 1, new CertifyOptions { RelativeTolerance = 0 }));
    }

    // ---- Helpers ----

    private static float Tol(float v) => 1e-4f * (1 + Math.Abs(v));

    [ThreadStatic]
    private static float[]? t_output;

    internal static int Predict(INetwork net, NetworkWorkspace ws, ReadOnlySpan<float> x)
    {
        float[] output = t_output is { } o && o.Length == net.OutputLength ? o : t_output = new float[net.OutputLength];
        net.Forward(ws, x, output);
        return TensorPrimitives.IndexOfMax<float>(output);
    }

    private static double[] Logits(INetwork net, NetworkWorkspace ws, ReadOnlySpan<float> x)
    {
        var logits = new float[net.ActivationLength(net.LayerCount - 1)];
        net.ForwardTo(ws, net.LayerCount - 1, x, logits);
        return logits.Select(v => (double)v).ToArray();
    }

    private static void CheckPoint(INetwork net, NetworkWorkspace ws, float[] point, float[][] lo, float[][] hi, double[] margins, int label, string what)
    {
        for (int k = 0; k < lo.Length; k++)
        {
            var a = new float[net.ActivationLength(k)];
            net.ForwardTo(ws, k, point, a);
            for (int i = 0; i < a.Length; i++)
            {
                if (!(a[i] >= lo[k][i] - Tol(lo[k][i]) && a[i] <= hi[k][i] + Tol(hi[k][i])))
                {
                    Assert.Fail($"{what}: activation {k}[{i}] = {a[i]} outside [{lo[k][i]}, {hi[k][i]}]");
                }
            }
        }

        double[] z = Logits(net, ws, point);
        for (int j = 0; j < z.Length; j++)
        {
            if (j == label) continue;
            double m = z[label] - z[j];
            if (!(m >= margins[j] - 1e-4 * (1 + Math.Abs(m)))) Assert.Fail($"{what}: margin to {j} is {m}, below its bound {margins[j]}");
        }
    }

    /// <summary>A point of the region: on its boundary, inside it, or (L∞) at a corner, clipped to the box.</summary>
    private static void Sample(SeededRandom random, float[] x, InputRegion region, float[] point, int s)
    {
        int n = x.Length;
        var d = new double[n];
        if (region.Norm == PerturbationNorm.LInfinity)
        {
            bool corner = s % 3 == 0;
            for (int i = 0; i < n; i++) d[i] = corner ? (random.NextDouble() < 0.5 ? -1 : 1) * region.Epsilon : (2 * random.NextDouble() - 1) * region.Epsilon;
        }
        else
        {
            for (int i = 0; i < n; i++) d[i] = random.NextGaussian();
            double norm = Math.Sqrt(d.Sum(v => v * v));
            double radius = s % 2 == 0 ? region.Epsilon : region.Epsilon * random.NextDouble();
            for (int i = 0; i < n; i++) d[i] *= radius / norm;
        }

        // Clipping into the box moves every coordinate towards x, so the point stays in the ball.
        for (int i = 0; i < n; i++) point[i] = (float)Math.Clamp(x[i] + d[i] * (1 - 1e-6), region.BoxLower, region.BoxUpper);
    }

    /// <summary>Projected gradient ascent of the cross-entropy inside the region (L2: normalised steps, L∞: signed steps).</summary>
    private static void Attack(ICertifiable net, NetworkWorkspace ws, float[] x, int label, InputRegion region, float[] point, int steps)
    {
        int n = x.Length;
        var gradient = new float[n];
        Array.Copy(x, point, n);
        double step = 2.5 * region.Epsilon / steps;
        for (int s = 0; s < steps; s++)
        {
            net.LossAndGradient(ws, point, new[] { label }, 1, default, gradient);
            if (region.Norm == PerturbationNorm.LInfinity)
            {
                for (int i = 0; i < n; i++) point[i] += (float)(step * Math.Sign(gradient[i]));
            }
            else
            {
                double norm = Math.Sqrt(gradient.Sum(v => (double)v * v));
                if (norm == 0) break;
                for (int i = 0; i < n; i++) point[i] += (float)(step * gradient[i] / norm);
            }

            Project(x, region, point);
        }
    }

    private static void Project(float[] x, InputRegion region, float[] point)
    {
        int n = x.Length;
        if (region.Norm == PerturbationNorm.LInfinity)
        {
            for (int i = 0; i < n; i++) point[i] = (float)Math.Clamp(point[i], Math.Max(region.BoxLower, x[i] - region.Epsilon * (1 - 1e-6)), Math.Min(region.BoxUpper, x[i] + region.Epsilon * (1 - 1e-6)));
            return;
        }

        double norm = Math.Sqrt(Enumerable.Range(0, n).Sum(i => (double)(point[i] - x[i]) * (point[i] - x[i])));
        double scale = norm > region.Epsilon * (1 - 1e-6) ? region.Epsilon * (1 - 1e-6) / norm : 1;
        for (int i = 0; i < n; i++) point[i] = (float)Math.Clamp(x[i] + (point[i] - x[i]) * scale, region.BoxLower, region.BoxUpper);
    }

    /// <summary>
    /// The smallest distance (in the norm) from x to a point of another class, over 3,600 directions in the plane: along
    /// each ray, the first change of class by steps of 5e-3 refined by bisection. An upper bound of the exact minimum
    /// that approaches it as the directions get denser.
    /// </summary>
    private static double ScanMinimum(INetwork net, NetworkWorkspace ws, float[] x, int label, PerturbationNorm norm, double reach)
    {
        double best = double.PositiveInfinity;
        var p = new float[2];
        const int directions = 3600;
        for (int a = 0; a < directions; a++)
        {
            double theta = 2 * Math.PI * a / directions;
            double ux = Math.Cos(theta), uy = Math.Sin(theta);
            double scale = norm == PerturbationNorm.L2 ? 1 : Math.Max(Math.Abs(ux), Math.Abs(uy));
            double limit = Math.Min(reach, best) / scale;
            double previous = 0;
            for (double t = 5e-3; t <= limit; t += 5e-3)
            {
                p[0] = (float)(x[0] + t * ux);
                p[1] = (float)(x[1] + t * uy);
                if (Predict(net, ws, p) == label)
                {
                    previous = t;
                    continue;
                }

                double inside = previous, outside = t;
                for (int b = 0; b < 30; b++)
                {
                    double mid = 0.5 * (inside + outside);
                    p[0] = (float)(x[0] + mid * ux);
                    p[1] = (float)(x[1] + mid * uy);
                    if (Predict(net, ws, p) == label) inside = mid;
                    else outside = mid;
                }

                best = Math.Min(best, outside * scale);
                break;
            }
        }

        return best;
    }
}
