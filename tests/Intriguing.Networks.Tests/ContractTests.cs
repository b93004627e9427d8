using Intriguing.Paper;

namespace Intriguing.Networks.Tests;

/// <summary>Constants, initialisation, memory behaviour and argument errors of generated networks.</summary>
public class ContractTests
{
    [Fact]
    public void Constants_and_summary_describe_FC100_100_10()
    {
        Assert.Equal(784, Fc100x100x10.InputLength);
        Assert.Equal(10, Fc100x100x10.OutputLength);
        Assert.Equal(6, Fc100x100x10.LayerCount);
        Assert.Equal(784 * 100 + 100 + 100 * 100 + 100 + 100 * 10 + 10, Fc100x100x10.ParameterCount);
        Assert.Equal(0, Fc100x100x10.ParameterBufferLength % 16);
        Assert.Equal(new[] { 784, 100, 100, 100, 100, 10, 10 }, Enumerable.Range(0, 7).Select(Fc100x100x10.ActivationLength));

        NetworkSummary s = Fc100x100x10.Summary;
        Assert.Equal("FC100-100-10", s.Name);
        Assert.Equal(Fc100x100x10.ParameterCount, s.Parameters);
        Assert.Equal(784 * 100 + 100 * 100 + 100 * 10, s.MultiplyAdds);
        Assert.Equal(new[] { 1e-5, 0, 1e-5, 0, 1e-6, 0 }, s.Layers.Select(l => l.WeightDecay));
        string table = s.ToString();
        Assert.Contains("FC100-100-10: 89,610 parameters, 89,400 multiply-adds per sample", table);
        Assert.Contains("Dense1", table);
        Assert.Contains("1/4", table);
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
        float[] gradient = new float[Fc100x100x10.ParameterBufferLength];
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
        float[] gradient = new float[Fc10Lambda1em4.ParameterBufferLength];
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
        Assert.Throws<InvalidOperationException>(() => net.LossAndGradient(ws, x, new float[10], 1, new float[Fc100x100x10.ParameterBufferLength]));
        Assert.Throws<InvalidOperationException>(() => new Ae400Decoder().LossAndGradient(new Ae400Decoder().CreateWorkspace(), new float[400], new[] { 1 }, 1, default));
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
        float[] gradient = new float[Fc100x100x10.ParameterBufferLength];
        float penalty = net.AddWeightDecay(gradient);
        double expected = 0.5 * 1e-5 * net.Dense1Weights.ToArray().Sum(w => (double)w * w)
            + 0.5 * 1e-5 * net.Dense2Weights.ToArray().Sum(w => (double)w * w)
            + 0.5 * 1e-6 * net.Dense3Weights.ToArray().Sum(w => (double)w * w);
        Assert.Equal(expected, penalty, expected * 1e-5);
        Assert.Equal(net.Dense2Weights[17] * 1e-5f, gradient[Fc100x100x10.Dense2WeightsOffset + 17], 1e-12f);
        Assert.Equal(0f, gradient[Fc100x100x10.Dense2BiasOffset]);
    }
}
