using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// Average-pooling kernels for generated networks (square windows, any stride, no padding):
/// <c>y[c, i, j] = (1/k²)·Σ_{0 ≤ u, v &lt; k} x[c, i·s + u, j·s + v]</c>; backward, each output's gradient divided by
/// k² is added to every input of its window. Sums run in a fixed order (rows of the window, then columns).
/// </summary>
/// <remarks>
/// The layer is linear; its Lipschitz constant is its operator norm ‖A_h‖₂·‖A_w‖₂, computed exactly for its shape
/// (derivation in <c>docs/lipschitz.md</c>): 1/k without overlap, and for overlapping windows neither 1 nor √(overlap)
/// as for max-pooling, but e.g. ≈ 0.55 for AlexNet-style 3 × 3 windows at stride 2.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class AveragePooling
{
    /// <summary>The layer's Lipschitz bound, its exact operator norm; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz(LayerGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return LayerLipschitz.Fixed(Bound(g.Kernel, g.Stride, g.OutputHeight, g.OutputWidth), BoundText(g.Kernel, g.Stride, g.OutputHeight, g.OutputWidth));
    }

    /// <summary>Average pooling of <paramref name="batch"/> samples.</summary>
    /// <param name="g">The layer geometry (Kernel = window side).</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="y">Outputs, C×H′×W′ per sample.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Forward(LayerGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        Check(g, x, y, batch);
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride;
        int oh = g.OutputHeight, ow = g.OutputWidth;
        float scale = 1f / (k * k);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * g.InputLength, g.InputLength);
            Span<float> ys = y.Slice(s * g.OutputLength, g.OutputLength);
            int o = 0;
            for (int ch = 0; ch < c; ch++)
            {
                int plane = ch * h * w;
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int first = plane + i * stride * w + j * stride;
                        float sum = 0f;
                        for (int u = 0; u < k; u++)
                        {
                            ReadOnlySpan<float> row = xs.Slice(first + u * w, k);
                            for (int v = 0; v < k; v++) sum += row[v];
                        }

                        ys[o] = sum * scale;
                    }
                }
            }
        }
    }

    /// <summary>dx = Aᵀ·dy: each output's gradient, divided by k², added to the inputs of its window (dx overwritten).</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="dy">∂E/∂y, C×H′×W′ per sample.</param>
    /// <param name="dx">Receives ∂E/∂x, C×H×W per sample.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Backward(LayerGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        Check(g, dx, dy, batch);
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride;
        int oh = g.OutputHeight, ow = g.OutputWidth;
        float scale = 1f / (k * k);
        dx.Slice(0, batch * g.InputLength).Clear();
        for (int s = 0; s < batch; s++)
        {
            Span<float> dxs = dx.Slice(s * g.InputLength, g.InputLength);
            ReadOnlySpan<float> dys = dy.Slice(s * g.OutputLength, g.OutputLength);
            int o = 0;
            for (int ch = 0; ch < c; ch++)
            {
                int plane = ch * h * w;
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int first = plane + i * stride * w + j * stride;
                        float share = dys[o] * scale;
                        for (int u = 0; u < k; u++)
                        {
                            Span<float> row = dxs.Slice(first + u * w, k);
                            for (int v = 0; v < k; v++) row[v] += share;
                        }
                    }
                }
            }
        }
    }

    private static void Check(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        NetworkGuard.Length(x, batch * g.InputLength, nameof(x));
        NetworkGuard.Length(y, batch * g.OutputLength, nameof(y));
    }
}
