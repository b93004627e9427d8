using Intriguing.Layers;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>[Dropout]: identity at inference, masked and rescaled in training mode, deterministic and independent of batch splits.</summary>
public class DropoutTests
{
    private const ulong Seed = 0xC0FFEE;
    private const int Batch = 6;

    private static (DropoutNet Net, double[][] Inputs, int[] Labels) Setup()
    {
        var net = new DropoutNet(21);
        var random = new SeededRandom(4);
        foreach (LayerInfo l in DropoutNet.Layout.Summary.Layers.Where(l => l.BiasOffset >= 0))
        {
            for (int j = 0; j < l.OutputLength; j++) net.Parameters[l.BiasOffset + j] = (float)(0.2 * random.NextGaussian());
        }

        double[][] inputs = Enumerable.Range(0, Batch).Select(_ => Enumerable.Range(0, DropoutNet.Layout.InputLength).Select(_ => (double)random.NextSingle()).ToArray()).ToArray();
        int[] labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(3)).ToArray();
        return (net, inputs, labels);
    }

    private static float[] Flat(double[][] rows) => rows.SelectMany(r => r).Select(v => (float)v).ToArray();

    private static NetworkWorkspace Training(DropoutNet net, long step, int offset, int maxBatch = Batch)
    {
        NetworkWorkspace ws = net.CreateWorkspace(maxBatch);
        ws.Training = true;
        ws.TrainingSeed = Seed;
        ws.TrainingStep = step;
        ws.SampleOffset = offset;
        return ws;
    }

    private static void Close(double expected, double actual, double scale, string what, double rtol = 2e-3, double atol = 1e-4)
    {
        double tolerance = rtol * Math.Abs(expected) + atol * Math.Max(scale, 1e-3);
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: expected {expected:G9}, got {actual:G9} (tolerance {tolerance:G3})");
    }

    [Fact]
    public void Summary_records_the_rates()
    {
        double[] rates = DropoutNet.Layout.Summary.Layers.Where(l => l.Kind == LayerKind.Dropout).Select(l => l.DropoutRate).ToArray();
        Assert.Equal(new[] { 0.2, 0.4, 0.25 }, rates);
        Assert.All(DropoutNet.Layout.Summary.Layers.Where(l => l.Kind != LayerKind.Dropout), l => Assert.Equal(0, l.DropoutRate));
    }

    [Fact]
    public void Training_gradients_match_central_differences_with_the_same_mask()
    {
        const long Step = 17;
        const int Offset = 5;
        var (net, inputs, labels) = Setup();
        var reference = new ReferenceNetwork(net);
        // The reference draws the mask of batch sample Offset + b from the documented hash, then differentiates in double.
        reference.DropoutMask = (layer, sample, unit) =>
            Dropout.Keep((float)DropoutNet.Layout.Summary.Layers[layer - 1].DropoutRate, Seed, Step, layer, Offset + sample, unit);
        double[] p = reference.Parameters();

        NetworkWorkspace ws = Training(net, Step, Offset);
        float[] gradient = new float[DropoutNet.Layout.ParameterBufferLength];
        float[] inputGradient = new float[Batch * DropoutNet.Layout.InputLength];
        float loss = net.LossAndGradient(ws, Flat(inputs), labels, Batch, gradient, inputGradient);
        Close(reference.Objective(p, inputs, labels, null), loss, 1, "loss", 1e-5, 1e-6);

        // The masks really drop something: the training loss differs from the inference loss.
        var inference = new ReferenceNetwork(net);
        Assert.NotEqual(inference.Objective(p, inputs, labels, null), reference.Objective(p, inputs, labels, null), 4);

        foreach (LayerInfo l in DropoutNet.Layout.Summary.Layers.Where(l => l.Kind == LayerKind.Dense))
        {
            int count = l.OutputLength * l.InputLength;
            double[] fd = Enumerable.Range(0, count).Select(i => ReferenceNetwork.CentralDifference(q => reference.Objective(q, inputs, labels, null), p, l.WeightOffset + i)).ToArray();
            double scale = fd.Max(Math.Abs);
            for (int i = 0; i < count; i++) Close(fd[i], gradient[l.WeightOffset + i], scale, $"{l.Name} ∂E/∂W[{i}]");
            for (int j = 0; j < l.OutputLength; j++)
            {
                double g = ReferenceNetwork.CentralDifference(q => reference.Objective(q, inputs, labels, null), p, l.BiasOffset + j);
                Close(g, gradient[l.BiasOffset + j], scale, $"{l.Name} ∂E/∂b[{j}]");
            }
        }

        for (int b = 0; b < Batch; b++)
        {
            int sample = b;
            double[] xfd = Enumerable.Range(0, DropoutNet.Layout.InputLength).Select(i => ReferenceNetwork.CentralDifference(x =>
            {
                double[][] changed = (double[][])inputs.Clone();
                changed[sample] = x;
                return reference.Objective(p, changed, labels, null);
            }, (double[])inputs[b].Clone(), i)).ToArray();
            double xscale = Math.Max(xfd.Max(Math.Abs), 1e-3);
            for (int i = 0; i < DropoutNet.Layout.InputLength; i++) Close(xfd[i], inputGradient[b * DropoutNet.Layout.InputLength + i], xscale, $"∂E/∂x[{b},{i}]");
        }

        // Backward after the training pass uses the same masks: ∂⟨g, y⟩/∂x through it equals the reference.
        var random = new SeededRandom(8);
        double[][] g0 = inputs.Select(_ => Enumerable.Range(0, 3).Select(_ => random.NextGaussian()).ToArray()).ToArray();
        float[] backInput = new float[Batch * DropoutNet.Layout.InputLength];
        net.Backward(ws, Flat(g0), default, backInput);
        double[] x0 = (double[])inputs[2].Clone();
        double[] bfd = Enumerable.Range(0, DropoutNet.Layout.InputLength).Select(i => ReferenceNetwork.CentralDifference(
            x => reference.Forward(p, x, 0, 2)[^1].Zip(g0[2], (y, w) => y * w).Sum(), x0, i)).ToArray();
        for (int i = 0; i < DropoutNet.Layout.InputLength; i++) Close(bfd[i], backInput[2 * DropoutNet.Layout.InputLength + i], bfd.Max(Math.Abs), $"Backward ∂/∂x[2,{i}]");
    }

    [Fact]
    public void Inference_passes_are_the_identity_even_in_training_mode()
    {
        var (net, inputs, labels) = Setup();
        var reference = new ReferenceNetwork(net);   // no mask: dropout is the identity
        double[] p = reference.Parameters();
        NetworkWorkspace ws = Training(net, 3, 0);
        float[] outputs = new float[Batch * 3];
        net.Forward(ws, Flat(inputs), outputs, Batch);
        for (int b = 0; b < Batch; b++)
        {
            double[] expected = reference.Forward(p, inputs[b])[^1];
            for (int i = 0; i < 3; i++) Close(expected[i], outputs[b * 3 + i], 1, $"output [{b},{i}]", 1e-5, 1e-6);
        }

        // ForwardTo / ForwardFrom: identity too.
        float[] a5 = new float[Batch * DropoutNet.Layout.Activation5Length];
        net.ForwardTo(ws, 5, Flat(inputs), a5, Batch);
        float[] again = new float[Batch * 3];
        net.ForwardFrom(ws, 5, a5, again, Batch);
        Assert.Equal(outputs, again);

        // With training mode off, LossAndGradient and the per-sample layer loss are inference passes.
        ws.Training = false;
        float[] grad = new float[Batch * DropoutNet.Layout.Activation5Length];
        float layerLoss = net.LossAndLayerGradient(ws, 5, a5, labels, Batch, grad);
        double expectedLoss = Enumerable.Range(0, Batch).Sum(b => reference.SampleLoss(p, inputs[b], labels[b], null));
        Close(expectedLoss, layerLoss, expectedLoss, "layer loss", 1e-5, 1e-6);
        float loss = net.LossAndGradient(ws, Flat(inputs), labels, Batch, new float[DropoutNet.Layout.ParameterBufferLength]);
        Close(reference.Objective(p, inputs, labels, null), loss, 1, "inference objective", 1e-5, 1e-6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    public void Layer_loss_in_training_mode_masks_only_the_dropout_layers_above_the_layer(int layer)
    {
        const long Step = 9;
        const int Offset = 3;
        var (net, inputs, labels) = Setup();
        var plain = new ReferenceNetwork(net);
        double[] p = plain.Parameters();
        // Activations of the layer at inference (the caller gives them; no dropout below the layer is involved).
        double[][] start = inputs.Select(x => plain.Forward(p, x)[layer]).ToArray();
        var masked = new ReferenceNetwork(net)
        {
            DropoutMask = (k, sample, unit) => Dropout.Keep((float)DropoutNet.Layout.Summary.Layers[k - 1].DropoutRate, Seed, Step, k, Offset + sample, unit),
        };

        NetworkWorkspace ws = Training(net, Step, Offset);
        float[] activationGradient = new float[Batch * start[0].Length];
        float[] gradient = new float[DropoutNet.Layout.ParameterBufferLength];
        float loss = net.LossAndLayerGradient(ws, layer, Flat(start), labels, Batch, activationGradient, gradient);
        double expected = Enumerable.Range(0, Batch).Sum(b => masked.SampleLoss(p, start[b], labels[b], null, layer, b));
        Close(expected, loss, expected, $"masked layer-{layer} loss", 1e-5, 1e-6);
        double inference = Enumerable.Range(0, Batch).Sum(b => plain.SampleLoss(p, start[b], labels[b], null, layer, b));
        Assert.True(Math.Abs(expected - inference) > 1e-3 * inference, $"the masks above layer {layer} change nothing; the test cannot tell");

        // Gradients with respect to the activation: central differences of the masked reference, sample by sample.
        for (int b = 0; b < Batch; b++)
        {
            int sample = b;
            double[] fd = Enumerable.Range(0, start[b].Length).Select(i => ReferenceNetwork.CentralDifference(
                a => masked.SampleLoss(p, a, labels[sample], null, layer, sample), (double[])start[b].Clone(), i)).ToArray();
            double scale = Math.Max(fd.Max(Math.Abs), 1e-3);
            for (int i = 0; i < fd.Length; i++) Close(fd[i], activationGradient[b * fd.Length + i], scale, $"∂E/∂a{layer}[{b},{i}]");
        }

        // And with respect to the parameters of the first dense layer above it.
        LayerInfo dense = DropoutNet.Layout.Summary.Layers.First(l => l.Kind == LayerKind.Dense && l.Index > layer);
        double Summed(double[] q) => Enumerable.Range(0, Batch).Sum(b => masked.SampleLoss(q, start[b], labels[b], null, layer, b));
        double[] wfd = Enumerable.Range(0, dense.OutputLength * dense.InputLength).Select(i => ReferenceNetwork.CentralDifference(Summed, p, dense.WeightOffset + i)).ToArray();
        double wscale = wfd.Max(Math.Abs);
        for (int i = 0; i < wfd.Length; i++) Close(wfd[i], gradient[dense.WeightOffset + i], wscale, $"{dense.Name} ∂E/∂W[{i}]");
    }

    [Fact]
    public void Masks_are_deterministic_and_change_with_seed_step_sample_and_layer()
    {
        var (net, inputs, labels) = Setup();
        float[] Gradient(ulong seed, long step, int offset)
        {
            NetworkWorkspace ws = Training(net, step, offset);
            ws.TrainingSeed = seed;
            float[] g = new float[DropoutNet.Layout.ParameterBufferLength];
            net.LossAndGradient(ws, Flat(inputs), labels, Batch, g);
            return g;
        }

        Assert.Equal(Gradient(Seed, 4, 0), Gradient(Seed, 4, 0));
        Assert.NotEqual(Gradient(Seed, 4, 0), Gradient(Seed, 5, 0));
        Assert.NotEqual(Gradient(Seed, 4, 0), Gradient(Seed + 1, 4, 0));
        Assert.NotEqual(Gradient(Seed, 4, 0), Gradient(Seed, 4, 1));

        // The keep rate is 1 − p: 200,000 draws per rate, within 5 standard deviations.
        foreach (float rate in new[] { 0f, 0.1f, 0.5f, 0.9f })
        {
            int kept = 0, n = 0;
            for (int s = 0; s < 400; s++)
            {
                for (int u = 0; u < 500; u++, n++) kept += Dropout.Keep(rate, Seed, s % 7, 3, s, u) ? 1 : 0;
            }

            double sd = Math.Sqrt(n * rate * (1 - rate));
            Assert.True(Math.Abs(kept - n * (1 - rate)) <= 5 * sd + 1e-9, $"p = {rate}: kept {kept} of {n}");
        }

        // Two layers draw different masks at the same coordinates.
        int differ = Enumerable.Range(0, 1000).Count(u => Dropout.Keep(0.5f, Seed, 1, 2, 0, u) != Dropout.Keep(0.5f, Seed, 1, 4, 0, u));
        Assert.InRange(differ, 400, 600);
    }

    [Fact]
    public void A_batch_split_in_two_gets_the_masks_of_the_whole_batch()
    {
        var (net, inputs, labels) = Setup();
        float[] x = Flat(inputs);
        int n = DropoutNet.Layout.InputLength;
        float[] whole = new float[DropoutNet.Layout.ParameterBufferLength];
        float wholeLoss = net.LossAndGradient(Training(net, 9, 0), x, labels, Batch, whole);

        float[] first = new float[DropoutNet.Layout.ParameterBufferLength], second = new float[DropoutNet.Layout.ParameterBufferLength];
        float l1 = net.LossAndGradient(Training(net, 9, 0, 2), x.AsSpan(0, 2 * n), labels.AsSpan(0, 2), 2, first);
        float l2 = net.LossAndGradient(Training(net, 9, 2, 4), x.AsSpan(2 * n), labels.AsSpan(2), 4, second);
        Close(wholeLoss, (2 * l1 + 4 * l2) / 6, 1, "split loss", 1e-5, 1e-6);
        double scale = whole.Max(Math.Abs);
        for (int i = 0; i < whole.Length; i++) Close(whole[i], (2 * first[i] + 4 * second[i]) / 6, scale, $"split ∂E/∂θ[{i}]", 1e-4, 1e-5);
    }

    private static Intriguing.Data.Dataset Synthetic(int count)
    {
        var random = new SeededRandom(6);
        float[] x = new float[count * 7];
        int[] y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = random.NextInt(3);
            // In [0, 1), the box the attacks on the input require.
            for (int j = 0; j < 7; j++) x[i * 7 + j] = (random.NextSingle() + (j % 3 == y[i] ? 1f : 0f)) / 2;
        }

        // Values lie in [0, 2): declared, so that attacks on the input search that box.
        return new Intriguing.Data.Dataset("synthetic", x, y, 7, 3) { InputRange = new ActivationBox(0, 2) };
    }

    [Fact]
    public void Trainer_applies_dropout_deterministically_whatever_the_threads()
    {
        Intriguing.Data.Dataset data = Synthetic(120);
        var options = new SgdOptions { Epochs = 2, BatchSize = 12, Seed = 4, LearningRate = 0.05f };
        var a = new DropoutNet(2);
        var b = new DropoutNet(2);
        var off = new DropoutNet(2);
        Trainer.Fit(a, data, options with { Threads = 1 });
        Trainer.Fit(b, data, options with { Threads = 2 });
        Trainer.Fit(off, data, options with { Dropout = false });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(off.Parameters));

        // A network without dropout trains to the same parameters whether training mode is on or off.
        Intriguing.Data.Dataset five = new("synthetic", data.Samples.Where((_, i) => i % 7 < 5).ToArray(), data.Labels, 5, 3);
        var plainOn = new FlatNormNet(3);
        var plainOff = new FlatNormNet(3);
        Trainer.Fit(plainOn, five, options);
        Trainer.Fit(plainOff, five, options with { Dropout = false });
        Assert.True(plainOn.Parameters.SequenceEqual(plainOff.Parameters));

        // One chunk or two: the same masks, so the same parameters up to the order of the float sums.
        var one = new DropoutNet(2);
        Trainer.Fit(one, data, options with { Chunks = 1 });
        float[] pa = a.Parameters.ToArray(), po = one.Parameters.ToArray();
        double scale = pa.Max(Math.Abs);
        for (int i = 0; i < pa.Length; i++) Assert.True(Math.Abs(pa[i] - po[i]) <= 1e-4 * scale, $"θ[{i}]: {pa[i]} vs {po[i]} with one chunk");
    }
    [Fact]
    public void Adversarial_trainer_without_pools_draws_the_masks_of_the_plain_trainer()
    {
        Intriguing.Data.Dataset data = Synthetic(120);
        var options = new SgdOptions { Epochs = 2, BatchSize = 12, Seed = 4, LearningRate = 0.05f, Threads = 2 };
        var plain = new DropoutNet(2);
        var adversarial = new DropoutNet(2);
        var off = new DropoutNet(2);
        Trainer.Fit(plain, data, options);
        AdversarialTrainer.Fit(adversarial, data, options, new AdversarialTrainingOptions());
        AdversarialTrainer.Fit(off, data, options with { Dropout = false }, new AdversarialTrainingOptions());
        float[] pa = plain.Parameters.ToArray(), pb = adversarial.Parameters.ToArray(), pc = off.Parameters.ToArray();
        double scale = pa.Max(Math.Abs);
        // The same masks and objective, summed in another order: equal up to float rounding; without dropout, not.
        double diff = pa.Zip(pb, (x, y) => Math.Abs(x - y)).Max(), offDiff = pa.Zip(pc, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(diff <= 1e-4 * scale, $"largest difference {diff} (scale {scale})");
        Assert.True(offDiff > 100 * diff, $"dropout off differs by only {offDiff}");
    }

    [Fact]
    public void Adversarial_training_with_dropout_is_deterministic_and_masks_the_pool_examples()
    {
        Intriguing.Data.Dataset data = Synthetic(240);
        var sgd = new SgdOptions { Epochs = 3, BatchSize = 24, Seed = 4, LearningRate = 0.1f };
        AdversarialTrainingOptions pools = AdversarialTrainingTests.SmallPools(0, 3);
        (DropoutNet Net, AdversarialTrainingResult Result) Train(int threads, bool dropout)
        {
            var net = new DropoutNet(5);
            AdversarialTrainingResult r = AdversarialTrainer.Fit(net, data, sgd with { Threads = threads, Dropout = dropout }, pools with { AttackThreads = threads });
            return (net, r);
        }

        var (a, ra) = Train(1, true);
        var (b, rb) = Train(2, true);
        var (c, _) = Train(2, false);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.Equal(ra.EpochLosses, rb.EpochLosses);
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
        Assert.All(ra.Pools, p => Assert.True(p.Succeeded > 0 && p.Drawn > 0, $"pool {p.Layer} made {p.Succeeded} and drew {p.Drawn}"));
    }

    [Fact]
    public void A_dropout_activation_keeps_the_box_of_its_input()
    {
        var net = new DropoutNet(1);
        Assert.Equal((0.0, 1.0), Intriguing.Adversarial.LbfgsAttack.DefaultBox(net, 1));
        Assert.Equal((0.0, double.PositiveInfinity), Intriguing.Adversarial.LbfgsAttack.DefaultBox(net, 4));
        Assert.Equal((-1.0, 1.0), Intriguing.Adversarial.LbfgsAttack.DefaultBox(net, 7));
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), Intriguing.Adversarial.LbfgsAttack.DefaultBox(net, 2));
    }
}
