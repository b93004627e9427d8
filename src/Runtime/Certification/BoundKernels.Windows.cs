using Intriguing.Certification;

namespace Intriguing.Generated;

// Windowed backward passes: the rows of one chunk seeded at a few neighbouring positions of a convolution's output are
// zero outside a rectangle of every activation below it (their receptive field), so the kernels below work on that
// rectangle only. docs/certification.md, "Windowed rows".
public static partial class BoundKernels
{
    /// <summary>
    /// Lists in <see cref="BoundWorkspace.Order"/> the neurons of activation <paramref name="layer"/> (channels × height ×
    /// width values) whose bounds windowed rows refine, position by position, channel by channel; returns their number.
    /// With <paramref name="skipInactive"/> (the layer feeds a ReLU through identities) a neuron whose upper bound is
    /// already ≤ 0 is left out: its ReLU is 0 whatever tighter bounds say.
    /// </summary>
    public static int PositionOrder(BoundWorkspace bw, int layer, int channels, int height, int width, bool skipInactive)
    {
        ArgumentNullException.ThrowIfNull(bw);
        int plane = height * width, count = 0;
        Span<int> order = bw.Order;
        ReadOnlySpan<float> hi = bw.Upper(layer);
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < channels; c++)
            {
                int neuron = c * plane + p;
                if (!skipInactive || hi[neuron] > 0) order[count++] = neuron;
            }
        }

        return count;
    }

    /// <summary>The window of the positions <paramref name="first"/> … <paramref name="last"/> (raster order) of a map <paramref name="width"/> wide.</summary>
    public static void PositionWindow(Span<int> window, int first, int last, int width)
    {
        if (first / width == last / width)
        {
            window[0] = first / width;
            window[1] = first / width + 1;
            window[2] = first % width;
            window[3] = last % width + 1;
        }
        else
        {
            window[0] = first / width;
            window[1] = last / width + 1;
            window[2] = 0;
            window[3] = width;
        }
    }

    /// <summary>
    /// Stores the row bounds of rows <paramref name="start"/> … seeded by <c>Convolution.SeedPositionsBelow</c> into the bounds of
    /// activation <paramref name="layer"/>, keeping the tighter of the new and the present bound.
    /// </summary>
    public static void StorePositionBounds(BoundWorkspace bw, int layer, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(bw);
        ReadOnlySpan<int> order = bw.Order;
        Span<float> lo = bw.Lo(layer), hi = bw.Hi(layer);
        ReadOnlySpan<double> result = bw.RowBounds(count);
        for (int r = 0; r < count; r++)
        {
            int g = start + r, neuron = order[g >> 1];
            if ((g & 1) == 0)
            {
                float v = RoundDown(result[r]);
                if (v > lo[neuron]) lo[neuron] = v;
            }
            else
            {
                float v = RoundUp(-result[r]);
                if (v < hi[neuron]) hi[neuron] = v;
            }
        }
    }

    /// <summary>Sets the window of activation <paramref name="layer"/> to the whole map (rows that came from a layer without windows).</summary>
    public static void FullWindow(BoundWorkspace bw, int layer, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(bw);
        Span<int> window = bw.Window(layer);
        window[0] = 0;
        window[1] = height;
        window[2] = 0;
        window[3] = width;
    }

    /// <summary>
    /// <see cref="Concretize"/> for rows that are zero outside the input's window (an input of channels × height ×
    /// width values): the row, the centre and the box are gathered over the window, where the minimum is the same.
    /// </summary>
    public static void ConcretizeWindow(BoundWorkspace bw, int count, int iterations, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(bw);
        ReadOnlySpan<int> window = bw.Window(0);
        int n = bw.Input.Length, rowsHigh = window[1] - window[0], span = window[3] - window[2], m = channels * rowsHigh * span;
        Span<float> gather = bw.Gather;
        Span<float> a = gather.Slice(0, m), x = gather.Slice(m, m), lo = gather.Slice(2 * m, m), hi = gather.Slice(3 * m, m);
        GatherWindow(bw.Input, x, window, channels, height, width);
        GatherWindow(bw.Lower(0), lo, window, channels, height, width);
        GatherWindow(bw.Upper(0), hi, window, channels, height, width);
        ReadOnlySpan<float> rows = bw.Rows(0, count);
        Span<double> constants = bw.Constants(count), result = bw.RowBounds(count);
        InputRegion region = bw.Region;
        for (int r = 0; r < count; r++)
        {
            GatherWindow(rows.Slice(r * n, n), a, window, channels, height, width);
            result[r] = constants[r] + (region.Norm == PerturbationNorm.LInfinity
                ? BoxMinimum(a, lo, hi)
                : BallBoxMinimum(a, x, lo, hi, region.Epsilon, iterations));
        }
    }

    /// <summary>
    /// The contiguous runs of a window in each channel of a map <paramref name="width"/> wide: <c>lines</c> runs of
    /// <c>span</c> values, the first at row window[0], column window[2] (one run when the window spans the width).
    /// </summary>
    public static (int Span, int Lines) WindowRuns(ReadOnlySpan<int> window, int width)
        => window[2] == 0 && window[3] == width ? ((window[1] - window[0]) * width, 1) : (window[3] - window[2], window[1] - window[0]);

    /// <summary>Sets the window's values of one row (channels × height × width) to zero.</summary>
    public static void ClearWindow(Span<float> row, ReadOnlySpan<int> window, int channels, int height, int width)
    {
        (int span, int lines) = WindowRuns(window, width);
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < lines; y++) row.Slice((c * height + window[0] + y) * width + window[2], span).Clear();
        }
    }

    /// <summary>Copies the window's values of one row (channels × height × width) into <paramref name="into"/>, channel by channel, row by row.</summary>
    public static void GatherWindow(ReadOnlySpan<float> row, Span<float> into, ReadOnlySpan<int> window, int channels, int height, int width)
    {
        (int span, int lines) = WindowRuns(window, width);
        int at = 0;
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < lines; y++, at += span) row.Slice((c * height + window[0] + y) * width + window[2], span).CopyTo(into.Slice(at, span));
        }
    }

    /// <summary>The window of a layer's input read by the outputs in <paramref name="above"/> (kernel, stride and zero padding as given; clipped to the input).</summary>
    public static void InputWindow(ReadOnlySpan<int> above, Span<int> below, int kernel, int stride, int padding, int height, int width)
    {
        below[0] = Math.Max(0, above[0] * stride - padding);
        below[1] = Math.Min(height, (above[1] - 1) * stride - padding + kernel);
        below[2] = Math.Max(0, above[2] * stride - padding);
        below[3] = Math.Min(width, (above[3] - 1) * stride - padding + kernel);
        if (below[1] <= below[0] || below[3] <= below[2])
        {
            // Outputs that read only padding: an empty window, kept well formed.
            below[1] = below[0];
            below[3] = below[2];
        }
    }
}
