using Intriguing.Paper;

namespace Intriguing.Networks.Tests;

/// <summary>Forward passes and every gradient of generated networks against the double-precision reference.</summary>
public class GradientTests
{
    private static readonly Dictionary<string, Func<INetwork>> s_factories = new()
    {
        ["SigmoidNet"] = () => new SigmoidNet(11),
        ["TanhReluNet"] = () => new TanhReluNet(12),
        ["OneUnitNet"] = () => new OneUnitNet(13),
        ["RegressionNet"] = () => new RegressionNet(14),
        ["LinearOutputNet"] = () => new LinearOutputNet(15),
        ["DeepImageNet"] = () => new DeepImageNet(16),
        ["Fc100x100x10"] = () => new Fc100x100x10(17),
        ["DropoutNet"] = () => new DropoutNet(18),
        ["ConvZeroNet"] = () => new ConvZeroNet(19),
        ["ConvCircularNet"] = () => new ConvCircularNet(20),
        ["PoolNet"] = () => new PoolNet(21),
        ["OverlapPoolNet"] = () => new OverlapPoolNet(22),
        ["AvgPoolNet"] = () => new AvgPoolNet(26),
        ["NormNet"] = () => new NormNet(23),
        ["FlatNormNet"] = () => new FlatNormNet(24),
        ["ConvRegressionNet"] = () => new ConvRegressionNet(25),
    };

    public static TheoryData<string> Networks() => new(s_factories.Keys);

    private static (INetwork Net, double[][] Inputs, int[] Labels, double[][]? Targets) Setup(string name, int batch)
    {
        INetwork net = s_factories[name]();
        var random = new SeededRandom(99);

        // Non-zero biases, so that a bias that is never applied would be caught.
        foreach (LayerInfo l in net.Summary.Layers.Where(l => l.BiasOffset >= 0))
        {
            for (int j = 0; j < ReferenceNetwork.BiasCount(l); j++) net.Parameters[l.BiasOffset + j] = (float)(0.2 * random.NextGaussian());
        }

        double[][] inputs = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, net.InputLength).Select(_ => (double)random.NextSingle()).ToArray()).ToArray();
        int[] labels = Enumerable.Range(0, batch).Select(_ => random.NextInt(net.OutputLength)).ToArray();
        double[][]? targets = net is IRegressor
            ? Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, net.OutputLength).Select(_ => (double)random.NextSingle()).ToArray()).ToArray()
            : null;
        return (net, inputs, labels, targets);
    }

    private static float[] Flat(double[][] rows) => rows.SelectMany(r => r).Select(v => (float)v).ToArray();

    /// <summary>|actual − expected| ≤ rtol·|expected| + atol·scale: float arithmetic against a double reference.</summary>
    private static void Close(double expected, double actual, double scale, string what, double rtol = 2e-3, double atol = 1e-4)
    {
        double tolerance = rtol * Math.Abs(expected) + atol * Math.Max(scale, 1e-3);
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: expected {expected:G9}, got {actual:G9} (tolerance {tolerance:G3})");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_matches_the_reference_for_single_samples_and_batches(string name)
    {
        const int Batch = 5;
        var (net, inputs, _, _) = Setup(name, Batch);
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        NetworkWorkspace ws = net.CreateWorkspace(Batch);
        float[] batchOut = new float[Batch * net.OutputLength];
        net.Forward(ws, Flat(inputs), batchOut, Batch);

        for (int b = 0; b < Batch; b++)
        {
            double[] expected = reference.Forward(p, inputs[b])[^1];
            float[] single = new float[net.OutputLength];
            net.Forward(ws, Flat(inputs).AsSpan(b * net.InputLength, net.InputLength), single);
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < expected.Length; i++)
            {
                Close(expected[i], single[i], scale, $"{name} sample {b} output {i}", 1e-5, 1e-5);
                Close(expected[i], batchOut[b * net.OutputLength + i], scale, $"{name} batch sample {b} output {i}", 1e-5, 1e-5);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Parameter_and_input_gradients_match_central_differences(string name)
    {
        const int Batch = 3;
        var (net, inputs, labels, targets) = Setup(name, Batch);
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        NetworkWorkspace ws = net.CreateWorkspace(Batch);
        float[] gradient = Enumerable.Repeat(float.NaN, net.ParameterBufferLength).ToArray();   // must be fully overwritten
        float[] inputGradient = new float[Batch * net.InputLength];
        float loss = targets is null
            ? ((IClassifier)net).LossAndGradient(ws, Flat(inputs), labels, Batch, gradient, inputGradient)
            : ((IRegressor)net).LossAndGradient(ws, Flat(inputs), Flat(targets), Batch, gradient, inputGradient);

        double expectedLoss = reference.Objective(p, inputs, labels, targets);
        Close(expectedLoss, loss, Math.Abs(expectedLoss), $"{name} loss", 1e-5, 1e-6);

        // Parameters: every bias and up to 400 weights, sampled with a fixed seed.
        var random = new SeededRandom(5);
        var indices = new List<int>();
        foreach (LayerInfo l in net.Summary.Layers.Where(l => l.WeightOffset >= 0))
        {
            int count = ReferenceNetwork.WeightCount(l);
            for (int s = 0; s < Math.Min(count, 400 / net.Summary.Layers.Count(x => x.WeightOffset >= 0) + 1); s++) indices.Add(l.WeightOffset + random.NextInt(count));
            if (l.BiasOffset >= 0) indices.AddRange(Enumerable.Range(l.BiasOffset, ReferenceNetwork.BiasCount(l)));
        }

        double[] fd = indices.Select(i => ReferenceNetwork.CentralDifference(q => reference.Objective(q, inputs, labels, targets), p, i)).ToArray();
        double scale = fd.Max(Math.Abs);
        for (int n = 0; n < indices.Count; n++) Close(fd[n], gradient[indices[n]], scale, $"{name} ∂E/∂θ[{indices[n]}]");

        // Padding between parameter blocks never receives gradient.
        var used = new bool[net.ParameterBufferLength];
        foreach (LayerInfo l in net.Summary.Layers.Where(l => l.WeightOffset >= 0))
        {
            for (int i = 0; i < ReferenceNetwork.WeightCount(l); i++) used[l.WeightOffset + i] = true;
            for (int i = 0; i < ReferenceNetwork.BiasCount(l); i++) used[l.BiasOffset + i] = true;
        }

        for (int i = 0; i < used.Length; i++)
        {
            if (!used[i]) Assert.Equal(0f, gradient[i]);
        }

        Assert.Equal(net.Summary.Parameters, used.Count(u => u));

        // Inputs: the gradient of the same objective with respect to every input value.
        for (int b = 0; b < Batch; b++)
        {
            double[] xfd = new double[net.InputLength];
            for (int i = 0; i < net.InputLength; i++)
            {
                int sample = b;
                xfd[i] = ReferenceNetwork.CentralDifference(x =>
                {
                    double[][] changed = (double[][])inputs.Clone();
                    changed[sample] = x;
                    return reference.Objective(p, changed, labels, targets);
                }, (double[])inputs[b].Clone(), i);
            }

            double xscale = xfd.Max(Math.Abs);
            for (int i = 0; i < net.InputLength; i++) Close(xfd[i], inputGradient[b * net.InputLength + i], xscale, $"{name} ∂E/∂x[{b},{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Hidden_layer_gradients_match_central_differences(string name)
    {
        var (net, inputs, labels, _) = Setup(name, 2);
        if (net is not IClassifier classifier) return; // label losses only; regression nets have none
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        NetworkWorkspace ws = net.CreateWorkspace(2);

        for (int layer = 0; layer < net.LayerCount; layer++)
        {
            int length = net.ActivationLength(layer);
            float[] acts = new float[2 * length];
            net.ForwardTo(ws, layer, Flat(inputs), acts, 2);
            float[] grads = new float[2 * length];
            float loss = classifier.LossAndLayerGradient(ws, layer, acts, labels, 2, grads);

            double expectedLoss = 0;
            for (int b = 0; b < 2; b++)
            {
                double[] a = acts.AsSpan(b * length, length).ToArray().Select(v => (double)v).ToArray();
                expectedLoss += reference.SampleLoss(p, a, labels[b], null, layer);
                int label = labels[b];
                int from = layer;
                double[] fd = Enumerable.Range(0, length).Select(i => ReferenceNetwork.CentralDifference(x => reference.SampleLoss(p, x, label, null, from), a, i)).ToArray();
                double scale = fd.Max(Math.Abs);

                // A hidden activation can sit exactly on a kink: equal values in a max-pool window (zeros after a ReLU,
                // or one maximum shared by overlapping windows of an earlier pool). There the loss has no derivative,
                // so those coordinates are recognised by their one-sided differences and skipped — but never most of them.
                int kinks = 0;
                for (int i = 0; i < length; i++)
                {
                    if (ReferenceNetwork.IsKink(x => reference.SampleLoss(p, x, label, null, from), a, i, scale))
                    {
                        kinks++;
                        continue;
                    }

                    Close(fd[i], grads[b * length + i], scale, $"{name} ∂E/∂a{layer}[{b},{i}]");
                }

                Assert.True(kinks <= length / 2, $"{name} a{layer}: {kinks} of {length} coordinates are kinks");

                // The hidden activation itself agrees with the reference.
                double[] expectedAct = reference.Forward(p, inputs[b])[layer];
                for (int i = 0; i < length; i++) Close(expectedAct[i], acts[b * length + i], expectedAct.Max(Math.Abs), $"{name} a{layer}[{b},{i}]", 1e-5, 1e-5);
            }

            Close(expectedLoss, loss, expectedLoss, $"{name} layer {layer} loss", 1e-5, 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Backward_of_an_arbitrary_output_gradient_matches_central_differences(string name)
    {
        var (net, inputs, _, _) = Setup(name, 2);
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        var random = new SeededRandom(3);
        double[][] g = inputs.Select(_ => Enumerable.Range(0, net.OutputLength).Select(_ => random.NextGaussian()).ToArray()).ToArray();

        // E = Σ_b ⟨g_b, f(x_b)⟩
        double E(double[] q) => Enumerable.Range(0, 2).Sum(b => reference.Forward(q, inputs[b])[^1].Zip(g[b], (y, w) => y * w).Sum());

        NetworkWorkspace ws = net.CreateWorkspace(2);
        net.Forward(ws, Flat(inputs), new float[2 * net.OutputLength], 2);
        float[] gradient = new float[net.ParameterBufferLength];
        float[] inputGradient = new float[2 * net.InputLength];
        net.Backward(ws, Flat(g), gradient, inputGradient);

        LayerInfo first = net.Summary.Layers.First(l => l.WeightOffset >= 0);
        int firstCount = ReferenceNetwork.WeightCount(first);
        int[] indices = Enumerable.Range(0, Math.Min(60, firstCount)).Select(i => first.WeightOffset + i * 7 % firstCount).ToArray();
        double[] fd = indices.Select(i => ReferenceNetwork.CentralDifference(E, p, i)).ToArray();
        double scale = fd.Max(Math.Abs);
        for (int n = 0; n < indices.Length; n++) Close(fd[n], gradient[indices[n]], scale, $"{name} ∂E/∂θ[{indices[n]}]");

        double[] x0 = (double[])inputs[0].Clone();
        double E0(double[] x) => reference.Forward(p, x)[^1].Zip(g[0], (y, w) => y * w).Sum();
        double[] xfd = Enumerable.Range(0, net.InputLength).Select(i => ReferenceNetwork.CentralDifference(E0, x0, i)).ToArray();
        double xscale = xfd.Max(Math.Abs);
        for (int i = 0; i < net.InputLength; i++) Close(xfd[i], inputGradient[i], xscale, $"{name} ∂E/∂x[{i}]");
    }

    public static TheoryData<string, bool> NetworksGeneratedAndComposed()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in s_factories.Keys)
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NetworksGeneratedAndComposed))]
    public void BackwardFrom_of_an_arbitrary_activation_gradient_matches_central_differences(string name, bool composed)
    {
        var (generated, inputs, _, _) = Setup(name, 2);
        INetwork net = composed ? Composition.ComposedNetwork.From(generated) : generated;
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        NetworkWorkspace ws = net.CreateWorkspace(2);
        var random = new SeededRandom(4);
        for (int layer = 0; layer <= net.LayerCount; layer++)
        {
            int length = net.ActivationLength(layer);
            double[][] g = inputs.Select(_ => Enumerable.Range(0, length).Select(_ => random.NextGaussian()).ToArray()).ToArray();
            int k = layer;

            // E = Σ_b ⟨g_b, φ_k(x_b)⟩, so ∂E/∂φ_k(x_b) = g_b.
            double E(double[] q) => Enumerable.Range(0, 2).Sum(b => reference.Forward(q, inputs[b])[k].Zip(g[b], (y, w) => y * w).Sum());

            // ForwardTo k, then BackwardFrom k; the pass also leaves the workspace ready for any lower layer.
            net.ForwardTo(ws, layer, Flat(inputs), new float[2 * length], 2);
            float[] gradient = Enumerable.Repeat(float.NaN, net.ParameterBufferLength).ToArray();
            float[] inputGradient = new float[2 * net.InputLength];
            net.BackwardFrom(ws, layer, Flat(g), gradient, inputGradient);
            Assert.DoesNotContain(gradient, float.IsNaN);

            // Parameters: up to 30 weights and the biases of every weighted layer; those above k get exactly zero.
            foreach (LayerInfo l in net.Summary.Layers.Where(l => l.WeightOffset >= 0))
            {
                int index = net.Summary.Layers.ToList().IndexOf(l) + 1;
                int count = ReferenceNetwork.WeightCount(l);
                int[] indices = Enumerable.Range(0, Math.Min(30, count)).Select(i => l.WeightOffset + i * 7 % count)
                    .Concat(Enumerable.Range(l.BiasOffset, ReferenceNetwork.BiasCount(l))).ToArray();
                if (index > layer)
                {
                    foreach (int i in indices) Assert.Equal(0f, gradient[i]);
                    continue;
                }

                double[] fd = indices.Select(i => ReferenceNetwork.CentralDifference(E, p, i)).ToArray();
                double scale = fd.Max(Math.Abs);
                for (int n = 0; n < indices.Length; n++) Close(fd[n], gradient[indices[n]], scale, $"{name} k={layer} ∂E/∂θ[{indices[n]}]");
            }

            for (int b = 0; b < 2; b++)
            {
                int sample = b;
                double Eb(double[] x) => reference.Forward(p, x)[k].Zip(g[sample], (y, w) => y * w).Sum();
                double[] x0 = (double[])inputs[b].Clone();
                double[] xfd = Enumerable.Range(0, net.InputLength).Select(i => ReferenceNetwork.CentralDifference(Eb, x0, i)).ToArray();
                double xscale = xfd.Max(Math.Abs);
                for (int i = 0; i < net.InputLength; i++) Close(xfd[i], inputGradient[b * net.InputLength + i], xscale, $"{name} k={layer} ∂E/∂x[{b},{i}]");
            }
        }
    }

    [Fact]
    public void BackwardFrom_needs_a_pass_from_the_input_that_reached_the_layer()
    {
        foreach (INetwork net in new INetwork[] { new SigmoidNet(1), Composition.ComposedNetwork.From(new SigmoidNet(1)) })
        {
            NetworkWorkspace ws = net.CreateWorkspace(1);
            float[] x = new float[net.InputLength], a2 = new float[net.ActivationLength(2)], a3 = new float[net.ActivationLength(3)];
            var before = Assert.Throws<InvalidOperationException>(() => net.BackwardFrom(ws, 2, a2, default));
            Assert.Contains("BackwardFrom needs activations 0…2", before.Message);
            net.ForwardTo(ws, 2, x, a2);
            var above = Assert.Throws<InvalidOperationException>(() => net.BackwardFrom(ws, 3, a3, default));
            Assert.Contains("BackwardFrom needs activations 0…3", above.Message);
            Assert.Throws<InvalidOperationException>(() => net.Backward(ws, new float[net.OutputLength], default));
            var range = Assert.Throws<ArgumentOutOfRangeException>(() => net.BackwardFrom(ws, net.LayerCount + 1, a2, default));
            Assert.Contains("layer", range.Message);
            Assert.Throws<ArgumentException>(() => net.BackwardFrom(ws, 2, a2.AsSpan(1), default));

            // A pass that starts above the input leaves nothing to back-propagate to the input.
            net.ForwardFrom(ws, 2, a2, new float[net.OutputLength]);
            Assert.Throws<InvalidOperationException>(() => net.BackwardFrom(ws, 1, new float[net.ActivationLength(1)], default));
            net.ForwardTo(ws, 2, x, a2);
            net.BackwardFrom(ws, 1, new float[net.ActivationLength(1)], default, new float[net.InputLength]);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void ForwardTo_then_ForwardFrom_equals_Forward(string name)
    {
        var (net, inputs, _, _) = Setup(name, 4);
        NetworkWorkspace ws = net.CreateWorkspace(4);
        float[] expected = new float[4 * net.OutputLength];
        net.Forward(ws, Flat(inputs), expected, 4);
        for (int layer = 0; layer <= net.LayerCount; layer++)
        {
            float[] acts = new float[4 * net.ActivationLength(layer)];
            float[] outputs = new float[4 * net.OutputLength];
            net.ForwardTo(ws, layer, Flat(inputs), acts, 4);
            net.ForwardFrom(ws, layer, acts, outputs, 4);
            Assert.Equal(expected, outputs);
        }
    }
}
