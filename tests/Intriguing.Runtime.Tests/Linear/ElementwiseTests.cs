using System.Runtime.CompilerServices;
using Intriguing.Linear;
using Intriguing.Training;

namespace Intriguing.Runtime.Tests.Linear;

/// <summary>
/// The element-wise driver and its operators against plain scalar loops, bit for bit, at sizes 0 … 3·16 + 1 and at
/// every vector width this machine runs (CI repeats the suite with AVX-512 and with hardware intrinsics off).
/// </summary>
public sealed class ElementwiseTests
{
    private const int MaxSize = (3 * 16) + 1;
    private const float Sentinel = 12345.5f;

    /// <summary>Every <see cref="SimdLevel"/> (as an int: the enum is internal) that runs here.</summary>
    public static TheoryData<int> Levels()
    {
        var data = new TheoryData<int>();
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>())
        {
            if (Elementwise.CanRun(level)) data.Add((int)level);
        }

        return data;
    }

    /// <summary>Values in [−2, 2] with signed zeros, infinities, NaN and subnormals mixed in.</summary>
    private static float[] Values(Random random, int n)
    {
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-40f, -1e-40f, 1f];
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = random.Next(5) == 0 ? special[random.Next(special.Length)] : (float)((random.NextDouble() * 4) - 2);
        return values;
    }

    private static void AssertSame(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i]) ? float.IsNaN(actual[i]) : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"{what}[{i}] of {expected.Length}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>Copies into an array one longer, the extra element a sentinel that must survive.</summary>
    private static float[] WithSentinel(float[] values)
    {
        var copy = new float[values.Length + 1];
        values.CopyTo(copy, 0);
        copy[^1] = Sentinel;
        return copy;
    }

    private readonly struct Cube : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TOps>(TVec x)
            where TVec : struct
            where TOps : ISimdOps<TVec> => TOps.Multiply(TOps.Multiply(x, x), x);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Unary_map_matches_scalar_loop(int levelValue)
    {
        var level = (SimdLevel)levelValue;
        var random = new Random(1);
        for (int n = 0; n <= MaxSize; n++)
        {
            float[] x = Values(random, n), destination = WithSentinel(new float[n]);
            Elementwise.Map(x, destination.AsSpan(0, n), default(Cube), level);
            AssertSame(x.Select(v => v * v * v).ToArray(), destination.AsSpan(0, n), "y");
            Assert.Equal(Sentinel, destination[n]);

            Elementwise.Map(x, x, default(Cube), level); // in place
            AssertSame(destination.AsSpan(0, n), x, "in place");
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Add_multiplied_matches_scalar_loop(int levelValue)
    {
        var level = (SimdLevel)levelValue;
        var random = new Random(2);
        for (int n = 0; n <= MaxSize; n++)
        {
            float[] x = Values(random, n), y = Values(random, n), destination = WithSentinel(new float[n]);
            const float w = 0.3f;
            Elementwise.Map(x, y, destination.AsSpan(0, n), new AddMultiplied(w), level);
            var expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = x[i] + (w * y[i]);
            AssertSame(expected, destination.AsSpan(0, n), "z");
            Assert.Equal(Sentinel, destination[n]);
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Momentum_step_matches_scalar_loop(int levelValue)
    {
        var level = (SimdLevel)levelValue;
        var random = new Random(3);
        const float mu = 0.9f, eta = 0.05f;
        foreach (bool nesterov in new[] { false, true })
        {
            foreach (bool fromZero in new[] { false, true })
            {
                for (int n = 0; n <= MaxSize; n++)
                {
                    float[] theta = Values(random, n), velocity = Values(random, n), gradient = Values(random, n);
                    float[] expectedTheta = (float[])theta.Clone(), expectedVelocity = (float[])velocity.Clone();
                    for (int i = 0; i < n; i++)
                    {
                        float g = fromZero ? 0f + gradient[i] : gradient[i];
                        float step = eta * g;
                        float v = (mu * expectedVelocity[i]) - step;
                        expectedVelocity[i] = v;
                        expectedTheta[i] += nesterov ? (mu * v) - step : v;
                    }

                    float[] a = WithSentinel(theta), b = WithSentinel(velocity);
                    Elementwise.Update(a.AsSpan(0, n), b.AsSpan(0, n), gradient, new MomentumStep(mu, eta, nesterov, fromZero), level);
                    AssertSame(expectedTheta, a.AsSpan(0, n), $"θ (nesterov {nesterov}, from zero {fromZero})");
                    AssertSame(expectedVelocity, b.AsSpan(0, n), $"v (nesterov {nesterov}, from zero {fromZero})");
                    Assert.Equal(Sentinel, a[n]);
                    Assert.Equal(Sentinel, b[n]);
                }
            }
        }
    }

    [Fact]
    public void Momentum_step_from_zero_turns_negative_zero_gradients_positive()
    {
        // −0 − (−0·η) = +0 but −0 − (+0·η) = −0: the bias step must keep the 0 + δ of the general path.
        float[] theta = [-0f], velocity = [-0f], gradient = [-0f];
        Elementwise.Update(theta, velocity, gradient, new MomentumStep(0.5f, 0.1f, false, gradientFromZero: true));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(velocity[0]));
        float[] theta2 = [-0f], velocity2 = [-0f];
        Elementwise.Update(theta2, velocity2, gradient, new MomentumStep(0.5f, 0.1f, false));
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(velocity2[0]));
    }

    [Fact]
    public void Activation_backward_functions_match_scalar_loops()
    {
        var random = new Random(4);
        for (int n = 0; n <= MaxSize; n++)
        {
            float[] y = Values(random, n), dy = Values(random, n);
            var sigmoid = new float[n];
            var tanh = new float[n];
            var relu = new float[n];
            for (int i = 0; i < n; i++)
            {
                sigmoid[i] = dy[i] * (y[i] - (y[i] * y[i]));
                tanh[i] = dy[i] * (1f - (y[i] * y[i]));
                relu[i] = y[i] > 0f ? dy[i] : 0f;
            }

            float[] dx = WithSentinel(new float[n]);
            Intriguing.Layers.Activation.SigmoidBackward(y, dy, dx.AsSpan(0, n));
            AssertSame(sigmoid, dx.AsSpan(0, n), "sigmoid");
            Intriguing.Layers.Activation.TanhBackward(y, dy, dx.AsSpan(0, n));
            AssertSame(tanh, dx.AsSpan(0, n), "tanh");
            Intriguing.Layers.Activation.ReLUBackward(y, dy, dx.AsSpan(0, n));
            AssertSame(relu, dx.AsSpan(0, n), "relu");
            Assert.Equal(Sentinel, dx[n]);
        }
    }

    [Fact]
    public void Softmax_backward_matches_scalar_loop()
    {
        var random = new Random(5);
        for (int cols = 0; cols <= MaxSize; cols++)
        {
            const int rows = 3;
            float[] p = new float[rows * cols], dy = new float[rows * cols];
            for (int i = 0; i < p.Length; i++) (p[i], dy[i]) = ((float)random.NextDouble(), (float)((random.NextDouble() * 2) - 1));
            var expected = new float[rows * cols];
            for (int r = 0; r < rows; r++)
            {
                float dot = System.Numerics.Tensors.TensorPrimitives.Dot(p.AsSpan(r * cols, cols), dy.AsSpan(r * cols, cols));
                for (int i = 0; i < cols; i++) expected[(r * cols) + i] = p[(r * cols) + i] * (dy[(r * cols) + i] - dot);
            }

            var dx = new float[rows * cols];
            Intriguing.Layers.Softmax.Backward(p, dy, dx, rows, cols);
            AssertSame(expected, dx, "dx");
        }
    }

    [Fact]
    public void Lengths_and_overlaps_are_validated_before_writing()
    {
        var x = new float[8];
        Assert.Throws<ArgumentException>(() => Elementwise.Map(x, new float[7], default(Cube)));
        Assert.Throws<ArgumentException>(() => Elementwise.Map(x, new float[7], x, new AddMultiplied(1f)));
        Assert.Throws<ArgumentException>(() => Elementwise.Map(x.AsSpan(0, 6), x.AsSpan(1, 6), default(Cube)));
        Assert.Throws<ArgumentException>(() => Elementwise.Update(x, new float[8], new float[7], new MomentumStep(0.9f, 0.1f, false)));
        Assert.Throws<ArgumentException>(() => Elementwise.Update(x.AsSpan(0, 4), x.AsSpan(2, 4), new float[4], new MomentumStep(0.9f, 0.1f, false)));
    }
}
