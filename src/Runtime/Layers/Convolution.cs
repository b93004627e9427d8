using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
            for (int ch = 0; ch < c; ch++)
            {
                for (int u = 0; u < k; u++)
                {
                    for (int v = 0; v < k; v++)
                    {
                        ref float dst = ref Unsafe.Add(ref c0, ((ch * k + u) * k + v) * positions);
                        ref float src = ref Unsafe.Add(ref x0, ((ch * h + u) * w) + v);
                        for (int i = 0; i < oh; i++) CopyShort(ref Unsafe.Add(ref src, i * w), ref Unsafe.Add(ref dst, i * ow), ow);
                    }
                }
            }

            return;
        }

        if (stride > 1 && !circular && h * (w + stride - 1) <= MaxPhaseImage)
        {
            Im2ColPhases(g, x, columns);
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
                            if (j1 > j0) CopyShort(ref Unsafe.AsRef(in src[j0 - pad + v]), ref dst[j0], j1 - j0);
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
        if (stride > 1 && !circular && h * (w + stride - 1) <= MaxPhaseImage)
        {
            Col2ImPhases(g, columns, x);
            return;
        }

        x.Slice(0, c * h * w).Clear();
        if (stride == 1 && pad == 0)
        {
            // The adjoint of Im2Col's stride-1 path, in the same order as the general loop below.
            NetworkGuard.Length(columns, c * k * k * positions, nameof(columns));
            ref float c0 = ref MemoryMarshal.GetReference(columns);
            ref float x0 = ref MemoryMarshal.GetReference(x);
            for (int ch = 0; ch < c; ch++)
            {
                for (int u = 0; u < k; u++)
                {
                    for (int v = 0; v < k; v++)
                    {
                        ref float src = ref Unsafe.Add(ref c0, ((ch * k + u) * k + v) * positions);
                        ref float dst = ref Unsafe.Add(ref x0, ((ch * h + u) * w) + v);
                        for (int i = 0; i < oh; i++) AddShort(ref Unsafe.Add(ref src, i * ow), ref Unsafe.Add(ref dst, i * w), ow);
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
                            AddShort(ref MemoryMarshal.GetReference(src.Slice(j0, j1 - j0)), ref MemoryMarshal.GetReference(run), run.Length);
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

    /// <summary>Largest channel (H·(W + s − 1) values) the strided paths split into phases on the stack (64 KB).</summary>
    private const int MaxPhaseImage = 16384;

    /// <summary>
    /// <see cref="Im2Col"/> for stride s &gt; 1 and zero padding. Each channel is split once into its s column phases
    /// (<see cref="SplitChannel"/>: the values at columns p, p + s, p + 2s, … of every row); then, as in the stride-1 path,
    /// every column row is oh contiguous runs: x[ih, j·s − pad + v] with v − pad = q·s + p is phase p of row ih at j + q.
    /// </summary>
    private static void Im2ColPhases(LayerGeometry g, ReadOnlySpan<float> x, Span<float> columns)
    {
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, s = g.Stride, pad = g.Padding;
        int oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow, phaseLength = (w + s - 1) / s;
        NetworkGuard.Length(x, c * h * w, nameof(x));
        NetworkGuard.Length(columns, c * k * k * positions, nameof(columns));
        Span<float> image = stackalloc float[s * h * phaseLength];
        Span<PhaseRun> runs = stackalloc PhaseRun[k];
        PlanRuns(g, runs, phaseLength);
        ref float image0 = ref MemoryMarshal.GetReference(image);
        for (int ch = 0; ch < c; ch++)
        {
            SplitChannel(x.Slice(ch * h * w, h * w), image, h, w, s, phaseLength);
            for (int u = 0; u < k; u++)
            {
                // Windows i0 ≤ i < i1 read input rows inside the image; the others read the padding.
                int i0 = Math.Clamp(CeilingDivide(pad - u, s), 0, oh), i1 = Math.Clamp(CeilingDivide(h + pad - u, s), i0, oh);
                for (int v = 0; v < k; v++)
                {
                    Span<float> row = columns.Slice(((ch * k + u) * k + v) * positions, positions);
                    PhaseRun run = runs[v];
                    if (i0 > 0) row.Slice(0, i0 * ow).Clear();
                    if (i1 < oh) row.Slice(i1 * ow).Clear();
                    if (run.Length == 0)
                    {
                        row.Slice(i0 * ow, (i1 - i0) * ow).Clear();
                        continue;
                    }

                    if (i1 == i0) continue;

                    // Phase p of rows ih = i·s − pad + u, 0 ≤ ih < h by the choice of i0 and i1, values run.Source … + Length − 1 < phaseLength.
                    ref float source = ref Unsafe.Add(ref image0, (run.Phase * h + i0 * s - pad + u) * phaseLength + run.Source);
                    ref float destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(row), i0 * ow + run.Start);
                    for (int i = i0; i < i1; i++)
                    {
                        CopyShort(ref source, ref destination, run.Length);
                        source = ref Unsafe.Add(ref source, s * phaseLength);
                        destination = ref Unsafe.Add(ref destination, ow);
                    }

                    if (run.Start > 0 || run.Start + run.Length < ow)
                    {
                        for (int i = i0; i < i1; i++)
                        {
                            row.Slice(i * ow, run.Start).Clear();
                            row.Slice(i * ow + run.Start + run.Length, ow - run.Start - run.Length).Clear();
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Col2Im"/> for stride s &gt; 1 and zero padding, the adjoint of <see cref="Im2ColPhases"/>: the runs are added
    /// into the channel's phases in <see cref="Col2Im"/>'s order (by tap, then window), then interleaved back.
    /// </summary>
    private static void Col2ImPhases(LayerGeometry g, ReadOnlySpan<float> columns, Span<float> x)
    {
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, s = g.Stride, pad = g.Padding;
        int oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow, phaseLength = (w + s - 1) / s;
        NetworkGuard.Length(x, c * h * w, nameof(x));
        NetworkGuard.Length(columns, c * k * k * positions, nameof(columns));
        Span<float> image = stackalloc float[s * h * phaseLength];
        Span<PhaseRun> runs = stackalloc PhaseRun[k];
        PlanRuns(g, runs, phaseLength);
        ref float image0 = ref MemoryMarshal.GetReference(image);
        for (int ch = 0; ch < c; ch++)
        {
            image.Clear();
            for (int u = 0; u < k; u++)
            {
                int i0 = Math.Clamp(CeilingDivide(pad - u, s), 0, oh), i1 = Math.Clamp(CeilingDivide(h + pad - u, s), i0, oh);
                for (int v = 0; v < k; v++)
                {
                    PhaseRun run = runs[v];
                    if (run.Length == 0 || i1 == i0) continue;
                    ReadOnlySpan<float> row = columns.Slice(((ch * k + u) * k + v) * positions, positions);
                    ref float source = ref Unsafe.Add(ref MemoryMarshal.GetReference(row), i0 * ow + run.Start);
                    ref float destination = ref Unsafe.Add(ref image0, (run.Phase * h + i0 * s - pad + u) * phaseLength + run.Source);
                    for (int i = i0; i < i1; i++)
                    {
                        AddShort(ref source, ref destination, run.Length);
                        source = ref Unsafe.Add(ref source, ow);
                        destination = ref Unsafe.Add(ref destination, s * phaseLength);
                    }
                }
            }

            MergeChannel(image, x.Slice(ch * h * w, h * w), h, w, s, phaseLength);
        }
    }

    /// <summary>Where tap v reads in the phases: output columns Start … Start + Length − 1 read phase Phase from index Source.</summary>
    private struct PhaseRun
    {
        internal int Phase;
        internal int Source;
        internal int Start;
        internal int Length;
    }

    /// <summary>The run of every tap v of a strided layer (the same for every channel, tap row and window row).</summary>
    private static void PlanRuns(LayerGeometry g, Span<PhaseRun> runs, int phaseLength)
    {
        int w = g.InputWidth, s = g.Stride, ow = g.OutputWidth;
        for (int v = 0; v < g.Kernel; v++)
        {
            (int q, int p) = FloorDivide(v - g.Padding, s);
            int length = Math.Max(0, (w - p + s - 1) / s);
            int j0 = Math.Clamp(-q, 0, ow), j1 = Math.Clamp(length - q, j0, ow);
            if (j1 > j0 && (j0 + q < 0 || j1 + q > phaseLength)) throw new InvalidOperationException("A strided run leaves its phase.");
            runs[v] = new PhaseRun { Phase = p, Source = j0 + q, Start = j0, Length = j1 - j0 };
        }
    }

    /// <summary>
    /// Splits one channel (h rows of w) into its s column phases, phase-major: image[(p·h + ih)·L + t] = x[ih, t·s + p]
    /// for t·s + p &lt; w, with L = <paramref name="phaseLength"/> = ⌈w / s⌉.
    /// </summary>
    private static void SplitChannel(ReadOnlySpan<float> channel, Span<float> image, int h, int w, int s, int phaseLength)
    {
        NetworkGuard.Length(channel, h * w, nameof(channel));
        NetworkGuard.Length(image, s * h * phaseLength, nameof(image));
        ref float source = ref MemoryMarshal.GetReference(channel);
        ref float destination = ref MemoryMarshal.GetReference(image);
        if (s == 2 && w % 2 == 0 && Avx512F.IsSupported)
        {
            // With w even the even entries of the whole channel are the rows' phase 0, one after the other; the odd ones phase 1.
            int n = h * w, half = n / 2, i = 0;
            Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            Vector512<int> odds = evens + Vector512<int>.One;
            for (; i <= n - 32; i += 32)
            {
                Vector512<float> a = Vector512.LoadUnsafe(ref source, (nuint)i), b = Vector512.LoadUnsafe(ref source, (nuint)(i + 16));
                Avx512F.PermuteVar16x32x2(a, evens, b).StoreUnsafe(ref destination, (nuint)(i / 2));
                Avx512F.PermuteVar16x32x2(a, odds, b).StoreUnsafe(ref destination, (nuint)(half + i / 2));
            }

            for (; i < n; i += 2)
            {
                Unsafe.Add(ref destination, i / 2) = Unsafe.Add(ref source, i);
                Unsafe.Add(ref destination, half + i / 2) = Unsafe.Add(ref source, i + 1);
            }

            return;
        }

        for (int p = 0; p < s && p < w; p++)
        {
            int n = (w - p + s - 1) / s;
            for (int ih = 0; ih < h; ih++)
            {
                ref float phase = ref Unsafe.Add(ref destination, (p * h + ih) * phaseLength);
                ref float first = ref Unsafe.Add(ref source, ih * w + p);
                for (int t = 0; t < n; t++) Unsafe.Add(ref phase, t) = Unsafe.Add(ref first, t * s);
            }
        }
    }

    /// <summary>The inverse of <see cref="SplitChannel"/>: overwrites <paramref name="channel"/> with its phases interleaved.</summary>
    private static void MergeChannel(ReadOnlySpan<float> image, Span<float> channel, int h, int w, int s, int phaseLength)
    {
        NetworkGuard.Length(channel, h * w, nameof(channel));
        NetworkGuard.Length(image, s * h * phaseLength, nameof(image));
        ref float source = ref MemoryMarshal.GetReference(image);
        ref float destination = ref MemoryMarshal.GetReference(channel);
        if (s == 2 && w % 2 == 0 && Avx512F.IsSupported)
        {
            int n = h * w, half = n / 2, i = 0;
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            Vector512<int> high = low + Vector512.Create(8);
            for (; i <= n - 32; i += 32)
            {
                Vector512<float> even = Vector512.LoadUnsafe(ref source, (nuint)(i / 2)), odd = Vector512.LoadUnsafe(ref source, (nuint)(half + i / 2));
                Avx512F.PermuteVar16x32x2(even, low, odd).StoreUnsafe(ref destination, (nuint)i);
                Avx512F.PermuteVar16x32x2(even, high, odd).StoreUnsafe(ref destination, (nuint)(i + 16));
            }

            for (; i < n; i += 2)
            {
                Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i / 2);
                Unsafe.Add(ref destination, i + 1) = Unsafe.Add(ref source, half + i / 2);
            }

            return;
        }

        for (int p = 0; p < s && p < w; p++)
        {
            int n = (w - p + s - 1) / s;
            for (int ih = 0; ih < h; ih++)
            {
                ref float phase = ref Unsafe.Add(ref source, (p * h + ih) * phaseLength);
                ref float first = ref Unsafe.Add(ref destination, ih * w + p);
                for (int t = 0; t < n; t++) Unsafe.Add(ref first, t * s) = Unsafe.Add(ref phase, t);
            }
        }
    }

    /// <summary>⌈a / b⌉ for b &gt; 0.</summary>
    private static int CeilingDivide(int a, int b) => -FloorDivide(-a, b).Quotient;

    /// <summary>(⌊a / b⌋, a − b·⌊a / b⌋) for b &gt; 0.</summary>
    private static (int Quotient, int Remainder) FloorDivide(int a, int b)
    {
        int q = a / b, r = a - q * b;
        return r < 0 ? (q - 1, r + b) : (q, r);
    }

    /// <summary>
    /// Copies <paramref name="n"/> values of a short run inline (a block copy of a variable length is a call that costs more
    /// than the copy for runs of tens of values). Runs of 8 or more end with one vector that overlaps the previous one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(ref float source, ref float destination, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count) Vector512.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            }

            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) Vector256.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
            if (i < n)
            {
                nuint last = (nuint)(n - Vector256<float>.Count);
                Vector256.LoadUnsafe(ref source, last).StoreUnsafe(ref destination, last);
            }

            return;
        }

        if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            nuint last = (nuint)(n - Vector128<float>.Count);
            Vector128.LoadUnsafe(ref source).StoreUnsafe(ref destination);
            Vector128.LoadUnsafe(ref source, last).StoreUnsafe(ref destination, last);
            return;
        }

        for (; i < n; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
    }

    /// <summary>destination[i] += source[i] for a short run, inline (see <see cref="CopyShort"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddShort(ref float source, ref float destination, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                (Vector512.LoadUnsafe(ref destination, (nuint)i) + Vector512.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256.LoadUnsafe(ref destination, (nuint)i) + Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                (Vector128.LoadUnsafe(ref destination, (nuint)i) + Vector128.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        for (; i < n; i++) Unsafe.Add(ref destination, i) += Unsafe.Add(ref source, i);
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
