using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>Hidden-layer adversarial training: layer gradients, layer-k attacks, pools, the trainer.</summary>
public class AdversarialTrainingTests
{
    private static readonly Dictionary<string, Func<IClassifier>> s_factories = new()
    {
        ["SigmoidNet"] = () => new SigmoidNet(31),
        ["TanhReluNet"] = () => new TanhReluNet(32),
        ["DeepImageNet"] = () => new DeepImageNet(33),
        ["Fc100x100x10"] = () => new Fc100x100x10(34),
    };

    public static TheoryData<string> Networks() => new(s_factories.Keys);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Parameter_gradient_from_a_layer_matches_central_differences_and_is_zero_at_or_below_it(string name)
    {
        IClassifier net = s_factories[name]();
        var random = new SeededRandom(5);
        foreach (LayerInfo l in net.Summary.Layers.Where(l => l.BiasOffset >= 0))
        {
            for (int j = 0; j < l.OutputLength; j++) net.Parameters[l.BiasOffset + j] = (float)(0.2 * random.NextGaussian());
        }

        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        const int Batch = 3;
        float[] inputs = Enumerable.Range(0, Batch * net.InputLength).Select(_ => random.NextSingle()).ToArray();
        int[] labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(net.OutputLength)).ToArray();
        NetworkWorkspace ws = net.CreateWorkspace(Batch);
        float[] gradient = new float[net.ParameterBufferLength];
        for (int layer = 0; layer < net.LayerCount; layer++)
        {
            int length = net.ActivationLength(layer);
            float[] acts = new float[Batch * length];
            net.ForwardTo(ws, layer, inputs, acts, Batch);
            gradient.AsSpan().Fill(float.NaN);   // every entry must be written
            float loss = net.LossAndLayerGradient(ws, layer, acts, labels, Batch, default, gradient);

            double[][] a = Enumerable.Range(0, Batch).Select(b => acts.AsSpan(b * length, length).ToArray().Select(v => (double)v).ToArray()).ToArray();
            double Sum(double[] q) => Enumerable.Range(0, Batch).Sum(b => reference.SampleLoss(q, a[b], labels[b], null, layer));
            double expected = Sum(p);
            Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Abs(expected) + 1e-5, $"{name} layer {layer}: loss {loss} vs {expected}");

            foreach (LayerInfo l in net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense))
            {
                int weights = l.OutputLength * l.InputLength;
                int[] indices = Enumerable.Range(0, 6).Select(i => l.WeightOffset + (i * 7919) % weights).Concat(l.BiasOffset >= 0 ? new[] { l.BiasOffset, l.BiasOffset + l.OutputLength - 1 } : Array.Empty<int>()).ToArray();
                bool above = l.Index > layer;
                foreach (int i in indices)
                {
                    if (!above)
                    {
                        // The activations are given, so layers at or below `layer` have no influence: exactly zero.
                        Assert.True(gradient[i] == 0f, $"{name} layer {layer}: parameter {i} of {l.Name} has gradient {gradient[i]}");
                        continue;
                    }

                    double fd = ReferenceNetwork.CentralDifference(Sum, p, i);
                    double tolerance = 2e-3 * Math.Abs(fd) + 1e-4;
                    Assert.True(Math.Abs(gradient[i] - fd) <= tolerance, $"{name} layer {layer}: ∂/∂θ[{i}] ({l.Name}) = {gradient[i]} vs {fd}");
                }
            }

            // Padding and every block of a layer at or below `layer` are zero, not only the sampled entries.
            foreach (LayerInfo l in net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense && l.Index <= layer))
            {
                Assert.All(gradient.AsSpan(l.WeightOffset, l.OutputLength * l.InputLength).ToArray(), g => Assert.Equal(0f, g));
            }

            Assert.DoesNotContain(gradient, float.IsNaN);
        }
    }

    [Fact]
    public void Layer_gradient_without_an_activation_gradient_gives_the_same_parameter_gradient()
    {
        IClassifier net = new Fc100x100x10(8);
        var random = new SeededRandom(8);
        float[] acts = Enumerable.Range(0, 4 * 100).Select(_ => random.NextSingle()).ToArray();
        int[] labels = { 1, 2, 3, 4 };
        NetworkWorkspace ws = net.CreateWorkspace(4);
        float[] g1 = new float[net.ParameterBufferLength], g2 = new float[net.ParameterBufferLength], d = new float[4 * 100];
        float l1 = net.LossAndLayerGradient(ws, 2, acts, labels, 4, d, g1);
        float l2 = net.LossAndLayerGradient(ws, 2, acts, labels, 4, default, g2);
        Assert.Equal(l1, l2);
        Assert.True(g1.AsSpan().SequenceEqual(g2));
        Assert.Contains(d, v => v != 0);
    }

    /// <summary>
    /// A 2-unit sigmoid layer whose nearest target point lies on the box boundary: the unconstrained projection onto
    /// the decision line is outside [0, 1]², so an attack that ignored the box would find a smaller, invalid distortion.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Layer_attack_with_an_active_box_matches_brute_force_and_the_exact_optimum(bool cheap)
    {
        var net = new TinyHidden();
        // Logits from the hidden activation a: z0 = 0, z1 = a1 + 1.5·a2 − 2.2 (class 1 iff a1 + 1.5·a2 > 2.2).
        float[] w2 = { 0f, 0f, 1f, 1.5f };
        w2.CopyTo(net.Dense2Weights);
        net.Dense2Bias[0] = 0f;
        net.Dense2Bias[1] = -2.2f;
        AttackOptions options = (cheap ? AdversarialTrainingOptions.CheapAttack : new AttackOptions()) with { Layer = 2 };
        Assert.Equal((0.0, 1.0), LbfgsAttack.DefaultBox(net, 2));
        var attack = new LbfgsAttack(net, options);
        float[] h = { 0.9f, 0.3f };
        Assert.Equal(0, attack.Predict(h));
        AttackResult r = attack.Targeted(h, 0, 1);
        Assert.True(r.Success);
        Assert.All(r.Adversarial, v => Assert.InRange(v, 0f, 1f));

        // The decision changes, by an independent double-precision evaluation of the logits.
        double Margin(double a1, double a2) => a1 + 1.5 * a2 - 2.2;
        Assert.True(Margin(r.Adversarial[0], r.Adversarial[1]) > 0);

        // Brute force: the nearest grid point of [0, 1]² that the attack's success rule (p1 ≥ 1.001·p0) accepts.
        const int Steps = 2000;
        double threshold = Math.Log(1 + LbfgsAttack.DecisionMargin), best = double.PositiveInfinity;
        for (int i = 0; i <= Steps; i++)
        {
            for (int j = 0; j <= Steps; j++)
            {
                double a1 = (double)i / Steps, a2 = (double)j / Steps;
                if (Margin(a1, a2) >= threshold) best = Math.Min(best, Math.Sqrt((a1 - h[0]) * (a1 - h[0]) + (a2 - h[1]) * (a2 - h[1])));
            }
        }

        // Exact: a1 = 1 (the box), a2 = (2.2 + threshold − 1)/1.5; the unconstrained optimum would be closer.
        double exactA2 = (2.2 + threshold - 1) / 1.5;
        double exact = Math.Sqrt(0.1 * 0.1 + (exactA2 - 0.3) * (exactA2 - 0.3));
        double unconstrained = -Margin(h[0], h[1]) / Math.Sqrt(1 + 1.5 * 1.5);
        Assert.True(unconstrained < exact * 0.95, "the box must be active in this case");
        Assert.True(Math.Abs(best - exact) <= 1.0 / Steps, $"brute force {best} vs exact {exact}");

        double l2 = r.Distortion * Math.Sqrt(2);
        Assert.True(l2 >= best - 1.0 / Steps, $"attack {l2} below the brute-force minimum {best}");
        Assert.True(l2 <= best * (cheap ? 1.03 : 1.01) + 1.0 / Steps, $"attack {l2} vs brute force {best}");
    }

    private static Dataset Synthetic(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count * 37];
        int[] y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = random.NextInt(3);
            for (int j = 0; j < 37; j++) x[i * 37 + j] = random.NextSingle() * 0.6f + (j % 3 == y[i] ? 0.4f : 0f);
        }

        return new Dataset("synthetic", x, y, 37, 3);
    }

    [Fact]
    public void Pool_fills_then_replaces_exactly_the_refreshed_number_of_distinct_slots_keeping_labels()
    {
        var pool = new AdversarialPool(2, capacity: 10, sampleLength: 3);
        var random = new SeededRandom(1);
        // Example v has the values (v, v + 0.25, v + 0.5) and the label v mod 7, so every stored example can be identified.
        float[] Rows(int from, int count) => Enumerable.Range(from, count).SelectMany(v => new[] { v, v + 0.25f, v + 0.5f }).ToArray();
        int[] Labels(int from, int count) => Enumerable.Range(from, count).Select(v => v % 7).ToArray();

        Assert.Equal((4, 0), pool.Insert(Rows(0, 4), Labels(0, 4), random));
        Assert.Equal(4, pool.Count);
        Assert.Equal((6, 2), pool.Insert(Rows(4, 8), Labels(4, 8), random));
        Assert.Equal(10, pool.Count);

        int[] Ids() => Enumerable.Range(0, pool.Count).Select(i => (int)pool.Sample(i)[0]).ToArray();
        void CheckConsistent()
        {
            for (int i = 0; i < pool.Count; i++)
            {
                ReadOnlySpan<float> s = pool.Sample(i);
                int v = (int)s[0];
                Assert.Equal(new[] { v, v + 0.25f, v + 0.5f }, s.ToArray());
                Assert.Equal(v % 7, pool.Label(i));
            }
        }

        CheckConsistent();
        int[] before = Ids();
        // The first 10 of examples 0..11 fill the slots in order; 10 and 11 each replace one of them.
        Assert.Equal(2, Enumerable.Range(0, 12).Except(before).Count());
        Assert.Contains(10, before);
        Assert.Contains(11, before);

        for (int round = 0; round < 5; round++)
        {
            before = Ids();
            int from = 100 + 10 * round;
            Assert.Equal((0, 3), pool.Insert(Rows(from, 3), Labels(from, 3), random));
            int[] after = Ids();
            Assert.Equal(10, pool.Count);
            Assert.Equal(3, Enumerable.Range(0, 10).Count(i => before[i] != after[i]));   // exactly 3 distinct slots replaced
            Assert.Equal(new[] { from, from + 1, from + 2 }, after.Where(v => v >= from).Order().ToArray());
            CheckConsistent();
        }

        Assert.Equal(12 + 15, pool.TotalInserted);
        Assert.Equal(2 + 15, pool.TotalReplaced);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Sample(10));
    }

    [Fact]
    public void Pool_refresh_makes_verified_examples_in_the_box_with_the_source_labels()
    {
        Dataset data = Synthetic(400, 2);
        var net = new SigmoidNet(3);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 3, BatchSize = 20, LearningRate = 0.5f, Seed = 1, Threads = 1 });
        var pool = new AdversarialPool(2, capacity: 30, sampleLength: 17);
        AttackOptions attack = AdversarialTrainingOptions.CheapAttack with { Layer = 2 };
        PoolRefresh first = pool.Refresh(net, data, 20, attack, seed: 5, threads: 2);
        Assert.True(first.Attacked >= 15, $"{first.Attacked} of 20 classified correctly");
        Assert.Equal(first.Attacked, first.Succeeded);
        Assert.Equal((first.Succeeded, 0), (first.Added, first.Replaced));
        Assert.Equal(first.Succeeded, pool.Count);

        var probe = new LbfgsAttack(net, attack);
        for (int i = 0; i < pool.Count; i++)
        {
            Assert.All(pool.Sample(i).ToArray(), v => Assert.InRange(v, 0f, 1f));
            Assert.NotEqual(pool.Label(i), probe.Predict(pool.Sample(i)));   // adversarial: no longer its true label
        }

        // Each example keeps the label of the source it was made from, and lies near that source's clean activation.
        var ws = net.CreateWorkspace(data.Count);
        float[] clean = new float[data.Count * 17];
        net.ForwardTo(ws, 2, data.Samples, clean, data.Count);
        var sources = new HashSet<int>();
        for (int i = 0; i < pool.Count; i++)
        {
            int source = pool.Source(i);
            Assert.True(sources.Add(source), "sources are drawn without replacement");
            Assert.Equal(data.Labels[source], pool.Label(i));
            double d = Distortions.Rms(pool.Sample(i), clean.AsSpan(source * 17, 17));
            Assert.InRange(d, 1e-6, 0.5);
        }

        Assert.Equal(first.MeanDistortion, Enumerable.Range(0, pool.Count).Average(i => Distortions.Rms(pool.Sample(i), clean.AsSpan(pool.Source(i) * 17, 17))), 6);

        PoolRefresh second = pool.Refresh(net, data, 20, attack, seed: 6, threads: 1);
        Assert.Equal(pool.Capacity, pool.Count);
        Assert.Equal(second.Succeeded, second.Added + second.Replaced);
        Assert.Equal(pool.Capacity - first.Succeeded, second.Added);

        Assert.Throws<ArgumentException>(() => pool.Refresh(net, data, 5, attack with { Layer = 0 }, seed: 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Pool_refresh_with_ddn_makes_verified_examples_aimed_like_the_lbfgs_ones(int layer)
    {
        Dataset data = Synthetic(400, 2);
        var net = new SigmoidNet(3);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 3, BatchSize = 20, LearningRate = 0.5f, Seed = 1, Threads = 1 });
        int length = net.ActivationLength(layer);
        var ddn = new Ddn(new DdnOptions { Steps = 30, Layer = layer });
        var pool = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        PoolRefresh r = pool.Refresh(net, data, 40, ddn, seed: 5, threads: 2);
        Assert.True(r.Attacked >= 30, $"{r.Attacked} of 40 classified correctly");
        Assert.Equal(r.Attacked, r.Succeeded);
        Assert.Equal(r.Succeeded, pool.Count);

        // Independently: each stored example is misclassified by a fresh forward pass from its activation, is aimed at
        // the source's most likely wrong label, keeps the source's label, and lies in the activation's box.
        var ws = net.CreateWorkspace(data.Count);
        float[] clean = new float[data.Count * length];
        net.ForwardTo(ws, layer, data.Samples, clean, data.Count);
        float[] p = new float[net.OutputLength];
        var one = net.CreateWorkspace(1);
        for (int i = 0; i < pool.Count; i++)
        {
            int source = pool.Source(i);
            Assert.Equal(data.Labels[source], pool.Label(i));
            Assert.All(pool.Sample(i).ToArray(), v => Assert.InRange(v, 0f, 1f));
            net.ForwardFrom(one, layer, clean.AsSpan(source * length, length), p, 1);
            int runnerUp = Enumerable.Range(0, p.Length).Where(c => c != data.Labels[source]).MaxBy(c => p[c]);
            net.ForwardFrom(one, layer, pool.Sample(i), p, 1);
            Assert.Equal(runnerUp, Array.IndexOf(p, p.Max()));
        }

        // The same sources attacked by L-BFGS: both minimum-norm searches find nearly the same perturbation.
        var lbfgs = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        lbfgs.Refresh(net, data, 40, new AttackOptions { Layer = layer }, seed: 5, threads: 2);
        Assert.Equal(pool.Count, lbfgs.Count);
        var cosines = new List<double>();
        for (int i = 0; i < pool.Count; i++)
        {
            Assert.Equal(pool.Source(i), lbfgs.Source(i));
            ReadOnlySpan<float> x = clean.AsSpan(pool.Source(i) * length, length);
            double dot = 0, a2 = 0, b2 = 0;
            for (int j = 0; j < length; j++)
            {
                double a = pool.Sample(i)[j] - x[j], b = lbfgs.Sample(i)[j] - x[j];
                (dot, a2, b2) = (dot + a * b, a2 + a * a, b2 + b * b);
            }

            cosines.Add(dot / Math.Sqrt(a2 * b2));
            Assert.InRange(Math.Sqrt(a2 / b2), 0.8, 1.25);
        }

        Assert.True(cosines.Order().ElementAt(cosines.Count / 2) > 0.95, $"median cosine {cosines.Order().ElementAt(cosines.Count / 2):F3}");

        // Same pool for any thread count; a bounded-budget attack or another layer is refused.
        var single = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        single.Refresh(net, data, 40, ddn, seed: 5, threads: 1);
        for (int i = 0; i < pool.Count; i++) Assert.True(pool.Sample(i).SequenceEqual(single.Sample(i)));
        Assert.Throws<ArgumentException>(() => pool.Refresh(net, data, 5, new Pgd(new PgdOptions { Layer = layer }), seed: 1));
        Assert.Throws<ArgumentException>(() => pool.Refresh(net, data, 5, new Ddn(new DdnOptions { Layer = layer == 0 ? 2 : 0 }), seed: 1));
    }

    [Fact]
    public void Ddn_pool_attack_changes_the_settings_line_and_trains_deterministically()
    {
        Dataset data = Synthetic(240, 3);
        var sgd = new SgdOptions { Epochs = 3, BatchSize = 24, LearningRate = 0.3f, Seed = 4 };
        AdversarialTrainingOptions pools = SmallPools(0, 2) with { Ddn = new DdnOptions { Steps = 15 } };
        Assert.NotEqual(SmallPools(0, 2).Describe(), pools.Describe());
        Assert.Contains("attack=ddn(steps=15", pools.Describe());
        var a = new SigmoidNet(1);
        var b = new SigmoidNet(1);
        AdversarialTrainingResult ra = AdversarialTrainer.Fit(a, data, sgd with { Threads = 1 }, pools with { AttackThreads = 1 });
        AdversarialTrainingResult rb = AdversarialTrainer.Fit(b, data, sgd with { Threads = 2 }, pools with { AttackThreads = 2 });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.All(ra.Pools, p => Assert.True(p.Succeeded > 0));
        Assert.Throws<ArgumentException>(() => AdversarialTrainer.Fit(new SigmoidNet(1), data, sgd, pools with { Ddn = new DdnOptions { Steps = 0 } }));
    }

    [Fact]
    public void Pool_refresh_with_candidates_attacks_the_correct_examples_nearest_the_boundary()
    {
        Dataset data = Synthetic(400, 2);
        var net = new SigmoidNet(3);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 3, BatchSize = 20, LearningRate = 0.5f, Seed = 1, Threads = 1 });

        // Reference: each example's margin p(label) − max p(other), one forward pass per example.
        var ws = net.CreateWorkspace();
        float[] p = new float[3];
        double[] margin = new double[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            net.Forward(ws, data.Sample(i), p);
            margin[i] = p[data.Labels[i]] - Enumerable.Range(0, 3).Where(c => c != data.Labels[i]).Max(c => (double)p[c]);
        }

        int[] nearest = Enumerable.Range(0, data.Count).Where(i => margin[i] > 0).OrderBy(i => margin[i]).Take(20).ToArray();
        Assert.True(margin[nearest[^1]] < Enumerable.Range(0, data.Count).Where(i => margin[i] > 0).Select(i => margin[i]).Average(), "the data set has no spread of margins; the test cannot tell");

        // 20 × 20 candidates draw the whole set: the 20 attacked are exactly the nearest correct ones.
        var pool = new AdversarialPool(0, capacity: 40, sampleLength: 37);
        AttackOptions attack = AdversarialTrainingOptions.CheapAttack with { Layer = 0 };
        PoolRefresh r = pool.Refresh(net, data, 20, attack, seed: 5, threads: 2, candidates: 20);
        Assert.Equal(20, r.Attacked);
        Assert.True(r.Succeeded >= 15, $"{r.Succeeded} of 20 attacks succeeded");
        Assert.All(Enumerable.Range(0, pool.Count), i => Assert.Contains(pool.Source(i), nearest));

        // A uniform draw (the default) attacks examples of larger mean margin.
        var uniform = new AdversarialPool(0, capacity: 40, sampleLength: 37);
        uniform.Refresh(net, data, 20, attack, seed: 5, threads: 2);
        double Mean(AdversarialPool pl) => Enumerable.Range(0, pl.Count).Average(i => margin[pl.Source(i)]);
        Assert.True(Mean(pool) < Mean(uniform), $"nearest {Mean(pool)} vs uniform {Mean(uniform)}");
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Refresh(net, data, 5, attack, seed: 1, candidates: 0));
        Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { Layers = new[] { 0 }, SourceCandidates = 0 }.Validate(net));
        Assert.Contains("candidates=4", new AdversarialTrainingOptions { SourceCandidates = 4 }.Describe());
        Assert.DoesNotContain("candidates", new AdversarialTrainingOptions().Describe());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Pool_refresh_with_an_overshoot_stores_the_clipped_example_beyond_the_attacks(int layer)
    {
        Dataset data = Synthetic(300, 7);
        IClassifier net = new SigmoidNet(4);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 3, BatchSize = 20, LearningRate = 0.5f, Seed = 2, Threads = 1 });
        int length = net.ActivationLength(layer);
        AttackOptions attack = AdversarialTrainingOptions.CheapAttack with { Layer = layer };
        const double F = 3;

        // The same refresh (same network, draws and attacks) stored with F = 1, with the default, and with F = 3.
        var plain = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        var unchanged = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        var far = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        PoolRefresh r1 = plain.Refresh(net, data, 25, attack, seed: 9, threads: 2, overshoot: 1);
        PoolRefresh r0 = unchanged.Refresh(net, data, 25, attack, seed: 9, threads: 1);
        PoolRefresh rf = far.Refresh(net, data, 25, attack, seed: 9, threads: 1, overshoot: F);
        Assert.True(r1.Succeeded >= 15, $"{r1.Succeeded} examples made");
        Assert.Equal((r1.Attacked, r1.Succeeded, r1.MeanDistortion), (rf.Attacked, rf.Succeeded, rf.MeanDistortion));
        Assert.Equal(r1.MeanDistortion, r1.StoredDistortion);
        Assert.Equal(r1 with { Seconds = 0 }, r0 with { Seconds = 0 });

        // Clean activations of the sources, by the network.
        var ws = net.CreateWorkspace(data.Count);
        float[] clean = new float[data.Count * length];
        net.ForwardTo(ws, layer, data.Samples, clean, data.Count);
        var probe = new LbfgsAttack(net, attack);
        int clipped = 0;
        Assert.Equal(plain.Count, far.Count);
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.True(plain.Sample(i).SequenceEqual(unchanged.Sample(i)), "F = 1 is the default");
            Assert.Equal((plain.Source(i), plain.Label(i)), (far.Source(i), far.Label(i)));
            ReadOnlySpan<float> x = clean.AsSpan(plain.Source(i) * length, length), a = plain.Sample(i), stored = far.Sample(i);
            for (int j = 0; j < length; j++)
            {
                double unclipped = x[j] + F * ((double)a[j] - x[j]);
                float expected = (float)Math.Min(1.0, Math.Max(0.0, unclipped));
                if (unclipped < 0 || unclipped > 1) clipped++;
                Assert.Equal(expected, stored[j]);
            }

            Assert.NotEqual(far.Label(i), probe.Predict(stored));   // still on the wrong side, further from the boundary
        }

        Assert.True(clipped > 0, "the box must bite somewhere for the test to check the clipping");
        double storedMean = Enumerable.Range(0, far.Count).Average(i => Distortions.Rms(far.Sample(i), clean.AsSpan(far.Source(i) * length, length)));
        Assert.Equal(storedMean, rf.StoredDistortion, 6);
        Assert.True(rf.StoredDistortion > 1.5 * rf.MeanDistortion && rf.StoredDistortion <= F * rf.MeanDistortion * (1 + 1e-6), $"stored {rf.StoredDistortion} vs made {rf.MeanDistortion}");

        Assert.Throws<ArgumentOutOfRangeException>(() => far.Refresh(net, data, 5, attack, seed: 1, overshoot: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => far.Refresh(net, data, 5, attack, seed: 1, overshoot: double.NaN));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Pool_refresh_with_a_fixed_distortion_stores_the_clipped_example_at_that_size(int layer)
    {
        Dataset data = Synthetic(300, 7);
        IClassifier net = new SigmoidNet(4);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 3, BatchSize = 20, LearningRate = 0.5f, Seed = 2, Threads = 1 });
        int length = net.ActivationLength(layer);
        AttackOptions attack = AdversarialTrainingOptions.CheapAttack with { Layer = layer };
        var plain = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        var sized = new AdversarialPool(layer, capacity: 40, sampleLength: length);
        PoolRefresh r1 = plain.Refresh(net, data, 25, attack, seed: 9, threads: 1);
        // The mean minimum distortion as the size: some perturbations are stretched, the others shrunk.
        double size = r1.MeanDistortion;
        PoolRefresh rd = sized.Refresh(net, data, 25, attack, seed: 9, threads: 1, distortion: size);
        Assert.Equal((r1.Succeeded, r1.MeanDistortion), (rd.Succeeded, rd.MeanDistortion));

        var ws = net.CreateWorkspace(data.Count);
        float[] clean = new float[data.Count * length];
        net.ForwardTo(ws, layer, data.Samples, clean, data.Count);
        int stretched = 0, shrunk = 0;
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.Equal((plain.Source(i), plain.Label(i)), (sized.Source(i), sized.Label(i)));
            ReadOnlySpan<float> x = clean.AsSpan(plain.Source(i) * length, length), a = plain.Sample(i), stored = sized.Sample(i);
            double d = Distortions.Rms(a, x), factor = size / d;
            if (factor > 1) stretched++;
            else shrunk++;
            for (int j = 0; j < length; j++) Assert.Equal((float)Math.Min(1.0, Math.Max(0.0, x[j] + factor * ((double)a[j] - x[j]))), stored[j]);
            Assert.InRange(Distortions.Rms(stored, x), 0, size * (1 + 1e-5));
        }

        Assert.True(stretched > 0 && shrunk > 0, $"{stretched} stretched, {shrunk} shrunk");
        Assert.Equal(Enumerable.Range(0, sized.Count).Average(i => Distortions.Rms(sized.Sample(i), clean.AsSpan(sized.Source(i) * length, length))), rd.StoredDistortion, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => sized.Refresh(net, data, 5, attack, seed: 1, distortion: -0.1));
        Assert.Throws<ArgumentException>(() => sized.Refresh(net, data, 5, attack, seed: 1, overshoot: 2, distortion: 0.1));
    }

    [Fact]
    public void Overshoot_one_is_the_earlier_training_and_settings_line_and_other_values_change_both()
    {
        var defaults = new AdversarialTrainingOptions();
        Assert.Equal(1.0, defaults.Overshoot);
        Assert.DoesNotContain("overshoot", defaults.Describe());
        Assert.Equal(defaults.Describe(), (defaults with { Overshoot = 1 }).Describe());
        Assert.Equal(defaults.Describe().Replace(" warmup=", " overshoot=2.5 warmup=", StringComparison.Ordinal), (defaults with { Overshoot = 2.5 }).Describe());
        Assert.Equal(defaults.Describe().Replace(" warmup=", " distortion=0.25 warmup=", StringComparison.Ordinal), (defaults with { PoolDistortion = 0.25 }).Describe());

        Dataset data = Synthetic(240, 3);
        var sgd = new SgdOptions { Epochs = 3, BatchSize = 24, LearningRate = 0.3f, Seed = 4, Threads = 1 };
        var a = new SigmoidNet(1);
        var b = new SigmoidNet(1);
        var c = new SigmoidNet(1);
        AdversarialTrainingResult ra = AdversarialTrainer.Fit(a, data, sgd, SmallPools(0, 2) with { AttackThreads = 1 });
        AdversarialTrainingResult rb = AdversarialTrainer.Fit(b, data, sgd, SmallPools(0, 2) with { AttackThreads = 1, Overshoot = 1 });
        AdversarialTrainingResult rc = AdversarialTrainer.Fit(c, data, sgd, SmallPools(0, 2) with { AttackThreads = 1, Overshoot = 2 });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.Equal(ra.EpochLosses, rb.EpochLosses);
        Assert.All(ra.Pools, p => Assert.Equal(p.MeanDistortion, p.StoredDistortion));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
        Assert.All(rc.Pools, p => Assert.True(p.StoredDistortion > 1.2 * p.MeanDistortion, $"pool {p.Layer}: stored {p.StoredDistortion} vs made {p.MeanDistortion}"));
    }

    /// <summary>Small, often refreshed pools with a short attack, for training tests on small synthetic sets.</summary>
    internal static AdversarialTrainingOptions SmallPools(params int[] layers) => new()
    {
        Layers = layers,
        PoolSize = 40,
        RefreshFraction = 0.25,
        RefreshPeriod = 7,
        MixingRatio = 0.5,
        WarmupEpochs = 1,
        Attack = AdversarialTrainingOptions.CheapAttack with { MaxIterations = 20, MaxEvaluations = 40 },
    };

    [Fact]
    public void Adversarial_training_is_deterministic_for_a_seed_whatever_the_thread_count()
    {
        Dataset data = Synthetic(240, 3);
        var sgd = new SgdOptions { Epochs = 3, BatchSize = 24, LearningRate = 0.3f, Seed = 4 };
        AdversarialTrainingResult Train(IClassifier net, int threads, ulong seed) =>
            AdversarialTrainer.Fit(net, data, sgd with { Threads = threads, Seed = seed }, SmallPools(0, 2) with { AttackThreads = threads });

        var a = new SigmoidNet(1);
        var b = new SigmoidNet(1);
        var c = new SigmoidNet(1);
        AdversarialTrainingResult ra = Train(a, 1, 4), rb = Train(b, 2, 4), rc = Train(c, 2, 5);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.Equal(ra.EpochLosses, rb.EpochLosses);
        Assert.Equal(ra.Pools.Select(p => (p.Refreshes, p.Attacked, p.Succeeded, p.FinalCount)), rb.Pools.Select(p => (p.Refreshes, p.Attacked, p.Succeeded, p.FinalCount)));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));

        // The pools were used: 20 steps after a 10-step warm-up → refreshes at steps 10, 17 (and 24 in epoch 3: 30 steps in all).
        Assert.All(ra.Pools, p => Assert.Equal(3, p.Refreshes));
        Assert.All(ra.Pools, p => Assert.True(p.Succeeded > 0 && p.FinalCount == Math.Min(40, (int)p.Succeeded)));
    }

    [Fact]
    public void Fewer_pool_examples_per_step_than_pools_are_shared_by_all_pools()
    {
        // One pool example per step (mix 1/24 of a batch of 24) for two pools: the one example goes to each pool in
        // turn, not always to the first (20 steps with pools after the 10-step warm-up: 10 each).
        Dataset data = Synthetic(240, 3);
        var sgd = new SgdOptions { Epochs = 3, BatchSize = 24, LearningRate = 0.3f, Seed = 4, Threads = 1 };
        AdversarialTrainingResult r = AdversarialTrainer.Fit(new SigmoidNet(1), data, sgd, SmallPools(0, 2) with { MixingRatio = 1.0 / 24, AttackThreads = 1 });
        Assert.Equal(new long[] { 10, 10 }, r.Pools.Select(p => p.Drawn).ToArray());

        // Three per step for two pools: 3 = 1 + 2 and 2 + 1 alternately, 30 each over the 20 steps.
        AdversarialTrainingResult r3 = AdversarialTrainer.Fit(new SigmoidNet(1), data, sgd, SmallPools(0, 2) with { MixingRatio = 3.0 / 24, AttackThreads = 1 });
        Assert.Equal(new long[] { 30, 30 }, r3.Pools.Select(p => p.Drawn).ToArray());
    }

    [Fact]
    public void Without_pools_the_adversarial_trainer_follows_the_plain_trainer()
    {
        Dataset data = Synthetic(200, 4);
        var sgd = new SgdOptions { Epochs = 2, BatchSize = 20, LearningRate = 0.3f, Seed = 2, Threads = 2 };
        var a = new SigmoidNet(6);
        var b = new SigmoidNet(6);
        Trainer.Fit(a, data, sgd);
        AdversarialTrainer.Fit(b, data, sgd, new AdversarialTrainingOptions());
        float[] pa = a.Parameters.ToArray(), pb = b.Parameters.ToArray();
        // The same objective summed in another order: equal up to float rounding.
        double diff = pa.Zip(pb, (x, y) => Math.Abs(x - y)).Max(), scale = pa.Max(Math.Abs);
        Assert.True(diff <= 1e-4 * scale, $"largest difference {diff} (scale {scale})");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Layer_k_pool_examples_change_only_the_layers_above_k(int layer)
    {
        // Two single steps with the same clean batch and the same pool draws but different pool contents: the parameters
        // may differ only in the layers above k. (One step: after it, the clean examples' gradients of the lower layers
        // would differ too, through the changed layers above.) The pools are pre-filled; the warm-up epoch never refreshes them.
        var data = new Dataset("d", Enumerable.Range(0, 12 * 30).Select(i => (i * 37 % 101) / 101f).ToArray(), Enumerable.Range(0, 12).Select(i => i % 10).ToArray(), 30, 10);
        var sgd = new SgdOptions { Epochs = 1, BatchSize = 12, LearningRate = 0.2f, Seed = 3, Threads = 2 };
        var options = new AdversarialTrainingOptions { Layers = new[] { layer }, PoolSize = 20, MixingRatio = 0.5, WarmupEpochs = 1 };
        IClassifier Train(ulong contentSeed)
        {
            var net = new DeepImageNet(9);
            using var trainer = new AdversarialTrainer(net, data, sgd, options);
            var random = new SeededRandom(contentSeed);
            int length = DeepImageNet.Layout.ActivationLength(layer);
            trainer.Pools[0].Insert(Enumerable.Range(0, 20 * length).Select(_ => random.NextSingle()).ToArray(), Enumerable.Range(0, 20).Select(i => i % 10).ToArray(), random);
            trainer.Run();
            return net;
        }

        IClassifier a = Train(1), b = Train(2);
        foreach (LayerInfo l in a.Summary.Layers.Where(l => l.Kind == LayerKind.Dense))
        {
            bool differs = !a.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength).SequenceEqual(b.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength));
            Assert.True(differs == l.Index > layer, $"{l.Name} (layer {l.Index}) {(differs ? "changed" : "did not change")} with layer-{layer} pool examples");
        }
    }

    [Fact]
    public void Bad_settings_are_rejected_with_the_setting_named()
    {
        var net = new SigmoidNet(1);
        Assert.Contains("Pool layer 4", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { Layers = new[] { 4 } }.Validate(net)).Message);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { Layers = new[] { 0, 0 } }.Validate(net)).Message);
        Assert.Contains("RefreshFraction", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { RefreshFraction = 0 }.Validate(net)).Message);
        Assert.Contains("MixingRatio", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { MixingRatio = -1 }.Validate(net)).Message);
        Assert.Contains("PoolSize", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { PoolSize = 0 }.Validate(net)).Message);
        Assert.Contains("RefreshPeriod", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { RefreshPeriod = 0 }.Validate(net)).Message);
        Assert.Contains("WarmupEpochs", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { WarmupEpochs = -1 }.Validate(net)).Message);
        foreach (double f in new[] { 0.99, 0, -1, double.NaN, double.PositiveInfinity })
        {
            Assert.Contains("Overshoot", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { Overshoot = f }.Validate(net)).Message);
        }

        foreach (double d in new[] { -0.01, double.NaN, double.PositiveInfinity })
        {
            Assert.Contains("PoolDistortion", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { PoolDistortion = d }.Validate(net)).Message);
        }

        Assert.Contains("set one of them", Assert.Throws<ArgumentException>(() => new AdversarialTrainingOptions { PoolDistortion = 0.1, Overshoot = 2 }.Validate(net)).Message);
        new AdversarialTrainingOptions { PoolDistortion = 0.1 }.Validate(net);
        new AdversarialTrainingOptions { Overshoot = 1 }.Validate(net);
        new AdversarialTrainingOptions { Overshoot = 7.5 }.Validate(net);
    }
}
