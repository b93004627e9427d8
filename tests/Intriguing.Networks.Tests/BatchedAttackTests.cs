using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Networks.Tests;

// Above its sigmoid layer this network is a two-class linear soft-max: attacked there, the minimum distortion has a closed form.
[Network, Input(12), Dense(30), Sigmoid, Dense(2), Softmax]
public partial class HiddenBinaryNet;

/// <summary>The batched attacks on generated networks: batch and thread invariance, hidden layers.</summary>
public class BatchedAttackTests
{
    private static Dataset Uniform(INetwork net, int layer, int count, ulong seed, double lo, double hi)
    {
        var random = new SeededRandom(seed);
        int n = net.ActivationLength(layer);
        var samples = new float[count * n];
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)(lo + ((hi - lo) * random.NextDouble()));
        var ws = net.CreateWorkspace(1);
        var output = new float[net.OutputLength];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            net.ForwardFrom(ws, layer, samples.AsSpan(s * n, n), output, 1);
            labels[s] = Array.IndexOf(output, output.Max());
        }

        return new Dataset("uniform", samples, labels, n, net.OutputLength);
    }

    private static IAttack[] Attacks(int layer) =>
    [
        new Fgsm(new FgsmOptions { Layer = layer, Epsilon = 0.05 }),
        new Pgd(new PgdOptions { Layer = layer, Epsilon = 0.05, Steps = 10, Seed = 3 }),
        new DeepFool(new DeepFoolOptions { Layer = layer, Steps = 10 }),
        new Ddn(new DdnOptions { Layer = layer, Steps = 20 }),
        new Fmn(new FmnOptions { Layer = layer, Norm = AttackNorm.LInf, Steps = 20 }),
        new CarliniWagner(new CarliniWagnerOptions { Layer = layer, Steps = 10, BinarySteps = 2, InitialConst = 1 }),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Results_are_identical_for_any_batch_size_and_thread_count_on_a_network_with_matrix_products(int layer)
    {
        // DeepImageNet's 37 → 100 dense layer takes a different kernel path from 16 rows up: the attacks must not let
        // the batch size change which path a row takes.
        var net = new DeepImageNet(seed: 3);
        Dataset data = Uniform(net, layer, 40, seed: 8, 0, 1);
        int[] all = Enumerable.Range(0, data.Count).ToArray();
        foreach (IAttack attack in Attacks(layer))
        {
            AttackResult[] reference = attack.Run(net, data, all, execution: new AttackExecution { BatchSize = 1, Threads = 1 });
            foreach ((int batch, int threads) in new[] { (7, 2), (16, 1), (40, 2) })
            {
                AttackResult[] other = attack.Run(net, data, all, execution: new AttackExecution { BatchSize = batch, Threads = threads });
                for (int e = 0; e < all.Length; e++)
                {
                    Assert.Equal(reference[e].Success, other[e].Success);
                    Assert.Equal(reference[e].Adversarial, other[e].Adversarial);
                    Assert.Equal(reference[e].Gradients, other[e].Gradients);
                }
            }

            Assert.Contains(reference, r => r.Success);
        }
    }

    [Fact]
    public void An_example_the_network_already_misclassifies_is_reported_as_by_the_LBFGS_attack()
    {
        // Labels are the network's predictions, then every third one is changed: those examples are misclassified.
        var net = new DeepImageNet(seed: 3);
        Dataset clean = Uniform(net, 0, 24, seed: 9, 0, 1);
        int[] labels = clean.Labels.Select((l, i) => i % 3 == 0 ? (l + 1) % net.OutputLength : l).ToArray();
        var data = new Dataset("relabelled", clean.Samples, labels, clean.SampleLength, clean.Classes);
        int[] all = Enumerable.Range(0, data.Count).ToArray();
        AttackResult lbfgs = new LbfgsAttack(net).Targeted(data.Sample(0), labels[0], (labels[0] + 2) % net.OutputLength);
        Assert.True(lbfgs.Misclassified && !lbfgs.Success);
        foreach (IAttack attack in Attacks(0))
        {
            AttackResult[] results = attack.Run(net, data, all, execution: new AttackExecution { BatchSize = 5, Threads = 2 });
            for (int e = 0; e < all.Length; e++)
            {
                Assert.Equal(e % 3 == 0, results[e].Misclassified);
                if (e % 3 == 0) Assert.False(results[e].Success, $"{attack.Name}: misclassified example {e} reported as a success");
            }

            AttackStatistics stats = AttackStatistics.Of(results);
            Assert.Equal(8, stats.Misclassified);
            Assert.DoesNotContain(results.Where(r => r.Success), r => r.L2 == 0);

            // Not robust at any radius: the curve at 0 is the clean accuracy of the drawn examples.
            RobustnessPoint[] curve = Robustness.FromMinimumNorm(results, AttackNorm.L2, [0, 1e9]);
            Assert.Equal(16.0 / 24, curve[0].Accuracy, 12);
            Assert.True(curve[1].Accuracy <= curve[0].Accuracy);
        }
    }

    [Fact]
    public void The_convolutional_paper_model_gives_identical_results_for_any_batch_size()
    {
        var net = new MnistConv(seed: 2);
        Dataset data = Uniform(net, 0, 17, seed: 9, 0, 1);
        int[] all = Enumerable.Range(0, data.Count).ToArray();
        IAttack attack = new Fmn(new FmnOptions { Steps = 5 });
        AttackResult[] reference = attack.Run(net, data, all, execution: new AttackExecution { BatchSize = 1, Threads = 1 });
        AttackResult[] batched = attack.Run(net, data, all, execution: new AttackExecution { BatchSize = 17, Threads = 2 });
        for (int e = 0; e < all.Length; e++) Assert.Equal(reference[e].Adversarial, batched[e].Adversarial);
    }

    [Theory]
    [InlineData("deepfool")]
    [InlineData("ddn")]
    [InlineData("fmn")]
    [InlineData("cw")]
    public void At_a_hidden_layer_the_attacks_find_the_closed_form_minimum_of_the_linear_layers_above_it(string name)
    {
        var net = new HiddenBinaryNet(seed: 4);
        const int layer = 2;   // the sigmoid's output, box [0, 1]
        var random = new SeededRandom(6);
        for (int i = 0; i < net.Dense2Weights.Length; i++) net.Dense2Weights[i] = (float)random.NextGaussian();
        // Examples with a logit margin of at least 0.5, so that the attacks' decision margin (about 10⁻³ in logits)
        // moves the boundary by less than 0.2%.
        Dataset candidates = Uniform(net, layer, 200, seed: 12, 0.3, 0.7);
        var ws = net.CreateWorkspace(1);
        var p = new float[2];
        int[] wide = Enumerable.Range(0, candidates.Count).Where(s =>
        {
            net.ForwardFrom(ws, layer, candidates.Sample(s), p, 1);
            return Math.Abs(Math.Log(p[0]) - Math.Log(p[1])) >= 0.5;
        }).Take(10).ToArray();
        Assert.Equal(10, wide.Length);
        Dataset space = candidates.Subset(wide, "wide");
        IAttack attack = name switch
        {
            "deepfool" => new DeepFool(new DeepFoolOptions { Layer = layer }),
            "ddn" => new Ddn(new DdnOptions { Layer = layer }),
            "fmn" => new Fmn(new FmnOptions { Layer = layer }),
            _ => new CarliniWagner(new CarliniWagnerOptions { Layer = layer, Steps = 200 }),
        };
        AttackResult[] results = attack.Run(net, space, Enumerable.Range(0, space.Count).ToArray());
        float[] w = net.Dense2Weights.ToArray(), b = net.Dense2Bias.ToArray();
        int n = space.SampleLength;
        for (int e = 0; e < space.Count; e++)
        {
            ReadOnlySpan<float> h = space.Sample(e);
            int y = space.Labels[e], o = 1 - y;
            double zy = b[y], zo = b[o], q = 0;
            for (int i = 0; i < n; i++)
            {
                zy += (double)w[(y * n) + i] * h[i];
                zo += (double)w[(o * n) + i] * h[i];
                double d = (double)w[(y * n) + i] - w[(o * n) + i];
                q += d * d;
            }

            double exact = (zy - zo) / Math.Sqrt(q);
            for (int i = 0; i < n; i++)
            {
                // The closed-form minimiser is inside the box, so the box does not bind.
                double moved = h[i] - (exact * ((double)w[(y * n) + i] - w[(o * n) + i]) / Math.Sqrt(q));
                Assert.InRange(moved, 0.0, 1.0);
            }

            AttackResult r = results[e];
            Assert.True(r.Success);
            Assert.Equal(o, r.Predicted);
            Assert.All(r.Adversarial, v => Assert.InRange(v, 0f, 1f));
            Assert.InRange(r.L2, exact, 1.01 * exact);
        }
    }
}

/// <summary>The head-to-head's scoring on results whose optimality is worked out by hand.</summary>
public class HeadToHeadScoreTests
{
    private static AttackResult Result(int index, double? l2) =>
        new(index, 0, -1, l2.HasValue, l2.HasValue ? 1 : 0, double.NaN, double.NaN, 10, [], 0.5) { L2 = l2 ?? double.NaN, Gradients = 10, Forwards = 2 };

    [Fact]
    public void Optimality_is_the_best_area_over_the_attacks_area_with_failures_at_the_largest_distortion()
    {
        // A: 1, 2, failure; B: 1.5, 1, 2. ε_max = 2, the per-example best 1, 1, 2 (area 4); A's area 1 + 2 + 2 = 5,
        // B's 1.5 + 1 + 2 = 4.5.
        AttackResult[] a = [Result(0, 1), Result(1, 2), Result(2, null)];
        AttackResult[] b = [Result(0, 1.5), Result(1, 1), Result(2, 2)];
        HeadToHeadModel m = HeadToHeadExperiment.Score("M", 3, 0.1, [(new Ddn(), a, 1.0), (new Fmn(), b, 2.0)], sampleLength: 4);
        Assert.Equal(["ddn", "fmn-l2"], m.Rows.Select(r => r.Attack));
        Assert.Equal(4.0 / 5, m.Rows[0].Optimality, 12);
        Assert.Equal(4.0 / 4.5, m.Rows[1].Optimality, 12);
        Assert.Equal([2, 3], m.Rows.Select(r => r.Succeeded));
        Assert.Equal([1, 2], m.Rows.Select(r => r.Best));
        Assert.Equal(1.5, m.Rows[0].MedianL2);   // successes 1 and 2
        Assert.Equal(1.5, m.Rows[1].MedianL2);   // successes 1, 1.5 and 2
        Assert.Equal(1.5, m.Rows[0].MeanL2);
        Assert.Equal(1.5 / 2, m.Rows[0].MeanRms);
        Assert.Equal(4.0 / 3 / 2, m.EnsembleMeanRms, 12);
        Assert.Equal(10, m.Rows[1].MeanGradients);
    }
}
