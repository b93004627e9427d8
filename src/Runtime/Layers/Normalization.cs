using System.Numerics.Tensors;
using System.ComponentModel;
using Intriguing.Layers;

namespace Intriguing.Generated;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// Normalisation kernels for generated networks, across the channels at each spatial position of C×H×W activations
/// (a flat activation of n values is n × 1 × 1, so the norm is over all of it).
/// </summary>
/// <remarks>
/// <para>Contrast normalisation (the paper's §4.3): <c>y = x · s^(−γ)</c>, <c>s = ε + Σ_c x[c]²</c>. Backward:
/// <c>dx = s^(−γ)·dy − 2γ·s^(−γ−1)·⟨x, dy⟩·x</c>.</para>
/// <para>Local response normalisation (AlexNet): <c>y[c] = x[c] · S[c]^(−β)</c>, <c>S[c] = k + α·Σ_{|c′ − c| ≤ ⌊n/2⌋} x[c′]²</c>
/// (channels outside 0…C−1 omitted). Backward:
/// <c>dx[e] = S[e]^(−β)·dy[e] − 2αβ·x[e]·Σ_{|c − e| ≤ ⌊n/2⌋} dy[c]·x[c]·S[c]^(−β−1)</c>.</para>
/// <para>Both recompute their sums from the forward input in the backward pass, in a scratch buffer of twice the
/// input length per sample.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Normalization
{
    /// <summary>y = x / (ε + ‖x‖²)^γ across channels at each position.</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="y">Outputs, same shape.</param>
    /// <param name="scratch">At least 2·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void ContrastForward(LayerGeometry g, float epsilon, float gamma, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int batch)
    {
        Check(g, x, y, scratch, batch, 2 * g.InputHeight * g.InputWidth);
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
    public static void ContrastBackward(LayerGeometry g, float epsilon, float gamma, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int batch)
    {
        Check(g, x, dx, scratch, batch, 2 * g.InputHeight * g.InputWidth);
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

    /// <summary>y[c] = x[c] / (k + α·Σ_{|c′−c| ≤ n/2} x[c′]²)^β at each position.</summary>
    /// <param name="g">The layer geometry (Kernel = n, the channels in the window, odd).</param>
    /// <param name="k">k &gt; 0.</param>
    /// <param name="alpha">α ≥ 0.</param>
    /// <param name="beta">β ≥ 0.</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="y">Outputs, same shape.</param>
    /// <param name="scratch">At least 2·C·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void LocalResponseForward(LayerGeometry g, float k, float alpha, float beta, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int batch)
    {
        Check(g, x, y, scratch, batch, 2 * g.InputLength);
        int length = g.InputLength;
        Span<float> sums = scratch.Slice(length, length);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * length, length);
            Span<float> ys = y.Slice(s * length, length);
            WindowSums(g, k, alpha, xs, scratch.Slice(0, length), sums);
            for (int i = 0; i < length; i++) ys[i] = xs[i] * MathF.Pow(sums[i], -beta);
        }
    }

    /// <summary>The gradient of <see cref="LocalResponseForward"/> (dx overwritten).</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="k">k.</param>
    /// <param name="alpha">α.</param>
    /// <param name="beta">β.</param>
    /// <param name="x">The inputs of the forward pass.</param>
    /// <param name="dy">∂E/∂y.</param>
    /// <param name="dx">Receives ∂E/∂x.</param>
    /// <param name="scratch">At least 2·C·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void LocalResponseBackward(LayerGeometry g, float k, float alpha, float beta, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int batch)
    {
        Check(g, x, dx, scratch, batch, 2 * g.InputLength);
        NetworkGuard.Length(dy, batch * g.InputLength, nameof(dy));
        int c = g.InputChannels, hw = g.InputHeight * g.InputWidth, length = g.InputLength, half = g.Kernel / 2;
        Span<float> u = scratch.Slice(0, length), sums = scratch.Slice(length, length);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * length, length), dys = dy.Slice(s * length, length);
            Span<float> dxs = dx.Slice(s * length, length);
            WindowSums(g, k, alpha, xs, u, sums);

            // u[c] = dy[c]·x[c]·S[c]^(−β−1); sums becomes S^(−β).
            for (int i = 0; i < length; i++)
            {
                float f = MathF.Pow(sums[i], -beta);
                u[i] = dys[i] * xs[i] * f / sums[i];
                sums[i] = f;
            }

            float twoAlphaBeta = 2f * alpha * beta;
            for (int e = 0; e < c; e++)
            {
                Span<float> d = dxs.Slice(e * hw, hw);
                TensorPrimitives.Multiply(dys.Slice(e * hw, hw), sums.Slice(e * hw, hw), d);
                for (int p = 0; p < hw; p++)
                {
                    float window = 0f;
                    for (int cc = Math.Max(0, e - half); cc <= Math.Min(c - 1, e + half); cc++) window += u[cc * hw + p];
                    d[p] -= twoAlphaBeta * xs[e * hw + p] * window;
                }
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

    /// <summary>S[c] = k + α·Σ_{|c′−c| ≤ n/2} x[c′]² (squares staged in <paramref name="squares"/>).</summary>
    private static void WindowSums(LayerGeometry g, float k, float alpha, ReadOnlySpan<float> x, Span<float> squares, Span<float> sums)
    {
        int c = g.InputChannels, hw = g.InputHeight * g.InputWidth, half = g.Kernel / 2;
        TensorPrimitives.Multiply(x, x, squares);
        for (int ch = 0; ch < c; ch++)
        {
            Span<float> target = sums.Slice(ch * hw, hw);
            target.Clear();
            for (int cc = Math.Max(0, ch - half); cc <= Math.Min(c - 1, ch + half); cc++) TensorPrimitives.Add(target, squares.Slice(cc * hw, hw), target);
            TensorPrimitives.Multiply(target, alpha, target);
            TensorPrimitives.Add(target, k, target);
        }
    }

    private static void Check(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> scratch, int batch, int scratchLength)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        NetworkGuard.Length(x, batch * g.InputLength, nameof(x));
        NetworkGuard.Length(y, batch * g.InputLength, nameof(y));
        NetworkGuard.Length(scratch, scratchLength, nameof(scratch));
    }
}
