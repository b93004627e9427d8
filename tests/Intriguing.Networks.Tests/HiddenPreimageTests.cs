using Intriguing.Adversarial;

namespace Intriguing.Networks.Tests;

/// <summary><see cref="HiddenPreimage.Find"/> against exact preimages: the identity, a linear layer, reachable targets.</summary>
public class HiddenPreimageTests
{
    private static float[] Uniform(int n, SeededRandom random, double lo, double hi) =>
        Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * random.NextDouble())).ToArray();

    [Fact]
    public void The_preimage_of_an_input_space_example_is_the_example_itself()
    {
        var net = new SigmoidNet(3);
        var random = new SeededRandom(1);
        float[] x = Uniform(net.InputLength, random, 0.1, 0.9);
        float[] target = x.Select(v => v + (float)(0.05 * random.NextGaussian())).ToArray();

        PreimageResult result = HiddenPreimage.Find(net, 0, x, target);

        for (int i = 0; i < x.Length; i++) Assert.Equal(target[i], result.Input[i], 1e-5f);
        Assert.True(result.RelativeResidual < 1e-4, $"relative residual {result.RelativeResidual}");
        Assert.Equal(Distortions.Rms(target, x), result.Distortion, 1e-6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void The_preimage_through_a_linear_layer_is_the_regularised_least_squares_solution(double lambda)
    {
        // Layer 1 of TwoClassLinear is z = W·x + b (2 × 6). min ½‖W·r − δ‖² + ½λ‖r‖² has the solution
        // r = Wᵀ(W·Wᵀ + λI)⁻¹·δ; for λ = 0 the iterates stay in the row space of W, so the solver reaches the
        // minimum-norm solution among the exact preimages.
        var net = new TwoClassLinear(5);
        int n = net.InputLength;
        float[] w = net.Parameters.Slice(net.Summary.Layers[0].WeightOffset, 2 * n).ToArray();
        float[] x = Enumerable.Repeat(0.5f, n).ToArray();
        float[] z = new float[2];
        net.ForwardTo(net.CreateWorkspace(), 1, x, z);
        double[] delta = { 0.07, -0.04 };
        float[] target = { z[0] + (float)delta[0], z[1] + (float)delta[1] };

        // δ as the target gives it in float arithmetic.
        double[] d = { (double)target[0] - z[0], (double)target[1] - z[1] };
        double a = Dot(w, 0, w, 0, n) + lambda, b = Dot(w, 0, w, n, n), c = Dot(w, n, w, n, n) + lambda;
        double det = a * c - b * b;
        double u0 = (c * d[0] - b * d[1]) / det, u1 = (a * d[1] - b * d[0]) / det;
        double[] expected = Enumerable.Range(0, n).Select(i => w[i] * u0 + w[n + i] * u1).ToArray();
        Assert.True(expected.Max(Math.Abs) < 0.4, "the exact solution stays inside the box");

        PreimageResult result = HiddenPreimage.Find(net, 1, x, target, new PreimageOptions { Lambda = lambda });

        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(result.Input[i] - x[i] - expected[i]) <= 1e-3 * scale + 1e-6, $"r[{i}]: expected {expected[i]:G6}, got {result.Input[i] - x[i]:G6}");
        if (lambda == 0) Assert.True(result.RelativeResidual < 1e-3, $"relative residual {result.RelativeResidual}");
        else Assert.True(result.RelativeResidual > 1e-3, "a positive λ leaves part of the target unreached");
    }

    private static double Dot(float[] a, int ao, float[] b, int bo, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double)a[ao + i] * b[bo + i];
        return s;
    }

    public static TheoryData<string, int> ReachableCases() => new()
    {
        { nameof(SigmoidNet), 2 },      // dense, sigmoid: 37 inputs → 17 values
        { nameof(TanhReluNet), 4 },     // dense, tanh, dense, ReLU: 129 inputs → 37 values
        { nameof(ConvZeroNet), 2 },     // convolution, ReLU: 70 inputs → 105 values
        { nameof(PoolNet), 3 },         // convolution, ReLU, max-pooling: 98 inputs → 27 values
    };

    private static INetwork Create(string name) => name switch
    {
        nameof(SigmoidNet) => new SigmoidNet(7),
        nameof(TanhReluNet) => new TanhReluNet(7),
        nameof(ConvZeroNet) => new ConvZeroNet(7),
        nameof(PoolNet) => new PoolNet(7),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(ReachableCases))]
    public void A_target_made_from_a_known_input_perturbation_is_reached(string name, int layer)
    {
        INetwork net = Create(name);
        var random = new SeededRandom(11);
        float[] x = Uniform(net.InputLength, random, 0.2, 0.8);
        float[] moved = x.Select(v => v + (float)(0.05 * random.NextGaussian())).ToArray();
        float[] target = new float[net.ActivationLength(layer)];
        net.ForwardTo(net.CreateWorkspace(), layer, moved, target);

        PreimageResult result = HiddenPreimage.Find(net, layer, x, target);

        Assert.True(result.TargetDistance > 0);
        Assert.True(result.RelativeResidual < 1e-3, $"{name} layer {layer}: relative residual {result.RelativeResidual:G3} after {result.Iterations} iterations ({result.StopReason})");
        Assert.All(result.Input, v => Assert.InRange(v, 0f, 1f));

        // The residual is recomputed from the returned input.
        float[] reached = new float[target.Length];
        net.ForwardTo(net.CreateWorkspace(), layer, result.Input, reached);
        double residual = Math.Sqrt(reached.Zip(target, (p, q) => ((double)p - q) * ((double)p - q)).Sum());
        Assert.Equal(residual, result.Residual, 1e-9);
    }

    [Fact]
    public void The_preimage_stays_in_the_box()
    {
        // A target beyond what the box allows: the input is clipped to [0.4, 0.6] and the residual stays large.
        var net = new SigmoidNet(3);
        var random = new SeededRandom(2);
        float[] x = Enumerable.Repeat(0.5f, net.InputLength).ToArray();
        float[] moved = x.Select(v => v + (float)(0.5 * random.NextGaussian())).ToArray();
        float[] target = new float[net.ActivationLength(2)];
        net.ForwardTo(net.CreateWorkspace(), 2, moved, target);

        PreimageResult result = HiddenPreimage.Find(net, 2, x, target, new PreimageOptions { Lower = 0.4, Upper = 0.6 });

        Assert.All(result.Input, v => Assert.InRange(v, 0.4f, 0.6f));
        Assert.True(result.RelativeResidual is > 0.01 and < 1, $"relative residual {result.RelativeResidual}");
    }

    [Fact]
    public void A_target_equal_to_the_clean_activation_gives_the_clean_input()
    {
        var net = new SigmoidNet(3);
        float[] x = Uniform(net.InputLength, new SeededRandom(4), 0, 1);
        float[] h = new float[net.ActivationLength(2)];
        net.ForwardTo(net.CreateWorkspace(), 2, x, h);

        PreimageResult result = HiddenPreimage.Find(net, 2, x, h);

        Assert.Equal(x, result.Input);
        Assert.Equal(0, result.Distortion);
        Assert.Equal(0, result.RelativeResidual);
    }

    [Fact]
    public void Bad_arguments_give_clear_errors()
    {
        var net = new SigmoidNet(3);
        float[] x = new float[net.InputLength], h = new float[net.ActivationLength(2)];
        Assert.Throws<ArgumentNullException>(() => HiddenPreimage.Find(null!, 2, x, h));
        Assert.Contains("activations 0 to 4", Assert.Throws<ArgumentOutOfRangeException>(() => HiddenPreimage.Find(net, 5, x, h)).Message);
        Assert.Contains("activations 0 to 4", Assert.Throws<ArgumentOutOfRangeException>(() => HiddenPreimage.Find(net, -1, x, h)).Message);
        Assert.Contains("The input has 36 values; SigmoidNet takes 37", Assert.Throws<ArgumentException>(() => HiddenPreimage.Find(net, 2, x.AsSpan(1), h)).Message);
        Assert.Contains("The target has 17 values; activation 3 of SigmoidNet has 3", Assert.Throws<ArgumentException>(() => HiddenPreimage.Find(net, 3, x, h)).Message);
        Assert.Contains("The target has 16 values; activation 2 of SigmoidNet has 17", Assert.Throws<ArgumentException>(() => HiddenPreimage.Find(net, 2, x, h.AsSpan(1))).Message);
        x[3] = float.NaN;
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => HiddenPreimage.Find(net, 2, x, h)).Message);
        x[3] = 1.5f;
        Assert.Contains("Input value 3 (1.5) is outside the box [0, 1]", Assert.Throws<ArgumentException>(() => HiddenPreimage.Find(net, 2, x, h)).Message);
        x[3] = 0;
        Assert.Contains("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() => HiddenPreimage.Find(net, 2, x, h, new PreimageOptions { Lambda = -1 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => HiddenPreimage.Find(net, 2, x, h, new PreimageOptions { MaxIterations = 0 }));
        Assert.Contains("Lower < Upper", Assert.Throws<ArgumentOutOfRangeException>(() => HiddenPreimage.Find(net, 2, x, h, new PreimageOptions { Lower = 1, Upper = 1 })).Message);
        Assert.Contains("Lower < Upper", Assert.Throws<ArgumentOutOfRangeException>(() => HiddenPreimage.Find(net, 2, x, h, new PreimageOptions { Lower = 2 })).Message);
    }
}
