using System.Numerics;

namespace Intriguing.Fourier;

/// <summary>
/// A reusable plan for the 1-D complex discrete Fourier transform of one length, in single
/// (<see cref="float"/>) or double (<see cref="double"/>) precision.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para><b>Data layout.</b> Complex numbers are interleaved in a span of <typeparamref name="T"/>:
/// element <c>k</c> has its real part at <c>2k</c> and its imaginary part at <c>2k + 1</c>, so a transform of length
/// n reads and writes <c>2n</c> values. (A <c>Span&lt;System.Numerics.Complex&gt;</c> can be passed as
/// <c>MemoryMarshal.Cast&lt;Complex, double&gt;(span)</c>.)</para>
/// <para><b>Convention.</b> <see cref="Forward(ReadOnlySpan{T}, Span{T})"/> computes the unnormalised
/// <c>X[k] = Σ_j x[j]·e^{−2πi·jk/n}</c>; <see cref="Inverse(ReadOnlySpan{T}, Span{T})"/> computes
/// <c>x[j] = (1/n)·Σ_k X[k]·e^{+2πi·jk/n}</c>, so Inverse(Forward(x)) = x (the NumPy/FFTW-with-scaling convention).</para>
/// <para><b>Algorithms.</b> Any length ≥ 1: mixed radix 8, 4, 2, 3, 5 and direct odd-prime butterflies up to 31
/// (self-sorting Stockham passes); lengths with a larger prime factor use Bluestein's algorithm. Smooth lengths of
/// 32 and more run as the four-step algorithm (the signal viewed as an n1 × n2 matrix, transformed along both axes
/// with SIMD across the other axis), so single 1-D transforms are vectorised as well.</para>
/// <para><b>Threads and memory.</b> A plan is immutable and may be used from any number of threads at once.
/// Overloads with a <c>scratch</c> span use only that memory (at least <see cref="ScratchLength"/> values); the
/// others use a per-thread buffer that is allocated once, so no call allocates after warm-up.</para>
/// </remarks>
public sealed class FftPlan<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FftKernel<T> _kernel;

    private FftPlan(int length)
    {
        _kernel = new FftKernel<T>(length);
        ScratchLength = 2L * length + _kernel.ExtraScratch(1);
    }

    /// <summary>Creates a plan for transforms of <paramref name="length"/> complex numbers.</summary>
    /// <param name="length">The transform length n, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is less than 1.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static FftPlan<T> Create(int length)
    {
        FftGuard.CheckElementType<T>();
        FftGuard.CheckPositive(length, nameof(length));
        return new FftPlan<T>(length);
    }

    /// <summary>The transform length n (complex numbers).</summary>
    public int Length => _kernel.Length;

    /// <summary>Values of <typeparamref name="T"/> a caller-provided scratch span must hold.</summary>
    public long ScratchLength { get; }

    /// <summary>Forward transform of <paramref name="input"/> (2n values) into <paramref name="output"/> (2n values).</summary>
    /// <remarks><paramref name="input"/> and <paramref name="output"/> may be the same span but must not partially overlap.</remarks>
    public void Forward(ReadOnlySpan<T> input, Span<T> output) => Execute(input, output, default, false, useThreadScratch: true);

    /// <summary>Forward transform using caller-provided <paramref name="scratch"/> (at least <see cref="ScratchLength"/> values).</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch) => Execute(input, output, scratch, false, useThreadScratch: false);

    /// <summary>In-place forward transform of <paramref name="data"/> (2n values).</summary>
    public void Forward(Span<T> data) => Execute(data, data, default, false, useThreadScratch: true);

    /// <summary>Inverse transform, scaled by 1/n, of <paramref name="input"/> (2n values) into <paramref name="output"/>.</summary>
    /// <remarks><paramref name="input"/> and <paramref name="output"/> may be the same span but must not partially overlap.</remarks>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output) => Execute(input, output, default, true, useThreadScratch: true);

    /// <summary>Inverse transform using caller-provided <paramref name="scratch"/> (at least <see cref="ScratchLength"/> values).</summary>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch) => Execute(input, output, scratch, true, useThreadScratch: false);

    /// <summary>In-place inverse transform, scaled by 1/n, of <paramref name="data"/> (2n values).</summary>
    public void Inverse(Span<T> data) => Execute(data, data, default, true, useThreadScratch: true);

    private void Execute(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, bool inverse, bool useThreadScratch)
    {
        long size = 2L * Length;
        FftGuard.CheckLength(input.Length, size, nameof(input), "2 × Length interleaved values");
        FftGuard.CheckLength(output.Length, size, nameof(output), "2 × Length interleaved values");
        if (useThreadScratch) scratch = FftScratch<T>.Get(ScratchLength);
        else FftGuard.CheckScratch(scratch.Length, ScratchLength);
        bool inPlace = FftGuard.CheckInPlace(input, output);
        ExecuteUnchecked(input, output, scratch, inverse, inPlace);
    }

    internal void ExecuteUnchecked(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch, bool inverse, bool inPlace)
    {
        int size = 2 * Length;
        Span<T> temp = scratch.Slice(0, size);
        Span<T> extra = scratch.Slice(size);
        int passes = _kernel.PassCount;
        ReadOnlySpan<T> result;
        if (passes == 0) result = input;
        else if (inPlace) result = _kernel.Run(input, temp, output, extra, 1, inverse);
        else if (passes % 2 == 1) result = _kernel.Run(input, output, temp, extra, 1, inverse);
        else result = _kernel.Run(input, temp, output, extra, 1, inverse);
        if (!result.Overlaps(output)) result.CopyTo(output);
        if (inverse && Length > 1) FftGuard.Scale(output, T.One / T.CreateChecked(Length));
    }
}
