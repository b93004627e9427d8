using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.ComponentModel;
using Intriguing.Linear;

namespace Intriguing.Generated;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// Elementwise and row-wise kernels that generated networks call: bias, activations and their derivatives,
/// stable soft-max and soft-max cross-entropy.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    /// <summary>Adds <paramref name="bias"/> to each of the <paramref name="rows"/> rows of <paramref name="x"/>.</summary>
    public static void AddBias(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        int n = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.Slice(r * n, n);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>Sums the <paramref name="rows"/> rows of <paramref name="x"/> into <paramref name="sum"/> (overwritten).</summary>
    public static void SumRows(ReadOnlySpan<float> x, Span<float> sum, int rows)
    {
        int n = sum.Length;
        sum.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sum, x.Slice(r * n, n), sum);
    }

    /// <summary>y = σ(x) = 1 / (1 + e^(−x)).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <summary>y = max(0, x).</summary>
    public static void ReLU(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx = dy · y · (1 − y), the sigmoid derivative written through its output y.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.Map(y.Slice(0, dx.Length), dy.Slice(0, dx.Length), dx, default(SigmoidBackwardOperator));

    /// <summary>dx = dy · (1 − y²), the tanh derivative written through its output y.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.Map(y.Slice(0, dx.Length), dy.Slice(0, dx.Length), dx, default(TanhBackwardOperator));

    /// <summary>dx = dy where y &gt; 0, else 0.</summary>
    public static void ReLUBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.Map(y.Slice(0, dx.Length), dy.Slice(0, dx.Length), dx, default(ReLUBackwardOperator));

    /// <summary>(y, dy) → dy · σ′ with σ′(x) = σ(x)(1 − σ(x)) = y − y².</summary>
    private readonly struct SigmoidBackwardOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TOps>(TVec y, TVec dy)
            where TVec : struct
            where TOps : ISimdOps<TVec> => TOps.Multiply(dy, TOps.Subtract(y, TOps.Multiply(y, y)));
    }

    /// <summary>(y, dy) → dy · (1 − y²).</summary>
    private readonly struct TanhBackwardOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TOps>(TVec y, TVec dy)
            where TVec : struct
            where TOps : ISimdOps<TVec> => TOps.Multiply(dy, TOps.Subtract(TOps.Create(1f), TOps.Multiply(y, y)));
    }

    /// <summary>(y, dy) → y &gt; 0 ? dy : 0.</summary>
    private readonly struct ReLUBackwardOperator : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TOps>(TVec y, TVec dy)
            where TVec : struct
            where TOps : ISimdOps<TVec> => TOps.ConditionalSelect(TOps.GreaterThan(y, TOps.Zero), dy, TOps.Zero);
    }

    /// <summary>(p, dy) → p · (dy − ⟨dy, p⟩) with the row's dot product given.</summary>
    private readonly struct SoftmaxBackwardOperator(float dot) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TOps>(TVec p, TVec dy)
            where TVec : struct
            where TOps : ISimdOps<TVec> => TOps.Multiply(p, TOps.Subtract(dy, TOps.Create(dot)));
    }

    /// <summary>Row-wise stable soft-max: p = e^(x − max x) / Σ e^(x − max x).</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * cols, cols);
            Span<float> yr = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            float sum = TensorPrimitives.Sum(yr);
            TensorPrimitives.Multiply(yr, 1f / sum, yr);
        }
    }

    /// <summary>Soft-max backward for an arbitrary output gradient: dx = p ⊙ (dy − ⟨dy, p⟩), row by row.</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> p, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> pr = p.Slice(r * cols, cols);
            ReadOnlySpan<float> dyr = dy.Slice(r * cols, cols);
            Span<float> dxr = dx.Slice(r * cols, cols);
            Elementwise.Map(pr, dyr, dxr, new SoftmaxBackwardOperator(TensorPrimitives.Dot(pr, dyr)));
        }
    }

    /// <summary>
    /// Soft-max cross-entropy of each row: loss_r = log Σ e^(z) − z[label], computed from the logits for accuracy.
    /// Writes <c>scale · (p − onehot(label))</c>, the gradient with respect to the logits, into <paramref name="delta"/>.
    /// Returns the sum of the row losses.
    /// </summary>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> delta, int rows, int cols, float scale)
    {
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)cols)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label of sample {r} must be in 0..{cols - 1}.");
            }

            ReadOnlySpan<float> z = logits.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(z);
            double sum = 0;
            for (int i = 0; i < cols; i++) sum += Math.Exp(z[i] - max);
            total += Math.Log(sum) + max - z[label];

            ReadOnlySpan<float> p = probabilities.Slice(r * cols, cols);
            Span<float> d = delta.Slice(r * cols, cols);
            TensorPrimitives.Multiply(p, scale, d);
            d[label] -= scale;
        }

        return (float)total;
    }

    /// <summary>
    /// Squared error ½‖y − t‖² of each row; writes <c>scale · (y − t)</c> into <paramref name="delta"/> and returns the sum.
    /// </summary>
    public static float SquaredError(ReadOnlySpan<float> y, ReadOnlySpan<float> targets, Span<float> delta, int count, float scale)
    {
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float e = y[i] - targets[i];
            total += 0.5 * e * e;
            delta[i] = scale * e;
        }

        return (float)total;
    }

    /// <summary>Returns the weight-decay penalty (λ/2)·‖w‖².</summary>
    public static float WeightDecayPenalty(ReadOnlySpan<float> weights, float lambda) =>
        lambda == 0f ? 0f : 0.5f * lambda * TensorPrimitives.SumOfSquares(weights);

    /// <summary>Adds λ·w to <paramref name="gradient"/> and returns (λ/2)·‖w‖².</summary>
    public static float WeightDecay(ReadOnlySpan<float> weights, Span<float> gradient, float lambda)
    {
        if (lambda == 0f) return 0f;
        TensorPrimitives.MultiplyAdd(weights, lambda, gradient, gradient);
        return 0.5f * lambda * TensorPrimitives.SumOfSquares(weights);
    }
}
