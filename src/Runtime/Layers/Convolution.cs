using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Intriguing.Linear;
using Intriguing.Spectral;
using System.ComponentModel;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// 2-D convolution kernels for generated networks: im2col followed by one GEMM per sample.
/// </summary>
/// <remarks>
/// <para>Layout (see <see cref="LayerGeometry"/>): activations per sample C×H×W row-major; weights
/// <c>[D][C][k][k]</c> row-major, i.e. a D × (C·k·k) matrix; bias [D]. The im2col matrix of one sample is
/// (C·k·k) × (H′·W′): row <c>(c·k + u)·k + v</c>, column <c>i·W′ + j</c> holds
/// <c>x[c, i·stride − padding + u, j·stride − padding + v]</c> (zero outside the input, or the index taken modulo the
/// input size for circular padding). Then <c>Y = W · col</c> (D × H′·W′), which is already the CHW output.</para>
/// <para>Backward: <c>dW = Σ_samples dY · colᵀ</c>, <c>db = Σ dY</c>, <c>dX = col2im(Wᵀ · dY)</c>, where col2im adds
/// every column entry back to the input value it was read from. Nothing allocates; the caller's scratch holds one
/// sample's im2col matrix (<see cref="ColumnLength"/>). Every sum runs in a fixed order, so results are reproducible.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Convolution
{
    /// <summary>The layer's Lipschitz bound (the Fourier method, <see cref="LipschitzBound"/>); for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz(LayerGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new FourierBound(g);
    }

    /// <summary>
    /// A certified upper bound of the operator norm of a convolution layer with the given geometry and weights
    /// (<c>[D][C][k][k]</c>), and a description of how it was obtained.
    /// </summary>
    /// <remarks>
    /// Zero padding: <see cref="ConvolutionNorm"/> on the periodic map of which the layer is a compression.
    /// Circular padding: the layer computes outputs i = 0 … H_out − 1 of the periodic map at positions
    /// i·s − p (mod H). When s divides H and H_out ≤ H/s these are distinct outputs of the circular convolution with
    /// stride s, so its norm bounds the layer's (with equality when H_out = H/s, both axes). Otherwise the layer is
    /// the stride-1 circular convolution followed by a selection of outputs in which a position can repeat; the
    /// selection has norm √(largest repetition), which multiplies the stride-1 norm.
    /// </remarks>
    public static (double Bound, string Method) LipschitzBound(ReadOnlySpan<float> weights, LayerGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        LayerGeometry g = geometry;
        if (g.PaddingMode == PaddingMode.Zero)
        {
            var shape = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding, PaddingMode.Zero);

            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape);
            return (r.UpperBound, $"Fourier, zero padding on {r.PeriodHeight}×{r.PeriodWidth} (≥ ‖·‖; estimate {r.Estimate:G6})");
        }

        bool fits = g.InputHeight % g.Stride == 0 && g.InputWidth % g.Stride == 0
            && g.OutputHeight <= g.InputHeight / g.Stride && g.OutputWidth <= g.InputWidth / g.Stride;
        if (fits)
        {
            var shape = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding, PaddingMode.Circular);
            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape);
            bool exact = g.OutputHeight == g.InputHeight / g.Stride && g.OutputWidth == g.InputWidth / g.Stride;
            return (r.UpperBound, $"Fourier, circular{(exact ? "" : ", subset of outputs")} (estimate {r.Estimate:G6}, ±{r.RelativeGap:G2})");
        }

        var unit = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, 1, 1, g.Padding, PaddingMode.Circular);
        ConvolutionNormResult s1 = ConvolutionNorm.Compute(weights, unit);
        int repeat = Repetition(g.OutputHeight, g.Stride, g.InputHeight) * Repetition(g.OutputWidth, g.Stride, g.InputWidth);
        double bound = double.BitIncrement(s1.UpperBound * Math.Sqrt(repeat) * (1 + 1e-15));
        return (bound, $"Fourier, circular stride 1 × √{repeat} (selection of outputs)");
    }

    /// <summary>The largest number of outputs i &lt; count with the same position i·stride mod length.</summary>
    private static int Repetition(int count, int stride, int length)
    {
        int[] hits = new int[length];
        int best = 0;
        for (int i = 0; i < count; i++) best = Math.Max(best, ++hits[(int)((long)i * stride % length)]);
        return best;
    }

    private sealed class FourierBound(LayerGeometry g) : LayerLipschitz
    {
        public override string Method => BoundText(g.PaddingMode == PaddingMode.Circular);

        public override LayerBound Compute(INetwork network, LayerInfo layer, SpectralNormOptions? options)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(layer);
            int count = g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel;
            return Bound(layer, network.Parameters.Slice(layer.WeightOffset, count), g);
        }
    }

    /// <summary>The layer's bound for the given kernels (generated <c>LipschitzBounds()</c> calls it with the layer's constant geometry).</summary>
    public static LayerBound Bound(LayerInfo layer, ReadOnlySpan<float> weights, LayerGeometry g)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(g);
        (double bound, string method) = LipschitzBound(weights, g);
        return new LayerBound(layer.Index, layer.Name, layer.Kind, $"{g.InputChannels}×{g.Kernel}×{g.Kernel}×{g.OutputChannels}", bound, method);
    }

    /// <summary>Values of one sample's im2col matrix, (C·k·k) × (H′·W′).</summary>
    public static int ColumnLength(LayerGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return g.InputChannels * g.Kernel * g.Kernel * g.OutputHeight * g.OutputWidth;
    }

    /// <summary>y = W ⊛ x + b for <paramref name="batch"/> samples.</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="weights">Kernels, D×C×k×k.</param>
    /// <param name="bias">Bias per filter (D values), or empty for none.</param>
    /// <param name="y">Outputs, D×H′×W′ per sample.</param>
    /// <param name="columns">Scratch of at least <see cref="ColumnLength"/> values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Forward(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y, Span<float> columns, int batch)
    {
        Check(g, x, weights, y, columns, batch);
        int d = g.OutputChannels, positions = g.OutputHeight * g.OutputWidth, rows = g.InputChannels * g.Kernel * g.Kernel;
        int inLength = g.InputLength, outLength = g.OutputLength;
        if (!bias.IsEmpty) NetworkGuard.Length(bias, d, nameof(bias));
        bool direct = IsPointwise(g);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * inLength, inLength);
            Span<float> ys = y.Slice(s * outLength, outLength);
            ReadOnlySpan<float> col = xs;
            if (!direct)
            {
                Im2Col(g, xs, columns);
                col = columns.Slice(0, rows * positions);
            }

            Gemm.MultiplyAB(weights, col, ys, d, positions, rows);
            if (!bias.IsEmpty)
            {
                for (int f = 0; f < d; f++)
                {
                    Span<float> plane = ys.Slice(f * positions, positions);
                    TensorPrimitives.Add(plane, bias[f], plane);
                }
            }
        }
    }

    /// <summary>
    /// Gradients of a convolution: ∂E/∂W into <paramref name="weightGradient"/> and ∂E/∂b into
    /// <paramref name="biasGradient"/> (both overwritten; skipped when empty), and ∂E/∂x into <paramref name="dx"/>
    /// (overwritten; skipped when empty).
    /// </summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="x">The inputs of the forward pass.</param>
    /// <param name="weights">Kernels, D×C×k×k.</param>
    /// <param name="dy">∂E/∂y, D×H′×W′ per sample.</param>
    /// <param name="weightGradient">Receives ∂E/∂W (D×C×k×k), or empty.</param>
    /// <param name="biasGradient">Receives ∂E/∂b (D), or empty.</param>
    /// <param name="dx">Receives ∂E/∂x (C×H×W per sample), or empty.</param>
    /// <param name="columns">Scratch of at least <see cref="ColumnLength"/> values.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Backward(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> dy,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> dx, Span<float> columns, int batch)
    {
        Check(g, x, weights, dy, columns, batch);
        int d = g.OutputChannels, positions = g.OutputHeight * g.OutputWidth, rows = g.InputChannels * g.Kernel * g.Kernel;
        int inLength = g.InputLength, outLength = g.OutputLength;
        bool direct = IsPointwise(g);
        if (!weightGradient.IsEmpty) NetworkGuard.Length(weightGradient, d * rows, nameof(weightGradient));
        if (!biasGradient.IsEmpty)
        {
            NetworkGuard.Length(biasGradient, d, nameof(biasGradient));
            biasGradient.Slice(0, d).Clear();
        }

        if (!dx.IsEmpty) NetworkGuard.Length(dx, batch * inLength, nameof(dx));
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * inLength, inLength);
            ReadOnlySpan<float> dys = dy.Slice(s * outLength, outLength);
            if (!weightGradient.IsEmpty)
            {
                // dW (+)= dY_s · col_sᵀ: D × (C·k·k).
                ReadOnlySpan<float> col = xs;
                if (!direct)
                {
                    Im2Col(g, xs, columns);
                    col = columns.Slice(0, rows * positions);
                }

                Gemm.MultiplyABt(dys, col, weightGradient, d, rows, positions, accumulate: s > 0);
            }

            if (!biasGradient.IsEmpty)
            {
                for (int f = 0; f < d; f++) biasGradient[f] += TensorPrimitives.Sum(dys.Slice(f * positions, positions));
            }

            if (!dx.IsEmpty)
            {
                Span<float> dxs = dx.Slice(s * inLength, inLength);
                if (direct)
                {
                    Gemm.MultiplyAtB(weights, dys, dxs, rows, positions, d);
                }
                else
                {
                    // dcol = Wᵀ · dY_s, then every entry goes back to the input value it was read from.
                    Span<float> dcol = columns.Slice(0, rows * positions);
                    Gemm.MultiplyAtB(weights, dys, dcol, rows, positions, d);
                    Col2Im(g, dcol, dxs);
                }
            }
        }
    }

    /// <summary>Writes the im2col matrix of one sample (see the class remarks) into <paramref name="columns"/>.</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="x">One sample, C×H×W.</param>
    /// <param name="columns">Receives (C·k·k) × (H′·W′) values.</param>
    public static void Im2Col(LayerGeometry g, ReadOnlySpan<float> x, Span<float> columns)
    {
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride, pad = g.Padding;
        int oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow;
        bool circular = g.PaddingMode == PaddingMode.Circular;
        if (stride == 1 && pad == 0)
        {
            // No padding, stride 1: every column row is oh runs of ow values, each a contiguous piece of an input row.
            // Indices: (ch·h + u + i)·w + v + ow ≤ c·h·w since u + oh ≤ h and v + ow ≤ w; checked lengths below.
            NetworkGuard.Length(x, c * h * w, nameof(x));
            NetworkGuard.Length(columns, c * k * k * positions, nameof(columns));
            ref float x0 = ref MemoryMarshal.GetReference(x);
            ref float c0 = ref MemoryMarshal.GetReference(columns);
            uint bytes = (uint)(ow * sizeof(float));
            for (int ch = 0; ch < c; ch++)
            {
                for (int u = 0; u < k; u++)
                {
                    for (int v = 0; v < k; v++)
                    {
                        ref float dst = ref Unsafe.Add(ref c0, ((ch * k + u) * k + v) * positions);
                        ref float src = ref Unsafe.Add(ref x0, ((ch * h + u) * w) + v);
                        for (int i = 0; i < oh; i++)
                        {
                            Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref dst, i * ow)), ref Unsafe.As<float, byte>(ref Unsafe.Add(ref src, i * w)), bytes);
                        }
                    }
                }
            }

            return;
        }

        for (int ch = 0; ch < c; ch++)
        {
            for (int u = 0; u < k; u++)
            {
                for (int v = 0; v < k; v++)
                {
                    Span<float> row = columns.Slice(((ch * k + u) * k + v) * positions, positions);
                    for (int i = 0; i < oh; i++)
                    {
                        Span<float> dst = row.Slice(i * ow, ow);
                        int ih = i * stride - pad + u;
                        if (circular)
                        {
                            ih = Wrap(ih, h);
                        }
                        else if ((uint)ih >= (uint)h)
                        {
                            dst.Clear();
                            continue;
                        }

                        ReadOnlySpan<float> src = x.Slice((ch * h + ih) * w, w);
                        if (stride == 1 && !circular)
                        {
                            // Columns j with 0 ≤ j − pad + v < w read a contiguous run of the input row.
                            int j0 = Math.Clamp(pad - v, 0, ow), j1 = Math.Clamp(w + pad - v, j0, ow);
                            if (j0 > 0) dst.Slice(0, j0).Clear();
                            CopyRun(src.Slice(j0 - pad + v, j1 - j0), dst.Slice(j0, j1 - j0));
                            if (j1 < ow) dst.Slice(j1).Clear();
                        }
                        else
                        {
                            for (int j = 0; j < ow; j++)
                            {
                                int iw = j * stride - pad + v;
                                if (circular) dst[j] = src[Wrap(iw, w)];
                                else dst[j] = (uint)iw < (uint)w ? src[iw] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: overwrites <paramref name="x"/> with the sums of the column entries read from each value.</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="columns">(C·k·k) × (H′·W′) values.</param>
    /// <param name="x">Receives one sample, C×H×W.</param>
    public static void Col2Im(LayerGeometry g, ReadOnlySpan<float> columns, Span<float> x)
    {
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride, pad = g.Padding;
        int oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow;
        bool circular = g.PaddingMode == PaddingMode.Circular;
        x.Slice(0, c * h * w).Clear();
        for (int ch = 0; ch < c; ch++)
        {
            for (int u = 0; u < k; u++)
            {
                for (int v = 0; v < k; v++)
                {
                    ReadOnlySpan<float> row = columns.Slice(((ch * k + u) * k + v) * positions, positions);
                    for (int i = 0; i < oh; i++)
                    {
                        ReadOnlySpan<float> src = row.Slice(i * ow, ow);
                        int ih = i * stride - pad + u;
                        if (circular) ih = Wrap(ih, h);
                        else if ((uint)ih >= (uint)h) continue;
                        Span<float> dst = x.Slice((ch * h + ih) * w, w);
                        if (stride == 1 && !circular)
                        {
                            int j0 = Math.Clamp(pad - v, 0, ow), j1 = Math.Clamp(w + pad - v, j0, ow);
                            Span<float> run = dst.Slice(j0 - pad + v, j1 - j0);
                            TensorPrimitives.Add(run, src.Slice(j0, j1 - j0), run);
                        }
                        else
                        {
                            for (int j = 0; j < ow; j++)
                            {
                                int iw = j * stride - pad + v;
                                if (circular) dst[Wrap(iw, w)] += src[j];
                                else if ((uint)iw < (uint)w) dst[iw] += src[j];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Copies a short run (a row of the output, tens of values) without the call overhead of a block copy.</summary>
    private static void CopyRun(ReadOnlySpan<float> source, Span<float> destination)
    {
        int n = source.Length, i = 0;
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) Vector256.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        }

        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }

    /// <summary>A 1×1 convolution with stride 1 and no padding: the input itself is the im2col matrix.</summary>
    private static bool IsPointwise(LayerGeometry g) => g.Kernel == 1 && g.Stride == 1 && g.Padding == 0;

    private static int Wrap(int i, int n)
    {
        int r = i % n;
        return r < 0 ? r + n : r;
    }

    private static void Check(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> y, ReadOnlySpan<float> columns, int batch)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        NetworkGuard.Length(x, batch * g.InputLength, nameof(x));
        NetworkGuard.Length(y, batch * g.OutputLength, nameof(y));
        NetworkGuard.Length(weights, g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel, nameof(weights));
        if (!IsPointwise(g)) NetworkGuard.Length(columns, ColumnLength(g), nameof(columns));
    }
}
