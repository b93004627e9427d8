using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.ComponentModel;
using Intriguing.Linear;

namespace Intriguing.Generated;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The objectives' pieces generated networks and the trainer call that belong to no single layer: the squared error
/// of a regression network and the weight-decay penalty. (Each layer's kernels live in its home, <c>Intriguing.Layers</c>.)
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Objectives
{
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
