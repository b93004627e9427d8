using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using Intriguing.Generated;

namespace Intriguing.Layers;

public static partial class Convolution
{
    /// <summary>
    /// Interval bounds of y = W ⊛ x + b for lo ≤ x ≤ hi (exact for a box): W ⊛ m + b ± |W| ⊛ r with m, r the box's
    /// centre and radius. <paramref name="absWeights"/> receives |W|; <paramref name="mid"/> and
    /// <paramref name="radius"/> are scratch of the input's length; <paramref name="columns"/> of <see cref="ColumnLength"/>.
    /// </summary>
    public static void IntervalForward(LayerGeometry g, ReadOnlySpan<float> weights, Span<float> absWeights, ReadOnlySpan<float> bias, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi,
        Span<float> outLo, Span<float> outHi, Span<float> mid, Span<float> radius, Span<float> columns)
    {
        ArgumentNullException.ThrowIfNull(g);
        int n = g.InputLength, m = g.OutputLength;
        Dense.Centre(lo, hi, mid, radius, n);
        TensorPrimitives.Abs(weights, absWeights);
        Forward(g, mid.Slice(0, n), weights, bias, outLo, columns, 1);
        Forward(g, radius.Slice(0, n), absWeights, default, outHi, columns, 1);
        for (int i = 0; i < m; i++)
        {
            double c = outLo[i], r = outHi[i];
            outLo[i] = BoundKernels.RoundDown(c - r);
            outHi[i] = BoundKernels.RoundUp(c + r);
        }
    }

    /// <summary>
    /// One step of a backward pass through the convolution: each row Λ over y becomes Wᵀ ⊛ Λ over x (the input
    /// gradient's computation), and the row's constant gains Σ_d b_d·Σ_positions Λ[d, ·]. A row that is zero at most
    /// output positions (the rows of a single neuron's bounds) is carried through its nonzero positions only.
    /// <paramref name="columns"/> holds at least <see cref="ColumnLength"/> + D·H′·W′ values.
    /// </summary>
    public static void BackSubstitute(LayerGeometry g, ReadOnlySpan<float> above, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> below, Span<double> constants, Span<float> columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(g);
        int d = g.OutputChannels, positions = g.OutputHeight * g.OutputWidth, colRows = g.InputChannels * g.Kernel * g.Kernel;
        int inLength = g.InputLength, outLength = g.OutputLength;
        bool direct = IsPointwise(g);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = above.Slice(r * outLength, outLength);
            if (!bias.IsEmpty)
            {
                double c = 0;
                for (int f = 0; f < d; f++) c += (double)bias[f] * TensorPrimitives.Sum(a.Slice(f * positions, positions));
                constants[r] += c;
            }

            Span<float> b = below.Slice(r * inLength, inLength);
            if (direct)
            {
                Gemm.MultiplyAtB(weights, a, b, colRows, positions, d);
                continue;
            }

            Span<float> compact = default;
            int count = positions <= 4096 && (long)(d + colRows) * positions <= columns.Length ? NonzeroPositions(a, d, positions, columns, out compact) : positions;
            if (2 * count < positions)
            {
                // compact holds the D × count nonzero columns of Λ; their Wᵀ-images go back to the input values they read.
                Span<float> dcol = columns.Slice(d * count, colRows * count);
                Gemm.MultiplyAtB(weights, compact.Slice(0, d * count), dcol, colRows, count, d);
                Col2ImAt(g, dcol, count, columns, b);
            }
            else
            {
                Span<float> dcol = columns.Slice(0, colRows * positions);
                Gemm.MultiplyAtB(weights, a, dcol, colRows, positions, d);
                Col2Im(g, dcol, b);
            }
        }
    }

    /// <summary>
    /// <see cref="BackSubstitute"/> for windowed rows (see <c>BoundWorkspace.Window</c>; zero padding only): the window of
    /// activation <paramref name="above"/> of every row in one matrix, one product with Wᵀ for all rows, and each
    /// column added back to the input values it read, in the window below.
    /// </summary>
    public static void BackSubstituteWindow(LayerGeometry g, Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int rows)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(bw);
        if (g.PaddingMode == PaddingMode.Circular) throw new ArgumentException("Windowed rows need zero padding.", nameof(g));
        ReadOnlySpan<int> window = bw.Window(above);
        Generated.BoundKernels.InputWindow(window, bw.Window(below), g.Kernel, g.Stride, g.Padding, g.InputHeight, g.InputWidth);
        // Rows in groups whose matrices fit the scratch budget (one group for small windows).
        int count = (window[1] - window[0]) * (window[3] - window[2]), colRows = g.InputChannels * g.Kernel * g.Kernel;
        long perRow = (long)(g.OutputChannels + colRows) * Math.Max(count, 1);
        int group = (int)Math.Clamp(WindowScratchBudget / perRow, 1, Math.Max(rows, 1));
        for (int first = 0; first < rows; first += group)
        {
            BackSubstituteWindowGroup(g, bw, above, below, weights, bias, first, Math.Min(group, rows - first));
        }
    }

    /// <summary>
    /// Rows of the stacked identity over the units of this layer's output listed in <c>BoundWorkspace.Order</c>
    /// (<c>BoundKernels.PositionOrder</c>), carried through it at once (zero padding only): row g is ±(filter of unit
    /// order[⌊g/2⌋]) placed on the patch its position reads, + for even g (the unit's lower bound) and − for odd (minus its
    /// upper bound), with constant ±b, which saves the product with the identity. Sets the windows of both activations.
    /// </summary>
    public static void SeedPositionsBelow(LayerGeometry g, Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(bw);
        if (g.PaddingMode == PaddingMode.Circular) throw new ArgumentException("Windowed rows need zero padding.", nameof(g));
        int ow = g.OutputWidth, plane = g.OutputHeight * ow;
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride, pad = g.Padding, inLength = g.InputLength;
        ReadOnlySpan<int> order = bw.Order;
        Span<int> window = bw.Window(above), inWindow = bw.Window(below);
        Generated.BoundKernels.PositionWindow(window, order[start >> 1] % plane, order[(start + count - 1) >> 1] % plane, ow);
        Generated.BoundKernels.InputWindow(window, inWindow, k, stride, pad, h, w);
        Span<float> rows = bw.Rows(below, count);
        Span<double> constants = bw.Constants(count);
        for (int r = 0; r < count; r++)
        {
            Span<float> row = rows.Slice(r * inLength, inLength);
            Generated.BoundKernels.ClearWindow(row, inWindow, c, h, w);
            int gRow = start + r, unit = order[gRow >> 1], f = unit / plane, p = unit - f * plane, oy = p / ow, ox = p - oy * ow;
            bool lower = (gRow & 1) == 0;
            for (int ch = 0; ch < c; ch++)
            {
                for (int u = 0; u < k; u++)
                {
                    int ih = oy * stride - pad + u;
                    if ((uint)ih >= (uint)h) continue;
                    for (int v = 0; v < k; v++)
                    {
                        int iw = ox * stride - pad + v;
                        if ((uint)iw >= (uint)w) continue;
                        float weight = weights[((f * c + ch) * k + u) * k + v];
                        row[(ch * h + ih) * w + iw] = lower ? weight : -weight;
                    }
                }
            }

            constants[r] = bias.IsEmpty ? 0 : lower ? bias[f] : -bias[f];
        }
    }

    /// <summary>Floats of scratch a windowed convolution step uses at most (unless one row needs more).</summary>
    private const long WindowScratchBudget = 4L << 20;

    private static void BackSubstituteWindowGroup(LayerGeometry g, Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int first, int rows)
    {
        int d = g.OutputChannels, oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow;
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride, pad = g.Padding, colRows = c * k * k;
        int inLength = g.InputLength, outLength = g.OutputLength;
        ReadOnlySpan<int> window = bw.Window(above), inWindow = bw.Window(below);
        int y0 = window[0], x0 = window[2], high = window[1] - y0, wide = window[3] - x0, count = high * wide, columns = rows * count;
        ReadOnlySpan<float> aRows = bw.Rows(above, first + rows).Slice(first * outLength);
        Span<float> bRows = bw.Rows(below, first + rows).Slice(first * inLength);
        Span<double> constants = bw.Constants(first + rows).Slice(first);
        Span<float> scratch = bw.WindowScratch((d + colRows) * columns);
        Span<float> compact = scratch.Slice(0, d * columns), dcol = scratch.Slice(d * columns, colRows * columns);

        // compact[f, r·count + q] = row r at channel f, window position q.
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = aRows.Slice(r * outLength, outLength);
            double bc = 0;
            for (int f = 0; f < d; f++)
            {
                Span<float> into = compact.Slice(f * columns + r * count, count);
                for (int y = 0; y < high; y++) a.Slice(f * positions + (y0 + y) * ow + x0, wide).CopyTo(into.Slice(y * wide, wide));
                if (!bias.IsEmpty) bc += (double)bias[f] * TensorPrimitives.Sum<float>(into);
            }

            constants[r] += bc;
        }

        Gemm.MultiplyAtB(weights, compact, dcol, colRows, columns, d);
        for (int r = 0; r < rows; r++) Generated.BoundKernels.ClearWindow(bRows.Slice(r * inLength, inLength), inWindow, c, h, w);
        // Every row r's image of tap (ch, u, v) is added back to the input values the tap read: for window row y, the valid
        // x (0 ≤ (x0 + x)·stride − pad + v < w) form one range, a run with stride 1. Sums in the order of one value at a time.
        NetworkGuard.Length(bRows, rows * inLength, nameof(bRows));
        ref float dcol0 = ref MemoryMarshal.GetReference(dcol);
        ref float b0 = ref MemoryMarshal.GetReference(bRows);
        for (int ch = 0; ch < c; ch++)
        {
            for (int u = 0; u < k; u++)
            {
                // Window rows y0 + yFirst … y0 + yEnd − 1 read input rows inside the image.
                int yFirst = Math.Clamp(CeilingDivide(pad - u, stride) - y0, 0, high), yEnd = Math.Clamp(CeilingDivide(h + pad - u, stride) - y0, yFirst, high);
                if (yEnd <= yFirst) continue;
                int firstRow = (y0 + yFirst) * stride - pad + u;
                for (int v = 0; v < k; v++)
                {
                    int xFirst = Math.Clamp(CeilingDivide(pad - v, stride) - x0, 0, wide), xEnd = Math.Clamp(CeilingDivide(w + pad - v, stride) - x0, xFirst, wide);
                    if (xEnd <= xFirst) continue;
                    int firstColumn = (x0 + xFirst) * stride - pad + v, n = xEnd - xFirst;

                    // Largest indices read and written below: inside dcol's tap block and inside row r's channel ch.
                    NetworkGuard.Length(dcol, ((ch * k + u) * k + v) * columns + (rows - 1) * count + (yEnd - 1) * wide + xEnd, nameof(dcol));
                    NetworkGuard.Length(bRows, (rows - 1) * inLength + (ch * h + firstRow + (yEnd - 1 - yFirst) * stride) * w + firstColumn + (n - 1) * stride + 1, nameof(bRows));
                    for (int r = 0; r < rows; r++)
                    {
                        ref float source = ref Unsafe.Add(ref dcol0, ((ch * k + u) * k + v) * columns + r * count + yFirst * wide + xFirst);
                        ref float target = ref Unsafe.Add(ref b0, r * inLength + (ch * h + firstRow) * w + firstColumn);
                        for (int y = yFirst; y < yEnd; y++)
                        {
                            if (stride == 1)
                            {
                                AddShort(ref source, ref target, n);
                            }
                            else
                            {
                                for (int x = 0; x < n; x++) Unsafe.Add(ref target, x * stride) += Unsafe.Add(ref source, x);
                            }

                            source = ref Unsafe.Add(ref source, wide);
                            target = ref Unsafe.Add(ref target, stride * w);
                        }
                    }
                }
            }
        }
    }

    // The nonzero output positions of a row are kept as floats (exact for indices below 2²⁴) after the compact columns
    // and their images, at the end of the scratch.
    private static int NonzeroPositions(ReadOnlySpan<float> a, int d, int positions, Span<float> columns, out Span<float> compact)
    {
        Span<float> index = columns.Slice(columns.Length - positions, positions);
        int count = 0;
        for (int p = 0; p < positions; p++)
        {
            bool nonzero = false;
            for (int f = 0; f < d && !nonzero; f++) nonzero = a[f * positions + p] != 0;
            if (nonzero) index[count++] = p;
        }

        compact = columns.Slice(0, d * count);
        if (2 * count < positions)
        {
            for (int f = 0; f < d; f++)
            {
                for (int q = 0; q < count; q++) compact[f * count + q] = a[f * positions + (int)index[q]];
            }
        }

        return count;
    }

    /// <summary>Col2Im for the listed output positions only (their indices at the end of <paramref name="columns"/>); overwrites <paramref name="x"/>.</summary>
    private static void Col2ImAt(LayerGeometry g, ReadOnlySpan<float> dcol, int count, ReadOnlySpan<float> columns, Span<float> x)
    {
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride, pad = g.Padding;
        int ow = g.OutputWidth, positions = g.OutputHeight * ow;
        bool circular = g.PaddingMode == PaddingMode.Circular;
        ReadOnlySpan<float> index = columns.Slice(columns.Length - positions, count);
        x.Slice(0, c * h * w).Clear();
        for (int ch = 0; ch < c; ch++)
        {
            for (int u = 0; u < k; u++)
            {
                for (int v = 0; v < k; v++)
                {
                    ReadOnlySpan<float> row = dcol.Slice(((ch * k + u) * k + v) * count, count);
                    for (int q = 0; q < count; q++)
                    {
                        int p = (int)index[q], i = p / ow, j = p - i * ow;
                        int ih = i * stride - pad + u, iw = j * stride - pad + v;
                        if (circular)
                        {
                            ih = Wrap(ih, h);
                            iw = Wrap(iw, w);
                        }
                        else if ((uint)ih >= (uint)h || (uint)iw >= (uint)w)
                        {
                            continue;
                        }

                        x[(ch * h + ih) * w + iw] += row[q];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Exact bounds of a first convolution (only the identity lies below it) over an L2 region: every output reads one
    /// patch, so its bounds are the ball-and-box minimum of ±(its filter)·x′ over that patch alone. Tightens
    /// the interval bounds of activation <paramref name="outputLayer"/> (nothing to do for L∞, where they are exact).
    /// </summary>
    public static void FirstLayerBounds(LayerGeometry g, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Certification.BoundWorkspace bw, int inputLayer, int outputLayer)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(bw);
        if (bw.Region.Norm != Certification.PerturbationNorm.L2) return;
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride, pad = g.Padding;
        int oh = g.OutputHeight, ow = g.OutputWidth, patch = c * k * k;
        bool circular = g.PaddingMode == PaddingMode.Circular;
        // A circular window wider than the input reads some value twice; the patch would count it as two coordinates
        // of the ball, which is not a relaxation. The interval bounds stay.
        if (circular && (k > h || k > w)) return;
        ReadOnlySpan<float> x = bw.Input, lo = bw.Lower(inputLayer), hi = bw.Upper(inputLayer);
        Span<float> outLo = bw.Lo(outputLayer), outHi = bw.Hi(outputLayer);
        Span<float> scratch = bw.Columns;
        Span<float> a = scratch.Slice(0, patch), xs = scratch.Slice(patch, patch), los = scratch.Slice(2 * patch, patch), his = scratch.Slice(3 * patch, patch);
        double epsilon = bw.Region.Epsilon;
        for (int i = 0; i < oh; i++)
        {
            for (int j = 0; j < ow; j++)
            {
                for (int d = 0; d < g.OutputChannels; d++)
                {
                    int n = 0;
                    for (int ch = 0; ch < c; ch++)
                    {
                        for (int u = 0; u < k; u++)
                        {
                            int row = i * stride + u - pad;
                            if (circular) row = ((row % h) + h) % h;
                            else if ((uint)row >= (uint)h) continue;
                            for (int v = 0; v < k; v++)
                            {
                                int col = j * stride + v - pad;
                                if (circular) col = ((col % w) + w) % w;
                                else if ((uint)col >= (uint)w) continue;
                                int at = (ch * h + row) * w + col;
                                a[n] = weights[((d * c + ch) * k + u) * k + v];
                                xs[n] = x[at];
                                los[n] = lo[at];
                                his[n] = hi[at];
                                n++;
                            }
                        }
                    }

                    double b0 = bias.IsEmpty ? 0 : bias[d];
                    double lower = b0 + Generated.BoundKernels.BallBoxMinimum(a.Slice(0, n), xs.Slice(0, n), los.Slice(0, n), his.Slice(0, n), epsilon, Generated.BoundKernels.MarginIterations);
                    TensorPrimitives.Negate(a.Slice(0, n), a.Slice(0, n));
                    double upper = b0 - Generated.BoundKernels.BallBoxMinimum(a.Slice(0, n), xs.Slice(0, n), los.Slice(0, n), his.Slice(0, n), epsilon, Generated.BoundKernels.MarginIterations);
                    int o = (d * oh + i) * ow + j;
                    float fl = Generated.BoundKernels.RoundDown(lower), fu = Generated.BoundKernels.RoundUp(upper);
                    if (fl > outLo[o]) outLo[o] = fl;
                    if (fu < outHi[o]) outHi[o] = fu;
                }
            }
        }
    }
}
