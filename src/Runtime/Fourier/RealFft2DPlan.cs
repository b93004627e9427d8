using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Intriguing.Fourier;

/// <summary>
/// A reusable plan for 2-D real-to-complex DFTs of rows × cols real arrays (one channel or a batch) and the
/// inverse complex-to-real transforms.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para><b>Layout.</b> A real channel is a row-major rows × cols array. Its spectrum is Hermitian
/// (<c>X[−k, −l] = conj X[k, l]</c>, indices mod the sizes), so only the columns <c>l = 0 … cols/2</c> are stored:
/// a row-major rows × <see cref="SpectrumCols"/> array of interleaved complex numbers (the layout of
/// <c>numpy.fft.rfft2</c>). A batch is <c>count</c> channels back to back, on both sides.</para>
/// <para><b>Convention.</b> Forward is unnormalised; Inverse scales by 1/(rows·cols) and returns the real part of
/// the inverse of the Hermitian extension of the stored half (<c>numpy.fft.irfft2</c>), so Inverse(Forward(x)) = x.</para>
/// <para><b>Algorithm.</b> Two real channels x, y are packed into one complex array <c>z = x + i·y</c>, transformed
/// by <see cref="Fft2DPlan{T}"/>, and split with <c>X = (Z[k,l] + conj Z[−k,−l])/2</c>,
/// <c>Y = (Z[k,l] − conj Z[−k,−l])/(2i)</c>; so a batch costs about half as many complex transforms as channels.
/// This works for every size, odd or even.</para>
/// <para><b>Threads and memory.</b> Immutable and thread-safe; scratch as in <see cref="Fft2DPlan{T}"/>.</para>
/// </remarks>
public sealed class RealFft2DPlan<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Fft2DPlan<T> _complex;

    private RealFft2DPlan(int rows, int cols)
    {
        _complex = Fft2DPlan<T>.Create(rows, cols);
        ScratchLength = _complex.ChannelLength + _complex.ScratchLength;
    }

    /// <summary>Creates a plan for rows × cols real arrays.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or rows·cols is too large.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static RealFft2DPlan<T> Create(int rows, int cols) => new(rows, cols);

    /// <summary>Number of rows.</summary>
    public int Rows => _complex.Rows;

    /// <summary>Number of columns of the real array.</summary>
    public int Cols => _complex.Cols;

    /// <summary>Number of stored spectrum columns, cols/2 + 1.</summary>
    public int SpectrumCols => Cols / 2 + 1;

    /// <summary>Real values per channel: rows·cols.</summary>
    public int RealLength => Rows * Cols;

    /// <summary>Values of <typeparamref name="T"/> per spectrum channel: 2·rows·(cols/2 + 1).</summary>
    public int SpectrumLength => 2 * Rows * SpectrumCols;

    /// <summary>Values of <typeparamref name="T"/> a caller-provided scratch span must hold (independent of the batch size).</summary>
    public long ScratchLength { get; }

    /// <summary>Forward transform of one real channel (<see cref="RealLength"/> values) into its half spectrum (<see cref="SpectrumLength"/> values).</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output) => ForwardBatch(input, output, 1);

    /// <summary>Inverse transform of one half spectrum into a real channel, scaled by 1/(rows·cols).</summary>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output) => InverseBatch(input, output, 1);

    /// <summary>Forward transforms of <paramref name="count"/> real channels into <paramref name="count"/> half spectra.</summary>
    public void ForwardBatch(ReadOnlySpan<T> input, Span<T> output, int count)
        => ForwardBatch(input, output, count, FftScratch<T>.Get(ScratchLength));

    /// <summary>Forward transforms using caller-provided <paramref name="scratch"/> (at least <see cref="ScratchLength"/> values).</summary>
    /// <param name="input"><paramref name="count"/> × <see cref="RealLength"/> real values.</param>
    /// <param name="output"><paramref name="count"/> × <see cref="SpectrumLength"/> values; must not overlap <paramref name="input"/>.</param>
    /// <param name="count">Number of channels, at least 0.</param>
    /// <param name="scratch">Work memory.</param>
    public void ForwardBatch(ReadOnlySpan<T> input, Span<T> output, int count, Span<T> scratch)
    {
        Check(input.Length, RealLength, output.Length, SpectrumLength, count, scratch.Length, "input", "output");
        ForwardCore(input, Rows, Cols, output, count, scratch);
    }

    /// <summary>
    /// Forward transforms of <paramref name="count"/> small real arrays of <paramref name="inputRows"/> ×
    /// <paramref name="inputCols"/> (for example convolution kernels), each zero-padded to Rows × Cols with the
    /// data in the top-left corner, using the per-thread scratch buffer.
    /// </summary>
    public void ForwardBatchPadded(ReadOnlySpan<T> input, int inputRows, int inputCols, Span<T> output, int count)
        => ForwardBatchPadded(input, inputRows, inputCols, output, count, FftScratch<T>.Get(ScratchLength));

    /// <summary>
    /// Forward transforms of <paramref name="count"/> small real arrays, each zero-padded to Rows × Cols with the
    /// data in the top-left corner: the result equals <see cref="ForwardBatch(ReadOnlySpan{T}, Span{T}, int, Span{T})"/>
    /// of the padded arrays, without building them.
    /// </summary>
    /// <param name="input"><paramref name="count"/> × <paramref name="inputRows"/> × <paramref name="inputCols"/> real values, row-major.</param>
    /// <param name="inputRows">Rows of each small array, 1 … Rows.</param>
    /// <param name="inputCols">Columns of each small array, 1 … Cols.</param>
    /// <param name="output"><paramref name="count"/> × <see cref="SpectrumLength"/> values; must not overlap <paramref name="input"/>.</param>
    /// <param name="count">Number of channels, at least 0.</param>
    /// <param name="scratch">Work memory, at least <see cref="ScratchLength"/> values.</param>
    public void ForwardBatchPadded(ReadOnlySpan<T> input, int inputRows, int inputCols, Span<T> output, int count, Span<T> scratch)
    {
        if (inputRows < 1 || inputRows > Rows)
            throw new ArgumentOutOfRangeException(nameof(inputRows), inputRows, $"inputRows must be between 1 and Rows = {Rows}.");
        if (inputCols < 1 || inputCols > Cols)
            throw new ArgumentOutOfRangeException(nameof(inputCols), inputCols, $"inputCols must be between 1 and Cols = {Cols}.");
        Check(input.Length, inputRows * inputCols, output.Length, SpectrumLength, count, scratch.Length, "input", "output");
        ForwardCore(input, inputRows, inputCols, output, count, scratch);
    }

    private void ForwardCore(ReadOnlySpan<T> input, int inputRows, int inputCols, Span<T> output, int count, Span<T> scratch)
    {
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int rows = Rows, cols = Cols, sc = SpectrumCols, realLength = inputRows * inputCols, specLength = SpectrumLength;
        Span<T> z = scratch.Slice(0, _complex.ChannelLength);
        Span<T> work = scratch.Slice(_complex.ChannelLength);
        for (int c = 0; c < count; c += 2)
        {
            bool pair = c + 1 < count;
            ReadOnlySpan<T> x = input.Slice(c * realLength, realLength);
            ReadOnlySpan<T> y = pair ? input.Slice((c + 1) * realLength, realLength) : default;
            if (inputRows != rows || inputCols != cols) z.Clear();
            // z[r, q] = x[r, q] + i·y[r, q] (y = 0 for an unpaired last channel).
            ref T zRef = ref MemoryMarshal.GetReference(z);
            ref T xRef = ref MemoryMarshal.GetReference(x);
            ref T yRef = ref MemoryMarshal.GetReference(y);
            for (int r = 0; r < inputRows; r++)
            {
                ref T zRow = ref Unsafe.Add(ref zRef, 2 * r * cols);
                ref T xRow = ref Unsafe.Add(ref xRef, r * inputCols);
                ref T yRow = ref Unsafe.Add(ref yRef, r * inputCols);
                Interleave(ref xRow, ref yRow, pair, ref zRow, inputCols);
            }
            _complex.ExecuteUnchecked(z, z, work, inverse: false);
            Span<T> outX = output.Slice(c * specLength, specLength);
            if (!pair)
            {
                for (int k = 0; k < rows; k++) z.Slice(2 * k * cols, 2 * sc).CopyTo(outX.Slice(2 * k * sc));
                continue;
            }
            Span<T> outY = output.Slice((c + 1) * specLength, specLength);
            ref T zr = ref MemoryMarshal.GetReference(z);
            ref T xo = ref MemoryMarshal.GetReference(outX);
            ref T yo = ref MemoryMarshal.GetReference(outY);
            for (int k = 0; k < rows; k++)
            {
                int kn = k == 0 ? 0 : rows - k;
                ref T zk = ref Unsafe.Add(ref zr, 2 * k * cols);
                ref T zkn = ref Unsafe.Add(ref zr, 2 * kn * cols);
                ref T xk = ref Unsafe.Add(ref xo, 2 * k * sc);
                ref T yk = ref Unsafe.Add(ref yo, 2 * k * sc);
                int span = sc - 1; // columns l = 1 … sc − 1 pair with cols − l ≥ 1
                int done = 1;
                if (ComplexVector512<T>.IsSupported && span >= ComplexVector512<T>.Count)
                    done = SplitRow<ComplexVector512<T>>(ref zk, ref zkn, ref xk, ref yk, cols, sc);
                else if (ComplexVector256<T>.IsSupported && span >= ComplexVector256<T>.Count)
                    done = SplitRow<ComplexVector256<T>>(ref zk, ref zkn, ref xk, ref yk, cols, sc);
                else if (ComplexVector128<T>.IsSupported && span >= ComplexVector128<T>.Count)
                    done = SplitRow<ComplexVector128<T>>(ref zk, ref zkn, ref xk, ref yk, cols, sc);
                SplitScalar(ref zk, ref zkn, ref xk, ref yk, 0, 0);
                for (int l = done; l < sc; l++) SplitScalar(ref zk, ref zkn, ref xk, ref yk, l, cols - l);
            }
        }
    }

    /// <summary><c>z[2i] = x[i]</c>, <c>z[2i+1] = y[i]</c> (or 0 when <paramref name="hasY"/> is false) for i &lt; count.</summary>
    private static void Interleave(ref T x, ref T y, bool hasY, ref T z, int count)
    {
        int i = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            // unpack within 128-bit lanes, then put the lanes in order: [x0 y0 x1 y1 x2 y2 x3 y3], [x4 y4 … x7 y7].
            ref float xf = ref Unsafe.As<T, float>(ref x);
            ref float yf = ref Unsafe.As<T, float>(ref y);
            ref float zf = ref Unsafe.As<T, float>(ref z);
            for (; i + 8 <= count; i += 8)
            {
                Vector256<float> vx = Vector256.LoadUnsafe(ref Unsafe.Add(ref xf, i));
                Vector256<float> vy = hasY ? Vector256.LoadUnsafe(ref Unsafe.Add(ref yf, i)) : Vector256<float>.Zero;
                Vector256<float> low = Avx.UnpackLow(vx, vy), high = Avx.UnpackHigh(vx, vy);
                Avx.Permute2x128(low, high, 0x20).StoreUnsafe(ref Unsafe.Add(ref zf, 2 * i));
                Avx.Permute2x128(low, high, 0x31).StoreUnsafe(ref Unsafe.Add(ref zf, 2 * i + 8));
            }
        }
        for (; i < count; i++)
        {
            Unsafe.Add(ref z, 2 * i) = Unsafe.Add(ref x, i);
            Unsafe.Add(ref z, 2 * i + 1) = hasY ? Unsafe.Add(ref y, i) : T.Zero;
        }
    }

    // a = Z[k, l], b = conj Z[−k, −l]: X = (a + b)/2, Y = (a − b)/(2i) = ((ai − bi)/2, (br − ar)/2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SplitScalar(ref T zk, ref T zkn, ref T xk, ref T yk, int l, int ln)
    {
        T half = T.CreateChecked(0.5);
        T ar = Unsafe.Add(ref zk, 2 * l), ai = Unsafe.Add(ref zk, 2 * l + 1);
        T br = Unsafe.Add(ref zkn, 2 * ln), bi = -Unsafe.Add(ref zkn, 2 * ln + 1);
        Unsafe.Add(ref xk, 2 * l) = (ar + br) * half;
        Unsafe.Add(ref xk, 2 * l + 1) = (ai + bi) * half;
        Unsafe.Add(ref yk, 2 * l) = (ai - bi) * half;
        Unsafe.Add(ref yk, 2 * l + 1) = (br - ar) * half;
    }

    /// <summary>
    /// Vector form of <see cref="SplitScalar"/> for columns l = 1, 1 + V, … while a whole register fits below
    /// <paramref name="sc"/>; the partner columns cols − l … are loaded as one register and reversed.
    /// Returns the first column left for the scalar loop.
    /// </summary>
    private static int SplitRow<TV>(ref T zk, ref T zkn, ref T xk, ref T yk, int cols, int sc)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        TV half = TV.Broadcast(T.CreateChecked(0.5));
        TV conj = ComplexVector.Pair<TV, T>(T.One, -T.One);
        TV swapScale = ComplexVector.Pair<TV, T>(T.CreateChecked(0.5), T.CreateChecked(-0.5));
        int l = 1;
        for (; l + TV.Count <= sc; l += TV.Count)
        {
            TV a = TV.Load(ref Unsafe.Add(ref zk, 2 * l));
            TV b = TV.Reverse(TV.Load(ref Unsafe.Add(ref zkn, 2 * (cols - l - TV.Count + 1)))) * conj;
            TV.Store(ref Unsafe.Add(ref xk, 2 * l), (a + b) * half);
            TV.Store(ref Unsafe.Add(ref yk, 2 * l), TV.Swap(a - b) * swapScale);
        }
        return l;
    }

    /// <summary>Values of <typeparamref name="T"/> the scratch of a channels-last call with <paramref name="channels"/> channels must hold.</summary>
    /// <param name="channels">Number of channels, at least 1.</param>
    public long ChannelsLastScratchLength(int channels)
    {
        FftGuard.CheckPositive(channels, nameof(channels));
        int pairs = (channels + 1) / 2;
        return 2L * 2 * Rows * Cols * pairs + _complex.ChannelsLastScratchLength(pairs);
    }

    /// <summary>
    /// Forward transforms of <paramref name="channels"/> real channels stored channels-last (value (r, c) of channel
    /// <c>ch</c> at <c>(r·Cols + c)·channels + ch</c>) into half spectra stored channels-last (bin (k, l) of channel
    /// <c>ch</c>, l ≤ Cols/2, at <c>2·((k·SpectrumCols + l)·channels + ch)</c>): for each frequency the spectra of
    /// all channels are contiguous, e.g. the C·D kernel entries of a convolution at that frequency. Uses the
    /// per-thread scratch buffer.
    /// </summary>
    /// <param name="input">Rows·Cols·<paramref name="channels"/> real values.</param>
    /// <param name="output">2·Rows·SpectrumCols·<paramref name="channels"/> values; must not overlap <paramref name="input"/>.</param>
    /// <param name="channels">Number of channels, at least 1.</param>
    public void ForwardChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels)
        => ForwardChannelsLast(input, output, channels, FftScratch<T>.Get(ChannelsLastScratchLength(channels)));

    /// <summary>Channels-last forward transforms with caller scratch (at least <see cref="ChannelsLastScratchLength"/> values).</summary>
    public void ForwardChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels, Span<T> scratch)
    {
        long needed = ChannelsLastScratchLength(channels);
        FftGuard.CheckLength(input.Length, (long)RealLength * channels, nameof(input), "Rows × Cols × channels real values");
        FftGuard.CheckLength(output.Length, (long)SpectrumLength * channels, nameof(output), "2 × Rows × (Cols/2 + 1) × channels values");
        FftGuard.CheckScratch(scratch.Length, needed);
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));

        // Channels 2c' and 2c'+1 become the real and imaginary part of complex channel c': for an even channel count
        // the real input already is that complex array; otherwise pack it with a zero last imaginary part.
        int rows = Rows, cols = Cols, sc = SpectrumCols, pairs = (channels + 1) / 2;
        int complexSize = 2 * rows * cols * pairs;
        Span<T> spectrum = scratch.Slice(0, complexSize);
        Span<T> packed = scratch.Slice(complexSize, complexSize);
        Span<T> work = scratch.Slice(2 * complexSize);
        ReadOnlySpan<T> z = input;
        if (channels % 2 == 1)
        {
            for (int p = 0; p < rows * cols; p++)
            {
                input.Slice(p * channels, channels).CopyTo(packed.Slice(2 * p * pairs));
                packed[2 * p * pairs + channels] = T.Zero;
            }
            z = packed;
        }
        _complex.ExecuteChannelsLastUnchecked(z, spectrum, pairs, work, inverse: false);

        ref T zRef = ref MemoryMarshal.GetReference(spectrum);
        ref T oRef = ref MemoryMarshal.GetReference(output);
        for (int k = 0; k < rows; k++)
        {
            int kn = k == 0 ? 0 : rows - k;
            for (int l = 0; l < sc; l++)
            {
                int ln = l == 0 ? 0 : cols - l;
                SplitChannels(
                    ref Unsafe.Add(ref zRef, 2 * (k * cols + l) * pairs),
                    ref Unsafe.Add(ref zRef, 2 * (kn * cols + ln) * pairs),
                    ref Unsafe.Add(ref oRef, 2 * (k * sc + l) * channels),
                    channels);
            }
        }
    }

    /// <summary>
    /// Inverse of <see cref="ForwardChannelsLast(ReadOnlySpan{T}, Span{T}, int)"/>: half spectra stored
    /// channels-last into real channels stored channels-last, each scaled by 1/(rows·cols), with the same
    /// Hermitian-extension convention as <see cref="InverseBatch(ReadOnlySpan{T}, Span{T}, int)"/>. Uses the
    /// per-thread scratch buffer.
    /// </summary>
    /// <param name="input">2·Rows·SpectrumCols·<paramref name="channels"/> values.</param>
    /// <param name="output">Rows·Cols·<paramref name="channels"/> real values; must not overlap <paramref name="input"/>.</param>
    /// <param name="channels">Number of channels, at least 1.</param>
    public void InverseChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels)
        => InverseChannelsLast(input, output, channels, FftScratch<T>.Get(ChannelsLastScratchLength(channels)));

    /// <summary>Channels-last inverse transforms with caller scratch (at least <see cref="ChannelsLastScratchLength"/> values).</summary>
    public void InverseChannelsLast(ReadOnlySpan<T> input, Span<T> output, int channels, Span<T> scratch)
    {
        long needed = ChannelsLastScratchLength(channels);
        FftGuard.CheckLength(input.Length, (long)SpectrumLength * channels, nameof(input), "2 × Rows × (Cols/2 + 1) × channels values");
        FftGuard.CheckLength(output.Length, (long)RealLength * channels, nameof(output), "Rows × Cols × channels real values");
        FftGuard.CheckScratch(scratch.Length, needed);
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));

        int rows = Rows, cols = Cols, sc = SpectrumCols, pairs = (channels + 1) / 2;
        int complexSize = 2 * rows * cols * pairs;
        Span<T> z = scratch.Slice(0, complexSize);
        Span<T> work = scratch.Slice(2 * complexSize);
        T half = T.CreateChecked(0.5);

        // Z[k, l, c'] = X̃_2c'[k, l] + i·X̃_2c'+1[k, l] with X̃ the Hermitian extension of each stored half; columns
        // without a mirror partner (l = 0, and l = cols/2 for even cols) use their Hermitian part.
        for (int k = 0; k < rows; k++)
        {
            int kn = k == 0 ? 0 : rows - k;
            for (int l = 0; l < cols; l++)
            {
                bool selfPaired = l == 0 || (cols % 2 == 0 && l == cols / 2);
                bool stored = l < sc;
                int source = stored ? (k * sc + l) : (kn * sc + cols - l);
                ReadOnlySpan<T> h = input.Slice(2 * source * channels, 2 * channels);
                ReadOnlySpan<T> mirror = selfPaired ? input.Slice(2 * (kn * sc + l) * channels, 2 * channels) : default;
                Span<T> zkl = z.Slice(2 * (k * cols + l) * pairs, 2 * pairs);
                for (int c = 0; c < pairs; c++)
                {
                    T xr, xi, yr = T.Zero, yi = T.Zero;
                    bool hasY = 2 * c + 1 < channels;
                    if (selfPaired)
                    {
                        xr = (h[4 * c] + mirror[4 * c]) * half;
                        xi = (h[4 * c + 1] - mirror[4 * c + 1]) * half;
                        if (hasY)
                        {
                            yr = (h[4 * c + 2] + mirror[4 * c + 2]) * half;
                            yi = (h[4 * c + 3] - mirror[4 * c + 3]) * half;
                        }
                    }
                    else
                    {
                        T sign = stored ? T.One : -T.One;
                        xr = h[4 * c];
                        xi = sign * h[4 * c + 1];
                        if (hasY)
                        {
                            yr = h[4 * c + 2];
                            yi = sign * h[4 * c + 3];
                        }
                    }
                    zkl[2 * c] = xr - yi;
                    zkl[2 * c + 1] = xi + yr;
                }
            }
        }

        // Real parts are channels 2c', imaginary parts channels 2c'+1; for an even channel count the real output
        // already is that complex array.
        if (channels % 2 == 0)
        {
            _complex.ExecuteChannelsLastUnchecked(z, output, pairs, work, inverse: true);
            return;
        }
        _complex.ExecuteChannelsLastUnchecked(z, z, pairs, work, inverse: true);
        for (int p = 0; p < rows * cols; p++) z.Slice(2 * p * pairs, channels).CopyTo(output.Slice(p * channels));
    }

    /// <summary>
    /// For one frequency: a = Z[k, l, c'], b = conj Z[−k, −l, c'] over the complex channels c', and
    /// X_2c' = (a + b)/2, X_2c'+1 = (a − b)/(2i) = ((ai − bi)/2, (br − ar)/2), written interleaved by channel.
    /// </summary>
    private static void SplitChannels(ref T a, ref T b, ref T o, int channels)
    {
        int c = 0, pairs = (channels + 1) / 2, full = channels / 2;
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            // Four complex channels per register; X and Y are interleaved complex-wise (64-bit) into two registers.
            Vector256<float> conj = Vector256.Create(1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f);
            Vector256<float> swapScale = Vector256.Create(0.5f, -0.5f, 0.5f, -0.5f, 0.5f, -0.5f, 0.5f, -0.5f);
            ref float af = ref Unsafe.As<T, float>(ref a);
            ref float bf = ref Unsafe.As<T, float>(ref b);
            ref float of = ref Unsafe.As<T, float>(ref o);
            for (; c + 4 <= full; c += 4)
            {
                Vector256<float> va = Vector256.LoadUnsafe(ref Unsafe.Add(ref af, 2 * c));
                Vector256<float> vb = Vector256.LoadUnsafe(ref Unsafe.Add(ref bf, 2 * c)) * conj;
                Vector256<double> x = ((va + vb) * 0.5f).AsDouble();
                Vector256<double> y = (Avx.Permute(va - vb, 0b10_11_00_01) * swapScale).AsDouble();
                Vector256<double> low = Avx.UnpackLow(x, y), high = Avx.UnpackHigh(x, y);
                Avx.Permute2x128(low, high, 0x20).AsSingle().StoreUnsafe(ref Unsafe.Add(ref of, 4 * c));
                Avx.Permute2x128(low, high, 0x31).AsSingle().StoreUnsafe(ref Unsafe.Add(ref of, 4 * c + 8));
            }
        }
        T half = T.CreateChecked(0.5);
        for (; c < pairs; c++)
        {
            T ar = Unsafe.Add(ref a, 2 * c), ai = Unsafe.Add(ref a, 2 * c + 1);
            T br = Unsafe.Add(ref b, 2 * c), bi = -Unsafe.Add(ref b, 2 * c + 1);
            Unsafe.Add(ref o, 4 * c) = (ar + br) * half;
            Unsafe.Add(ref o, 4 * c + 1) = (ai + bi) * half;
            if (2 * c + 1 < channels)
            {
                Unsafe.Add(ref o, 4 * c + 2) = (ai - bi) * half;
                Unsafe.Add(ref o, 4 * c + 3) = (br - ar) * half;
            }
        }
    }

    /// <summary>Inverse transforms of <paramref name="count"/> half spectra into real channels, each scaled by 1/(rows·cols).</summary>
    public void InverseBatch(ReadOnlySpan<T> input, Span<T> output, int count)
        => InverseBatch(input, output, count, FftScratch<T>.Get(ScratchLength));

    /// <summary>Inverse transforms using caller-provided <paramref name="scratch"/> (at least <see cref="ScratchLength"/> values).</summary>
    /// <param name="input"><paramref name="count"/> × <see cref="SpectrumLength"/> values.</param>
    /// <param name="output"><paramref name="count"/> × <see cref="RealLength"/> real values; must not overlap <paramref name="input"/>.</param>
    /// <param name="count">Number of channels, at least 0.</param>
    /// <param name="scratch">Work memory.</param>
    public void InverseBatch(ReadOnlySpan<T> input, Span<T> output, int count, Span<T> scratch)
    {
        Check(output.Length, RealLength, input.Length, SpectrumLength, count, scratch.Length, "output", "input");
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int realLength = RealLength, specLength = SpectrumLength;
        Span<T> z = scratch.Slice(0, _complex.ChannelLength);
        Span<T> work = scratch.Slice(_complex.ChannelLength);
        for (int c = 0; c < count; c += 2)
        {
            bool pair = c + 1 < count;
            // z = X̃ + i·Ỹ over the full array, X̃ and Ỹ the Hermitian extensions.
            Extend(input.Slice(c * specLength, specLength), z, imaginary: false);
            if (pair) Extend(input.Slice((c + 1) * specLength, specLength), z, imaginary: true);
            _complex.ExecuteUnchecked(z, z, work, inverse: true);
            Span<T> x = output.Slice(c * realLength, realLength);
            for (int i = 0; i < realLength; i++) x[i] = z[2 * i];
            if (pair)
            {
                Span<T> y = output.Slice((c + 1) * realLength, realLength);
                for (int i = 0; i < realLength; i++) y[i] = z[2 * i + 1];
            }
        }
    }

    /// <summary>
    /// Writes the Hermitian extension H̃ of the half spectrum <paramref name="half"/> into <paramref name="z"/>
    /// (<paramref name="imaginary"/> = false), or adds i·H̃ to it (true). Columns stored without a mirror partner
    /// (l = 0, and l = cols/2 for even cols) are replaced by their Hermitian part (H[k,l] + conj H[−k,l])/2.
    /// </summary>
    private void Extend(ReadOnlySpan<T> half, Span<T> z, bool imaginary)
    {
        int rows = Rows, cols = Cols, sc = SpectrumCols;
        T h = T.CreateChecked(0.5);
        for (int k = 0; k < rows; k++)
        {
            int kn = k == 0 ? 0 : rows - k;
            for (int l = 0; l < cols; l++)
            {
                T re, im;
                bool selfPaired = l == 0 || (cols % 2 == 0 && l == cols / 2);
                if (selfPaired)
                {
                    T ar = half[2 * (k * sc + l)], ai = half[2 * (k * sc + l) + 1];
                    T br = half[2 * (kn * sc + l)], bi = -half[2 * (kn * sc + l) + 1];
                    re = (ar + br) * h;
                    im = (ai + bi) * h;
                }
                else if (l < sc)
                {
                    re = half[2 * (k * sc + l)];
                    im = half[2 * (k * sc + l) + 1];
                }
                else
                {
                    int ln = cols - l;
                    re = half[2 * (kn * sc + ln)];
                    im = -half[2 * (kn * sc + ln) + 1];
                }
                int o = 2 * (k * cols + l);
                if (!imaginary)
                {
                    z[o] = re;
                    z[o + 1] = im;
                }
                else
                {
                    // z += i·(re + i·im) = (−im, re)
                    z[o] -= im;
                    z[o + 1] += re;
                }
            }
        }
    }

    private void Check(int realActual, int realLength, int specActual, int specLength, int count, int scratchActual,
        string realName, string specName)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 0.");
        FftGuard.CheckLength(realActual, (long)count * realLength, realName, "count × (rows × cols of one real array) values");
        FftGuard.CheckLength(specActual, (long)count * specLength, specName,
            "count × 2 × Rows × (Cols/2 + 1) interleaved values");
        FftGuard.CheckScratch(scratchActual, ScratchLength);
    }
}
