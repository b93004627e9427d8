using System.ComponentModel;
using System.Numerics.Tensors;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The paper's contrast normalisation (Sec. 4.3) across the channels at each spatial position of C×H×W activations
/// (a flat activation of n values is n × 1 × 1, so the norm is over all of it): <c>y = x · s^(−γ)</c>,
/// <c>s = ε + Σ_c x[c]²</c>; backward <c>dx = s^(−γ)·dy − 2γ·s^(−γ−1)·⟨x, dy⟩·x</c>.
/// </summary>
/// <remarks>
/// The backward pass recomputes the sums from the forward input, in a scratch buffer of twice the input length per
/// sample. The Lipschitz bound is ε^(−γ) for every γ ≥ 0, attained at x = 0 (derivation in <c>docs/lipschitz.md</c>).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class ContrastNorm
{
    /// <summary>The layer's Lipschitz bound, ε^(−γ); for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz(double epsilon, double gamma) => LayerLipschitz.Fixed(Bound(epsilon, gamma), BoundText(epsilon, gamma));

    /// <summary>y = x / (ε + ‖x‖²)^γ across channels at each position.</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="y">Outputs, same shape.</param>
    /// <param name="scratch">At least 2·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Forward(LayerGeometry g, float epsilon, float gamma, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int batch)
    {
        LayerChecks.SameShape(g, x, y, scratch, batch, 2 * g.InputHeight * g.InputWidth);
        int c = g.InputChannels, hw = g.InputHeight * g.InputWidth, length = g.InputLength;
        Span<float> factor = scratch.Slice(0, hw);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * length, length);
            Span<float> ys = y.Slice(s * length, length);
            SumOfSquares(xs, c, hw, epsilon, factor);
            for (int p = 0; p < hw; p++) factor[p] = MathF.Pow(factor[p], -gamma);
            for (int ch = 0; ch < c; ch++) TensorPrimitives.Multiply(xs.Slice(ch * hw, hw), factor, ys.Slice(ch * hw, hw));
        }
    }

    /// <summary>dx = s^(−γ)·dy − 2γ·s^(−γ−1)·⟨x, dy⟩·x at each position (dx overwritten).</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="x">The inputs of the forward pass.</param>
    /// <param name="dy">∂E/∂y.</param>
    /// <param name="dx">Receives ∂E/∂x.</param>
    /// <param name="scratch">At least 2·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Backward(LayerGeometry g, float epsilon, float gamma, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int batch)
    {
        LayerChecks.SameShape(g, x, dx, scratch, batch, 2 * g.InputHeight * g.InputWidth);
        NetworkGuard.Length(dy, batch * g.InputLength, nameof(dy));
        int c = g.InputChannels, hw = g.InputHeight * g.InputWidth, length = g.InputLength;
        Span<float> sum = scratch.Slice(0, hw), dot = scratch.Slice(hw, hw);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * length, length), dys = dy.Slice(s * length, length);
            Span<float> dxs = dx.Slice(s * length, length);
            SumOfSquares(xs, c, hw, epsilon, sum);
            dot.Clear();
            for (int ch = 0; ch < c; ch++) TensorPrimitives.MultiplyAdd(xs.Slice(ch * hw, hw), dys.Slice(ch * hw, hw), dot, dot);
            for (int p = 0; p < hw; p++)
            {
                float f = MathF.Pow(sum[p], -gamma);
                dot[p] = -2f * gamma * f / sum[p] * dot[p];   // −2γ·s^(−γ−1)·⟨x, dy⟩
                sum[p] = f;                                     // s^(−γ)
            }

            for (int ch = 0; ch < c; ch++)
            {
                Span<float> d = dxs.Slice(ch * hw, hw);
                TensorPrimitives.Multiply(dys.Slice(ch * hw, hw), sum, d);
                TensorPrimitives.MultiplyAdd(xs.Slice(ch * hw, hw), dot, d, d);
            }
        }
    }

    /// <summary>sum[p] = offset + Σ_c x[c, p]², channel by channel in order.</summary>
    private static void SumOfSquares(ReadOnlySpan<float> x, int channels, int hw, float offset, Span<float> sum)
    {
        sum.Fill(offset);
        for (int ch = 0; ch < channels; ch++)
        {
            ReadOnlySpan<float> plane = x.Slice(ch * hw, hw);
            TensorPrimitives.MultiplyAdd(plane, plane, sum, sum);
        }
    }
}
