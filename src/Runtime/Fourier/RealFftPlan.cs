using System.Numerics;

namespace Intriguing.Fourier;

/// <summary>
/// A reusable plan for the 1-D real-to-complex DFT of length n and its inverse (complex-to-real).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para><b>Layout.</b> The real signal is n values. Its spectrum is Hermitian (<c>X[n−k] = conj(X[k])</c>), so only
/// the <see cref="SpectrumLength"/> = n/2 + 1 bins <c>X[0 … n/2]</c> are stored, interleaved (2·(n/2 + 1) values),
/// like <c>numpy.fft.rfft</c>.</para>
/// <para><b>Convention.</b> Forward is unnormalised (<c>X[k] = Σ_j x[j]·e^{−2πi·jk/n}</c>). Inverse returns
/// <c>x[j] = (1/n)·Re Σ_k X̃[k]·e^{+2πi·jk/n}</c> over the Hermitian extension X̃ of the stored half; the imaginary
/// parts of X[0] (and of X[n/2] for even n) are therefore ignored, as in <c>numpy.fft.irfft</c>.</para>
/// <para><b>Algorithm.</b> Even n: one complex transform of length n/2 on the signal read as n/2 complex numbers
/// plus an O(n) split; odd n: one complex transform of length n.</para>
/// <para><b>Threads and memory.</b> Immutable and thread-safe; scratch as in <see cref="FftPlan{T}"/>.</para>
/// </remarks>
public sealed class RealFftPlan<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FftPlan<T> _complex;
    private readonly T[] _split; // even n: e^{−2πik/n} for k ≤ n/2 as (re, im) pairs

    private RealFftPlan(int length)
    {
        Length = length;
        bool even = length % 2 == 0;
        _complex = FftPlan<T>.Create(even ? length / 2 : length);
        int h = length / 2;
        _split = new T[even ? 2 * (h + 1) : 0];
        for (int k = 0; even && k <= h; k++)
        {
            (double re, double im) = FftKernel<T>.UnitRoot(k, length);
            _split[2 * k] = T.CreateChecked(re);
            _split[2 * k + 1] = T.CreateChecked(im);
        }
        long work = even ? 2L * h : 4L * length;
        ScratchLength = work + _complex.ScratchLength;
    }

    /// <summary>Creates a plan for real signals of <paramref name="length"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is less than 1.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static RealFftPlan<T> Create(int length)
    {
        FftGuard.CheckElementType<T>();
        FftGuard.CheckPositive(length, nameof(length));
        return new RealFftPlan<T>(length);
    }

    /// <summary>The signal length n (real values).</summary>
    public int Length { get; }

    /// <summary>Number of stored complex bins, n/2 + 1.</summary>
    public int SpectrumLength => Length / 2 + 1;

    /// <summary>Values of <typeparamref name="T"/> a caller-provided scratch span must hold.</summary>
    public long ScratchLength { get; }

    /// <summary>Forward transform of the real <paramref name="input"/> (n values) into <paramref name="output"/> (2·(n/2 + 1) values).</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output) => Forward(input, output, FftScratch<T>.Get(ScratchLength));

    /// <summary>Forward transform using caller-provided <paramref name="scratch"/> (at least <see cref="ScratchLength"/> values).</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch)
    {
        FftGuard.CheckLength(input.Length, Length, nameof(input), "Length real values");
        FftGuard.CheckLength(output.Length, 2L * SpectrumLength, nameof(output), "2 × (Length/2 + 1) interleaved values");
        FftGuard.CheckScratch(scratch.Length, ScratchLength);
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int n = Length, h = n / 2;
        if (n % 2 == 1)
        {
            Span<T> z = scratch.Slice(0, 2 * n);
            for (int j = 0; j < n; j++)
            {
                z[2 * j] = input[j];
                z[2 * j + 1] = T.Zero;
            }
            _complex.ExecuteUnchecked(z, z, scratch.Slice(4 * n), inverse: false, inPlace: true);
            z.Slice(0, output.Length).CopyTo(output);
            return;
        }

        // z_j = x_2j + i·x_2j+1, Z = DFT_h(z); E_k = (Z_k + conj Z_{h−k})/2, O_k = −i(Z_k − conj Z_{h−k})/2,
        // X_k = E_k + e^{−2πik/n}·O_k for k = 0 … h (indices of Z mod h).
        Span<T> spectrum = scratch.Slice(0, 2 * h);
        _complex.ExecuteUnchecked(input, spectrum, scratch.Slice(2 * h), inverse: false, inPlace: false);
        T half = T.CreateChecked(0.5);
        for (int k = 0; k <= h; k++)
        {
            int a = k % h, b = (h - k) % h;
            T zr = spectrum[2 * a], zi = spectrum[2 * a + 1];
            T cr = spectrum[2 * b], ci = -spectrum[2 * b + 1];
            T er = (zr + cr) * half, ei = (zi + ci) * half;
            T or = (zi - ci) * half, oi = -(zr - cr) * half;
            T wr = _split[2 * k], wi = _split[2 * k + 1];
            output[2 * k] = er + (or * wr - oi * wi);
            output[2 * k + 1] = ei + (or * wi + oi * wr);
        }
    }

    /// <summary>Inverse transform (scaled by 1/n) of the half spectrum <paramref name="input"/> (2·(n/2 + 1) values) into the real <paramref name="output"/> (n values).</summary>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output) => Inverse(input, output, FftScratch<T>.Get(ScratchLength));

    /// <summary>Inverse transform using caller-provided <paramref name="scratch"/> (at least <see cref="ScratchLength"/> values).</summary>
    public void Inverse(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch)
    {
        FftGuard.CheckLength(input.Length, 2L * SpectrumLength, nameof(input), "2 × (Length/2 + 1) interleaved values");
        FftGuard.CheckLength(output.Length, Length, nameof(output), "Length real values");
        FftGuard.CheckScratch(scratch.Length, ScratchLength);
        if (input.Overlaps(output)) throw new ArgumentException("input and output must not overlap.", nameof(output));
        int n = Length, h = n / 2;
        if (n % 2 == 1)
        {
            // Hermitian extension X̃[k] = conj X[n−k] for k > n/2, with Im X[0] dropped.
            Span<T> z = scratch.Slice(0, 2 * n);
            z[0] = input[0];
            z[1] = T.Zero;
            for (int k = 1; k <= h; k++)
            {
                z[2 * k] = z[2 * (n - k)] = input[2 * k];
                z[2 * k + 1] = input[2 * k + 1];
                z[2 * (n - k) + 1] = -input[2 * k + 1];
            }
            _complex.ExecuteUnchecked(z, z, scratch.Slice(4 * n), inverse: true, inPlace: true);
            for (int j = 0; j < n; j++) output[j] = z[2 * j];
            return;
        }

        // E_k = (X_k + conj X_{h−k})/2, O_k = e^{+2πik/n}(X_k − conj X_{h−k})/2, Z_k = E_k + i·O_k (k < h);
        // z = IDFT_h(Z) (scaled 1/h) gives x_2j = Re z_j, x_2j+1 = Im z_j. Im X_0 and Im X_h are dropped.
        Span<T> packed = scratch.Slice(0, 2 * h);
        T half = T.CreateChecked(0.5);
        for (int k = 0; k < h; k++)
        {
            T xr = input[2 * k], xi = k == 0 ? T.Zero : input[2 * k + 1];
            T cr = input[2 * (h - k)], ci = k == 0 ? T.Zero : -input[2 * (h - k) + 1];
            T er = (xr + cr) * half, ei = (xi + ci) * half;
            T dr = (xr - cr) * half, di = (xi - ci) * half;
            T wr = _split[2 * k], wi = -_split[2 * k + 1];
            T or = dr * wr - di * wi, oi = dr * wi + di * wr;
            packed[2 * k] = er - oi;
            packed[2 * k + 1] = ei + or;
        }
        _complex.ExecuteUnchecked(packed, output, scratch.Slice(2 * h), inverse: true, inPlace: false);
    }
}
