using System.ComponentModel;
using System.Numerics.Tensors;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// AlexNet's local response normalisation across channels at each spatial position:
/// <c>y[c] = x[c] · S[c]^(−β)</c>, <c>S[c] = k + α·Σ_{|c′ − c| ≤ ⌊n/2⌋} x[c′]²</c> (channels outside 0…C−1 omitted);
/// backward <c>dx[e] = S[e]^(−β)·dy[e] − 2αβ·x[e]·Σ_{|c − e| ≤ ⌊n/2⌋} dy[c]·x[c]·S[c]^(−β−1)</c>.
/// </summary>
/// <remarks>
/// The backward pass recomputes the sums from the forward input, in a scratch buffer of twice the input length per
/// sample. The Lipschitz bound is k^(−β)·(1 + 2β·q·n^(3/4)), q = β^β/(1 + β)^(1+β) (derivation in <c>docs/lipschitz.md</c>).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class LocalResponseNorm
{
    /// <summary>The layer's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz(int size, double k, double alpha, double beta) => LayerLipschitz.Fixed(Bound(size, k, beta), BoundText(size, k, alpha, beta));

    /// <summary>y[c] = x[c] / (k + α·Σ_{|c′−c| ≤ n/2} x[c′]²)^β at each position.</summary>
    /// <param name="g">The layer geometry (Kernel = n, the channels in the window, odd).</param>
    /// <param name="k">k &gt; 0.</param>
    /// <param name="alpha">α ≥ 0.</param>
    /// <param name="beta">β ≥ 0.</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="y">Outputs, same shape.</param>
    /// <param name="scratch">At least 2·C·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Forward(LayerGeometry g, float k, float alpha, float beta, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int batch)
    {
        LayerChecks.SameShape(g, x, y, scratch, batch, 2 * g.InputLength);
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

    /// <summary>The gradient of <see cref="Forward"/> (dx overwritten).</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="k">k.</param>
    /// <param name="alpha">α.</param>
    /// <param name="beta">β.</param>
    /// <param name="x">The inputs of the forward pass.</param>
    /// <param name="dy">∂E/∂y.</param>
    /// <param name="dx">Receives ∂E/∂x.</param>
    /// <param name="scratch">At least 2·C·H·W values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Backward(LayerGeometry g, float k, float alpha, float beta, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int batch)
    {
        LayerChecks.SameShape(g, x, dx, scratch, batch, 2 * g.InputLength);
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
}
