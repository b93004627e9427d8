using System.Numerics;

namespace Intriguing.Fourier;

/// <summary>
/// A reusable plan for the 2-D complex discrete Fourier transform of a rows × cols array, one channel or a batch
/// of channels, in single or double precision.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para><b>Data layout.</b> A channel is a row-major rows × cols array of interleaved complex numbers: element
/// <c>(r, c)</c> has its real part at <c>2·(r·cols + c)</c> and its imaginary part right after it, so a channel
/// holds <c>2·rows·cols</c> values. A batch is <c>count</c> channels back to back.</para>
/// <para><b>Convention.</b> Forward is unnormalised,
/// <c>X[k, l] = Σ_{r,c} x[r, c]·e^{−2πi(rk/rows + cl/cols)}</c>; Inverse uses <c>e^{+2πi…}</c> and scales by
/// <c>1/(rows·cols)</c>, so Inverse(Forward(x)) = x (same as <c>numpy.fft.fft2</c>/<c>ifft2</c>).</para>
/// <para><b>Algorithm.</b> The column transforms run first, vectorised across the columns (each butterfly
/// combines whole rows); the array is then transposed so that the row transforms are vectorised the same way, and
/// transposed back. Each axis uses the same mixed-radix / Bluestein kernel as <see cref="FftPlan{T}"/>, so any
/// sizes work.</para>
/// <para><b>Threads and memory.</b> A plan is immutable and thread-safe. Overloads with a <c>scratch</c> span use
/// only that memory (at least <see cref="ScratchLength"/> values); the others use a per-thread buffer allocated
/// once, so no call allocates after warm-up.</para>
/// </remarks>
public sealed class Fft2DPlan<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FftKernel<T> _columnKernel; // transforms along rows (length = Rows), batch = Cols
    private readonly FftKernel<T> _rowKernel;    // transforms along cols (length = Cols), batch = Rows

    private Fft2DPlan(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
        _columnKernel = new FftKernel<T>(rows);
        _rowKernel = cols == rows ? _columnKernel : new FftKernel<T>(cols);
        long n = (long)rows * cols;
        ScratchLength = 4 * n + Math.Max(_columnKernel.ExtraScratch(cols), _rowKernel.ExtraScratch(rows));
    }

    /// <summary>Creates a plan for rows × cols complex arrays.</summary>
    /// <param name="rows">Number of rows, at least 1.</param>
    /// <param name="cols">Number of columns, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or rows·cols is too large.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static Fft2DPlan<T> Create(int rows, int cols)
    {
        FftGuard.CheckElementType<T>();
        FftGuard.CheckPositive(rows, nameof(rows));
        FftGuard.CheckPositive(cols, nameof(cols));
        if ((long)rows * cols > int.MaxValue / 8)
        {
            throw new ArgumentOutOfRangeException(nameof(cols), cols, $"rows × cols must be at most {int.MaxValue / 8}.");
        }
        return new Fft2DPlan<T>(rows, cols);
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Values of <typeparamref name="T"/> in one channel: <c>2·Rows·Cols</c>.</summary>
    public int ChannelLength => 2 * Rows * Cols;

    /// <summary>Values of <typeparamref name="T"/> a caller-provided scratch span must hold (independent of the batch size).</summary>
    public long ScratchLength { get; }

    /// <summary>Forward transform of one channel. <paramref name="input"/> and <paramref name="output"/> may be the same span.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output) => Execute(input, output, 1, default, false, true);

    /// <summary>Forward transform of one channel using caller-provided <paramref name="scratch"/>.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch) => Execute(input, output, 1, scratch, false, false);

    /// <summary>In-place forward transform of one channel.</summary>
    public void Forward(Span<T> data) => Execute(data, data, 1, default, false, true);

    /// <summary>Inverse transform (scaled by 1/(rows·cols)) of one channel.</summary>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output) => Execute(input, output, 1, default, true, true);

    /// <summary>Inverse transform of one channel using caller-provided <paramref name="scratch"/>.</summary>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch) => Execute(input, output, 1, scratch, true, false);

    /// <summary>In-place inverse transform (scaled by 1/(rows·cols)) of one channel.</summary>
    public void Inverse(Span<T> data) => Execute(data, data, 1, default, true, true);

    /// <summary>Forward transforms of <paramref name="count"/> channels stored back to back.</summary>
    /// <param name="input"><paramref name="count"/> × <see cref="ChannelLength"/> values.</param>
    /// <param name="output">Same size as <paramref name="input"/>; may be the same span.</param>
    /// <param name="count">Number of channels, at least 0.</param>
    public void ForwardBatch(ReadOnlySpan<T> input, Span<T> output, int count) => Execute(input, output, count, default, false, true);

    /// <summary>Forward transforms of <paramref name="count"/> channels using caller-provided <paramref name="scratch"/>.</summary>
    public void ForwardBatch(ReadOnlySpan<T> input, Span<T> output, int count, Span<T> scratch) => Execute(input, output, count, scratch, false, false);

    /// <summary>Inverse transforms (each scaled by 1/(rows·cols)) of <paramref name="count"/> channels stored back to back.</summary>
    public void InverseBatch(ReadOnlySpan<T> input, Span<T> output, int count) => Execute(input, output, count, default, true, true);

    /// <summary>Inverse transforms of <paramref name="count"/> channels using caller-provided <paramref name="scratch"/>.</summary>
    public void InverseBatch(ReadOnlySpan<T> input, Span<T> output, int count, Span<T> scratch) => Execute(input, output, count, scratch, true, false);

    /// <summary>Values of <typeparamref name="T"/> the scratch of a channels-last call with <paramref name="channels"/> channels must hold.</summary>
    /// <param name="channels">Number of channels, at least 1.</param>
    public long ChannelsLastScratchLength(int channels)
    {
        FftGuard.CheckPositive(channels, nameof(channels));
        long n = (long)Rows * Cols * channels;
        return 4 * n + Math.Max(_columnKernel.ExtraScratch(Cols * channels), _rowKernel.ExtraScratch(channels));
    }

    /// <summary>
    /// Forward transforms of <paramref name="channels"/> channels stored channels-last: element (r, c) of channel
    /// <c>ch</c> at <c>2·((r·Cols + c)·channels + ch)</c>, and the spectrum in the same layout, so for each
    /// frequency (k, l) the values of all channels are contiguous (handy for per-frequency matrices). Both axes are
    /// vectorised across the channels and no transpose is needed, which makes this the fastest form for many
    /// channels. Uses the per-thread scratch buffer.
    /// </summary>
    /// <param name="input">2·Rows·Cols·<paramref name="channels"/> values.</param>
    /// <param name="output">Same size; may be the same span as <paramref name="input"/>.</param>
    /// <param name="channels">Number of channels, at least 1.</param>
    public void ForwardChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels)
        => ExecuteChannelsLast(input, output, channels, FftScratch<T>.Get(ChannelsLastScratchLength(channels)), false);

    /// <summary>Channels-last forward transforms with caller scratch (at least <see cref="ChannelsLastScratchLength"/> values).</summary>
    public void ForwardChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels, Span<T> scratch)
        => ExecuteChannelsLast(input, output, channels, scratch, false);

    /// <summary>Channels-last inverse transforms, each scaled by 1/(rows·cols); layout as in <see cref="ForwardChannelsLast(ReadOnlySpan{T}, Span{T}, int)"/>.</summary>
    public void InverseChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels)
        => ExecuteChannelsLast(input, output, channels, FftScratch<T>.Get(ChannelsLastScratchLength(channels)), true);

    /// <summary>Channels-last inverse transforms with caller scratch (at least <see cref="ChannelsLastScratchLength"/> values).</summary>
    public void InverseChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels, Span<T> scratch)
        => ExecuteChannelsLast(input, output, channels, scratch, true);

    private void ExecuteChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels, Span<T> scratch, bool inverse)
    {
        long needed = ChannelsLastScratchLength(channels);
        long size = (long)ChannelLength * channels;
        FftGuard.CheckLength(input.Length, size, nameof(input), "2 × Rows × Cols × channels interleaved values");
        FftGuard.CheckLength(output.Length, size, nameof(output), "2 × Rows × Cols × channels interleaved values");
        FftGuard.CheckScratch(scratch.Length, needed);
        FftGuard.CheckInPlace(input, output);
        ExecuteChannelsLastUnchecked(input, output, channels, scratch, inverse);
    }

    /// <summary>Channels-last transform; <paramref name="input"/> may alias <paramref name="output"/> but not the scratch.</summary>
    internal void ExecuteChannelsLastUnchecked(ReadOnlySpan<T> input, Span<T> output, int channels, Span<T> scratch, bool inverse)
    {
        int size = ChannelLength * channels;
        Span<T> s1 = scratch.Slice(0, size);
        Span<T> s2 = scratch.Slice(size, size);
        Span<T> extra = scratch.Slice(2 * size);

        // Transforms along the rows axis: [Rows][Cols·channels] is a batch of Cols·channels transforms of length Rows.
        ReadOnlySpan<T> columns = _columnKernel.Run(input, s1, s2, extra, Cols * channels, inverse);
        if (columns.Overlaps(output))
        {
            // One row (nothing to do along rows) and in place: move the data off the output first.
            columns.CopyTo(s1);
            columns = s1;
        }
        Span<T> temp = columns.Overlaps(s1) ? s2 : s1;

        // Transforms along the cols axis, one row at a time: [Cols][channels] is a batch of channels transforms.
        int rowLength = 2 * Cols * channels;
        bool odd = _rowKernel.PassCount % 2 == 1;
        for (int k = 0; k < Rows; k++)
        {
            ReadOnlySpan<T> source = columns.Slice(k * rowLength, rowLength);
            Span<T> target = output.Slice(k * rowLength, rowLength);
            Span<T> other = temp.Slice(k * rowLength, rowLength);
            ReadOnlySpan<T> result = odd
                ? _rowKernel.Run(source, target, other, extra, channels, inverse)
                : _rowKernel.Run(source, other, target, extra, channels, inverse);
            if (!result.Overlaps(target)) result.CopyTo(target);
        }
        if (inverse) FftGuard.Scale(output, T.One / T.CreateChecked(Rows * Cols));
    }

    private void Execute(ReadOnlySpan<T> input, Span<T> output, int count, Span<T> scratch, bool inverse, bool useThreadScratch)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 0.");
        long size = (long)count * ChannelLength;
        FftGuard.CheckLength(input.Length, size, nameof(input), "count × 2 × Rows × Cols interleaved values");
        FftGuard.CheckLength(output.Length, size, nameof(output), "count × 2 × Rows × Cols interleaved values");
        if (useThreadScratch) scratch = FftScratch<T>.Get(ScratchLength);
        else FftGuard.CheckScratch(scratch.Length, ScratchLength);
        FftGuard.CheckInPlace(input, output);
        int channel = ChannelLength;
        for (int i = 0; i < count; i++)
        {
            ExecuteUnchecked(input.Slice(i * channel, channel), output.Slice(i * channel, channel), scratch, inverse);
        }
    }

    /// <summary>One channel; <paramref name="input"/> may alias <paramref name="output"/> but not the scratch.</summary>
    internal void ExecuteUnchecked(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, bool inverse)
    {
        int size = ChannelLength;
        Span<T> s1 = scratch.Slice(0, size);
        Span<T> s2 = scratch.Slice(size, size);
        Span<T> extra = scratch.Slice(2 * size);

        // Column transforms: the [Rows][Cols] array is a batch of Cols transforms of length Rows.
        ReadOnlySpan<T> columns = _columnKernel.Run(input, s1, s2, extra, Cols, inverse);
        Span<T> transposed = columns.Overlaps(s1) ? s2 : s1;
        Span<T> other = transposed == s1 ? s2 : s1;
        FftGuard.Transpose(columns, transposed, Rows, Cols);

        // Row transforms on the transposed [Cols][Rows] array: a batch of Rows transforms of length Cols.
        ReadOnlySpan<T> rows = _rowKernel.Run(transposed, other, transposed, extra, Rows, inverse);
        FftGuard.Transpose(rows, output, Cols, Rows);
        if (inverse) FftGuard.Scale(output, T.One / T.CreateChecked(Rows * Cols));
    }
}
