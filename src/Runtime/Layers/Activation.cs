using Intriguing.Linear;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The element-wise nonlinearities sigmoid, tanh and ReLU: their kernels (which the fused training steps share) and
/// their Lipschitz bounds, their largest slopes: 1/4, 1 and 1.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Activation
{
    private static readonly LayerLipschitz s_sigmoid = LayerLipschitz.Fixed(0.25, SigmoidBoundText());
    private static readonly LayerLipschitz s_tanh = LayerLipschitz.Fixed(1, TanhBoundText());
    private static readonly LayerLipschitz s_relu = LayerLipschitz.Fixed(1, ReLUBoundText());

    /// <summary>The sigmoid's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz SigmoidLipschitz() => s_sigmoid;

    /// <summary>Tanh's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz TanhLipschitz() => s_tanh;

    /// <summary>The ReLU's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz ReLULipschitz() => s_relu;

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
}
