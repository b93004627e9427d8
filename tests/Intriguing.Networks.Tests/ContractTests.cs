using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>Constants, initialisation, memory behaviour and argument errors of generated networks.</summary>
public class ContractTests
{
    [Fact]
    public void Constants_and_summary_describe_FC100_100_10()
    {
        Assert.Equal(784, Fc100x100x10.Layout.InputLength);
        Assert.Equal(10, Fc100x100x10.Layout.OutputLength);
        Assert.Equal(6, Fc100x100x10.Layout.LayerCount);
        Assert.Equal(784 * 100 + 100 + 100 * 100 + 100 + 100 * 10 + 10, Fc100x100x10.Layout.ParameterCount);
        Assert.Equal(0, Fc100x100x10.Layout.ParameterBufferLength % 16);
        Assert.Equal(new[] { 784, 100, 100, 100, 100, 10, 10 }, Enumerable.Range(0, 7).Select(Fc100x100x10.Layout.ActivationLength));

        NetworkSummary s = Fc100x100x10.Layout.Summary;
        Assert.Equal("FC100-100-10", s.Name);
        Assert.Equal(Fc100x100x10.Layout.ParameterCount, s.Parameters);
        Assert.Equal(784 * 100 + 100 * 100 + 100 * 10, s.MultiplyAdds);
        Assert.Equal(new[] { 1e-5, 0, 1e-5, 0, 1e-6, 0 }, s.Layers.Select(l => l.WeightDecay));
        string table = s.ToString();
        Assert.Contains("FC100-100-10: 89,610 parameters, 89,400 multiply-adds per sample", table);
        Assert.Contains("Dense1", table);
        Assert.Contains("1/4", table);
    }

    [Fact]
    public void Shapes_are_instance_members_that_implement_INetwork_and_compile_time_constants_in_Layout()
    {
        // On an instance of the generated class (not only through INetwork) the shape members resolve to the instance.
        var net = new Fc100x100x10(1);
        Assert.Equal(784, net.InputLength);
        Assert.Equal(10, net.OutputLength);
        Assert.Equal(6, net.LayerCount);
        Assert.Equal(89_610, net.ParameterCount);
        Assert.Equal(Fc100x100x10.Layout.ParameterBufferLength, net.ParameterBufferLength);
        Assert.Equal(100, net.ActivationLength(2));
        Assert.Same(Fc100x100x10.Layout.Summary, net.Summary);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.ActivationLength(7));
        Assert.Contains("between 0 and 6", e.Message);

        // The same numbers through the contract, and as constants where C# needs one.
        INetwork contract = net;
        Assert.Equal(net.LayerCount, contract.LayerCount);
        Assert.Equal(net.ActivationLength(5), contract.ActivationLength(5));
        const int Hidden = Fc100x100x10.Layout.Activation2Length;
        Span<float> onStack = stackalloc float[Hidden];
        Assert.Equal(100, onStack.Length);
    }

    [Fact]
    public void Only_classifiers_of_dense_layers_and_activations_describe_a_dense_stack()
    {
        IDenseStackNetwork stack = new Fc100x100x10(1);
        DenseStackLayout layout = stack.DenseStack;
        Assert.Equal(6, layout.Count);
        Assert.Equal(DenseStackLayerKind.Dense, layout[0].Kind);
        Assert.Equal(Fc100x100x10.Dense1WeightsOffset, layout[0].WeightsOffset);
        Assert.Equal(Fc100x100x10.Dense1BiasOffset, layout[0].BiasOffset);
        Assert.Equal(1e-5f, layout[0].WeightDecay);
        Assert.Equal(DenseStackLayerKind.Sigmoid, layout[1].Kind);
        Assert.Equal(DenseStackLayerKind.Softmax, layout[5].Kind);
        Assert.False(new PoolNet(1) is IDenseStackNetwork);
        Assert.False(new DropoutNet(1) is IDenseStackNetwork);
        Assert.False(new Ae400Decoder() is IDenseStackNetwork);
    }

    [Fact]
    public void A_dense_stack_layout_that_does_not_fit_is_refused_with_a_clear_message()
    {
        DenseStackLayerValues Dense(int inputs, int outputs, int offset) => new() { Kind = DenseStackLayerKind.Dense, InputLength = inputs, OutputLength = outputs, WeightsOffset = offset };
        DenseStackLayerValues Softmax(int n) => new() { Kind = DenseStackLayerKind.Softmax, InputLength = n, OutputLength = n };

        Assert.Equal(2, new DenseStackLayout(4, 16, [Dense(4, 3, 0), Softmax(3)]).Count);
        var e1 = Assert.Throws<ArgumentException>(() => new DenseStackLayout(4, 16, [Dense(4, 3, 0)]));
        Assert.Contains("ends in a soft-max", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new DenseStackLayout(5, 16, [Dense(4, 3, 0), Softmax(3)]));
        Assert.Contains("Layer 1 reads 4 values but the layer below writes 5", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new DenseStackLayout(4, 11, [Dense(4, 3, 0), Softmax(3)]));
        Assert.Contains("outside the parameter buffer of 11 values", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => new DenseStackLayout(3, 16, [Softmax(3)]));
        Assert.Contains("at least one dense layer", e4.Message);
    }

    [Fact]
    public void Same_seed_gives_same_parameters_and_different_seeds_differ()
    {
        var a = new Fc100x100x10(42);
        var b = new Fc100x100x10(42);
        var c = new Fc100x100x10(43);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));

        // Glorot bound of the first layer, biases zero.
        float limit = MathF.Sqrt(6f / (784 + 100));
        Assert.All(a.Dense1Weights.ToArray(), w => Assert.InRange(w, -limit, limit));
        Assert.All(a.Dense1Bias.ToArray(), v => Assert.Equal(0f, v));
        Assert.True(a.Dense1Weights.ToArray().Select(MathF.Abs).Max() > 0.9f * limit);

        b.Initialize(43);
        Assert.True(b.Parameters.SequenceEqual(c.Parameters));
    }

    [Fact]
    public void Parameter_buffer_is_64_byte_aligned()
    {
        var net = new Fc200x200x10(1);
        unsafe
        {
            fixed (float* p = net.Parameters)
            {
                Assert.Equal(0, (long)p % 64);
            }
        }
    }

    [Fact]
    public void Training_step_and_attack_step_allocate_nothing()
    {
        var net = new Fc100x100x10(1);
        var ws = net.CreateWorkspace(128);
        var random = new SeededRandom(1);
        float[] x = Enumerable.Range(0, 128 * 784).Select(_ => random.NextSingle()).ToArray();
        int[] labels = Enumerable.Range(0, 128).Select(i => i % 10).ToArray();
        float[] gradient = new float[Fc100x100x10.Layout.ParameterBufferLength];
        float[] inputGradient = new float[784];
        float[] outputs = new float[128 * 10];

        // Warm up (JIT, tiered compilation), then count bytes over many steps.
        for (int i = 0; i < 50; i++) Step();
        Assert.Equal(0, AllocationProbe.BytesAllocated(() => { for (int i = 0; i < 200; i++) Step(); }));

        void Step()
        {
            net.LossAndGradient(ws, x, labels, 128, gradient);
            net.Forward(ws, x, outputs, 128);
            net.LossAndLayerGradient(ws, 0, x.AsSpan(0, 784), labels.AsSpan(0, 1), 1, inputGradient);
            net.LossAndLayerGradient(ws, 2, x.AsSpan(0, 100), labels.AsSpan(0, 1), 1, inputGradient.AsSpan(0, 100));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fused_steps_allocate_nothing(bool split)
    {
        // The trainer's hot path for dense networks: the one-sample step (with its look-ahead) and the batch step.
        var net = new Fc100x100x10(1);
        using var pool = new WorkerPool(2);
        FusedStepSplitter? splitter = split ? new FusedStepSplitter(pool) : null;
        var steps = new DenseStackSgd(net, 32);
        var random = new SeededRandom(2);
        float[] x = Enumerable.Range(0, 32 * 784).Select(_ => random.NextSingle()).ToArray();
        int[] labels = Enumerable.Range(0, 32).Select(i => i % 10).ToArray();
        float[] velocity = new float[Fc100x100x10.Layout.ParameterBufferLength];

        for (int i = 0; i < 50; i++) Step(i);
        Assert.Equal(0, AllocationProbe.BytesAllocated(() => { for (int i = 0; i < 200; i++) Step(i); }));

        void Step(int i)
        {
            int sample = i % 31;
            steps.Step(x.AsSpan(sample * 784, 784), labels[sample], velocity, 0.9f, 1e-4f, false, splitter, x.AsSpan((sample + 1) * 784, 784));
            if (i % 8 == 7) steps.BatchStep(x, labels, 32, velocity, 0.9f, 1e-4f, false, splitter);
        }
    }

    [Fact]
    public void Softmax_is_stable_for_huge_logits()
    {
        var net = new Fc10Lambda1em4(1);
        net.Dense1Weights.Fill(0f);
        net.Dense1Bias[3] = 1e4f;
        net.Dense1Bias[7] = -1e4f;
        float[] output = new float[10];
        net.Forward(new float[784], output);
        Assert.Equal(1f, output[3]);
        Assert.All(output, p => Assert.False(float.IsNaN(p)));

        var ws = net.CreateWorkspace();
        float[] gradient = new float[Fc10Lambda1em4.Layout.ParameterBufferLength];
        float loss = net.LossAndGradient(ws, new float[784], new[] { 7 }, 1, gradient);
        Assert.Equal(2e4f, loss, 1e-3f); // log Σ e^z − z_7 = 1e4 − (−1e4), computed from the logits
        Assert.All(gradient, g => Assert.False(float.IsNaN(g)));
    }

    [Fact]
    public void Bad_arguments_get_clear_errors()
    {
        var net = new Fc100x100x10(1);
        var ws = net.CreateWorkspace(2);
        float[] x = new float[2 * 784];
        float[] y = new float[2 * 10];

        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(ws, x, y, 3));
        Assert.Contains("MaxBatch (2)", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => net.Forward(ws, x.AsSpan(0, 700), y, 1));
        Assert.Contains("'inputs' holds 700 values but 784 are needed", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => net.Forward(new Fc200x200x10().CreateWorkspace(), x, y, 1));
        Assert.Contains("not by Fc100x100x10", e3.Message);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardTo(ws, 7, x, y, 1));
        Assert.Contains("between 0 and 6", e4.Message);
        // Only the objective that fits the network exists: a soft-max network has the label loss, a decoder the target loss.
        Assert.False(net is IRegressor);
        Assert.False(new Ae400Decoder() is IClassifier);
        Assert.True(new Ae400Decoder() is IRegressor);
        var e5 = Assert.Throws<ArgumentOutOfRangeException>(() => net.LossAndGradient(ws, x, new[] { 10 }, 1, default));
        Assert.Contains("Label of sample 0 must be in 0..9", e5.Message);
        var e6 = Assert.Throws<InvalidOperationException>(() => net.Backward(net.CreateWorkspace(), y, default));
        Assert.Contains("Forward", e6.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.CreateWorkspace(0));
    }

    [Fact]
    public void Weight_decay_gradient_and_penalty_match_their_definition()
    {
        var net = new Fc100x100x10(3);
        float[] gradient = new float[Fc100x100x10.Layout.ParameterBufferLength];
        float penalty = net.AddWeightDecay(gradient);
        double expected = 0.5 * 1e-5 * net.Dense1Weights.ToArray().Sum(w => (double)w * w)
            + 0.5 * 1e-5 * net.Dense2Weights.ToArray().Sum(w => (double)w * w)
            + 0.5 * 1e-6 * net.Dense3Weights.ToArray().Sum(w => (double)w * w);
        Assert.Equal(expected, penalty, expected * 1e-5);
        Assert.Equal(net.Dense2Weights[17] * 1e-5f, gradient[Fc100x100x10.Dense2WeightsOffset + 17], 1e-12f);
        Assert.Equal(0f, gradient[Fc100x100x10.Dense2BiasOffset]);
    }
}
