using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Intriguing.Fourier;

/// <summary>
/// Batched 1-D complex DFT of one length along the outer axis of a <c>[length][batch]</c> array of interleaved
/// complex numbers: element <c>(j, b)</c> sits at <c>2·(j·batch + b)</c>. Every butterfly works on whole rows
/// of <c>batch</c> complex numbers with one scalar twiddle, so the inner loop is plain SIMD over the batch.
/// </summary>
/// <remarks>
/// <para>Smooth lengths use a mixed-radix Stockham (self-sorting) decimation-in-time algorithm: pass <c>p</c>
/// with radix <c>R</c>, after earlier passes whose radices multiply to <c>Ns</c>, computes for every
/// <c>j &lt; n/R</c> with <c>k = j mod Ns</c>
/// <c>v[r] = src[j + r·n/R] · w^{r·k}</c> (<c>w = e^{∓2πi/(Ns·R)}</c>), a radix-R DFT of <c>v</c>, and stores
/// <c>dst[(j − k)·R + k + q·Ns] = V[q]</c>. No bit reversal is needed and each pass streams once through memory.
/// Radices 8, 4, 2, 3, 5, 7, 11, 13 have dedicated butterflies, other primes up to <see cref="MaxDirectPrime"/> a generic
/// symmetric butterfly. Lengths with a larger prime factor use Bluestein's chirp-z algorithm on a smooth
/// length m ≥ 2n − 1. A single transform (batch 1) of a smooth length ≥ <see cref="MinFourStepLength"/> runs as the
/// four-step algorithm (two batched passes of this kernel around a twiddle product and a transpose), so it is
/// vectorised too.</para>
/// <para>Rows are processed in full registers; the last register of a row is moved back to end exactly at the
/// row end (it overlaps the previous one). That is safe because every pass is out of place.</para>
/// <para>The kernel never scales: both directions are unnormalised. It is immutable and thread-safe.</para>
/// </remarks>
internal sealed partial class FftKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Largest prime factor handled by a direct butterfly; larger ones switch to Bluestein.</summary>
    public const int MaxDirectPrime = 31;

    private readonly Pass[] _passes;
    private readonly T[] _twiddlesForward;
    private readonly T[] _twiddlesInverse;
    private readonly T[] _oddConstants;
    private readonly Bluestein? _bluestein;
    private readonly FourStep? _fourStep;

    /// <summary>
    /// Smallest smooth length that a single (batch 1) transform runs as the four-step algorithm (measured here,
    /// AMD EPYC with AVX-512, float: equal at 32, 1.7× faster at 48, 3–4× at 128–256, 6× at 1024).
    /// </summary>
    public const int MinFourStepLength = 32;

    /// <summary>
    /// Batch-1 transforms of smooth length n = n1·n2 ≥ <see cref="MinFourStepLength"/> as a 2-D problem so they
    /// vectorise: x viewed as A[j1][j2] (n1 × n2, row-major); B = DFT over j1 (batch n2); B[k1][j2] ·= W_n^{j2·k1};
    /// transpose; DFT over j2 (batch n1) gives D[k2][k1] = X[k1 + n1·k2], which is X in natural order.
    /// </summary>
    private sealed class FourStep
    {
        public required int N1 { get; init; }
        public required int N2 { get; init; }
        public required FftKernel<T> First { get; init; }
        public required FftKernel<T> Second { get; init; }

        /// <summary>W_n^{j2·k1} at k1·n2 + j2, as split pair tables (see <see cref="MultiplyElementwise"/>).</summary>
        public required T[] Re { get; init; }
        public required T[] Im { get; init; }
    }

    private readonly record struct Pass(int Radix, int Stride, int TwiddleOffset, int ConstantOffset);

    private sealed class Bluestein
    {
        public required int M { get; init; }
        public required FftKernel<T> Inner { get; init; }

        /// <summary>Chirp <c>w_j = e^{−πi j²/n}</c> (forward) as twiddle quadruples, j &lt; n.</summary>
        public required T[] ChirpForward { get; init; }
        public required T[] ChirpInverse { get; init; }

        /// <summary>DFT_m of the conjugate chirp filter, pre-scaled by 1/m, as twiddle quadruples.</summary>
        public required T[] FilterForward { get; init; }
        public required T[] FilterInverse { get; init; }

        /// <summary>The same tables as split pairs for batch-1 element-wise products.</summary>
        public required (T[] Re, T[] Im) ChirpSplit { get; init; }
        public required (T[] Re, T[] Im) FilterForwardSplit { get; init; }
        public required (T[] Re, T[] Im) FilterInverseSplit { get; init; }
    }

    public FftKernel(int length) : this(length, allowFourStep: true)
    {
    }

    private FftKernel(int length, bool allowFourStep)
    {
        Length = length;
        List<int> factors = Factor(length);
        if (factors.Count > 0 && factors[^1] > MaxDirectPrime)
        {
            _passes = [];
            _twiddlesForward = _twiddlesInverse = _oddConstants = [];
            _bluestein = CreateBluestein(length);
            return;
        }

        // Radix order: 8s, then 4s or a single 2 (2^t with t mod 3 = 1 uses 4·4 rather than 8·2), 3s, 5s,
        // larger primes (Factor returns them ascending). Fewer, larger radices mean fewer passes over memory.
        List<int> radices = [];
        int twos = factors.Count(f => f == 2);
        int eights = twos % 3 == 1 && twos >= 4 ? (twos - 4) / 3 : twos / 3;
        for (int i = 0; i < eights; i++) radices.Add(8);
        int rest = twos - 3 * eights;
        if (rest == 1) radices.Add(2);
        for (int i = 0; i < rest / 2; i++) radices.Add(4);
        radices.AddRange(factors.Where(f => f != 2));

        var passes = new Pass[radices.Count];
        var twiddles = new List<(double Re, double Im)>();
        var odd = new List<double>();
        int stride = 1;
        for (int p = 0; p < radices.Count; p++)
        {
            int radix = radices[p];
            int constantOffset = -1;
            if (radix is > 5 and not (7 or 11 or 13))
            {
                constantOffset = odd.Count;
                int h = (radix - 1) / 2;
                for (int q = 1; q <= h; q++)
                {
                    for (int r = 1; r <= h; r++)
                    {
                        (double sin, double cos) = Math.SinCos(2 * Math.PI * ((long)q * r % radix) / radix);
                        odd.Add(cos);
                        odd.Add(sin);
                    }
                }
            }
            passes[p] = new Pass(radix, stride, twiddles.Count * 4, constantOffset);
            for (int k = 0; k < stride; k++)
            {
                for (int r = 1; r < radix; r++)
                {
                    twiddles.Add(UnitRoot((long)r * k, (long)stride * radix));
                }
            }
            stride *= radix;
        }
        _passes = passes;
        _twiddlesForward = PackTwiddles(twiddles, inverse: false);
        _twiddlesInverse = PackTwiddles(twiddles, inverse: true);
        _oddConstants = odd.Select(T.CreateChecked).ToArray();
        if (allowFourStep && length >= MinFourStepLength) _fourStep = CreateFourStep(length);
    }

    private static FourStep CreateFourStep(int n)
    {
        int n1 = 1;
        for (int d = 1; (long)d * d <= n; d++)
        {
            if (n % d == 0) n1 = d;
        }
        int n2 = n / n1;
        var values = new (double Re, double Im)[n];
        for (int k1 = 0; k1 < n1; k1++)
        {
            for (int j2 = 0; j2 < n2; j2++) values[k1 * n2 + j2] = UnitRoot((long)j2 * k1, n);
        }
        (T[] re, T[] im) = SplitPairs(values);
        return new FourStep
        {
            N1 = n1,
            N2 = n2,
            First = new FftKernel<T>(n1, allowFourStep: false),
            Second = new FftKernel<T>(n2, allowFourStep: false),
            Re = re,
            Im = im,
        };
    }

    private ReadOnlySpan<T> RunFourStep(ReadOnlySpan<T> source, Span<T> a, Span<T> extra, bool inverse)
    {
        FourStep fs = _fourStep!;
        int size = 2 * Length;
        Span<T> e = extra.Slice(0, size);
        ReadOnlySpan<T> first = fs.First.Run(source.Slice(0, size), a, e, default, fs.N2, inverse);
        Span<T> firstBuffer = first.Overlaps(a) ? a.Slice(0, size) : e;
        MultiplyElementwise(firstBuffer, firstBuffer, fs.Re, fs.Im, inverse);
        Span<T> transposed = firstBuffer == e ? a.Slice(0, size) : e;
        FftGuard.Transpose<T>(firstBuffer, transposed, fs.N1, fs.N2);
        Span<T> other = transposed == e ? a.Slice(0, size) : e;
        ReadOnlySpan<T> result = fs.Second.Run(transposed, other, transposed, default, fs.N1, inverse);
        if (!result.Overlaps(a)) result.CopyTo(a);
        return a.Slice(0, size);
    }

    /// <summary>Transform length.</summary>
    public int Length { get; }

    /// <summary>
    /// Number of ping-pong passes, which tells where <see cref="Run"/> usually leaves the result: 0 for length 1,
    /// 1 for Bluestein. Batch-1 four-step transforms also leave it in <c>a</c>; callers use the returned span.
    /// </summary>
    public int PassCount => _bluestein is null ? _passes.Length : 1;

    /// <summary>Scratch (in T elements) needed beyond the two ping-pong buffers, for a batch of this width.</summary>
    public long ExtraScratch(int batch)
    {
        if (_bluestein is not null) return 2L * 2 * _bluestein.M * batch + _bluestein.Inner.ExtraScratch(batch);
        if (_fourStep is not null && batch == 1) return 2L * Length;
        return 0;
    }

    /// <summary>
    /// Transforms the <c>[Length][batch]</c> array <paramref name="source"/> and returns the span holding the
    /// result: <paramref name="source"/> itself when <see cref="PassCount"/> is 0, otherwise <paramref name="a"/>
    /// or <paramref name="b"/> (for Stockham passes: <paramref name="a"/> when <see cref="PassCount"/> is odd).
    /// Pass <c>i</c> writes to <c>a</c> when <c>i</c> is even and <c>b</c> when it is odd, so
    /// <paramref name="source"/> must not overlap <paramref name="a"/>, and may overlap <paramref name="b"/>
    /// (it is read only by the first pass). <paramref name="extra"/> holds <see cref="ExtraScratch"/> values.
    /// </summary>
    public ReadOnlySpan<T> Run(ReadOnlySpan<T> source, Span<T> a, Span<T> b, Span<T> extra, int batch, bool inverse)
    {
        int size = 2 * Length * batch;
        if (_bluestein is not null)
        {
            RunBluestein(source.Slice(0, size), a.Slice(0, size), extra, batch, inverse);
            return a.Slice(0, size);
        }
        if (_passes.Length == 0) return source.Slice(0, size);
        if (batch == 1 && _fourStep is not null) return RunFourStep(source, a, extra, inverse);

        if (ComplexVector512<T>.IsSupported && batch >= ComplexVector512<T>.Count)
            return RunPasses<ComplexVector512<T>>(source, a, b, batch, inverse);
        if (ComplexVector256<T>.IsSupported && batch >= ComplexVector256<T>.Count)
            return RunPasses<ComplexVector256<T>>(source, a, b, batch, inverse);
        if (ComplexVector128<T>.IsSupported && batch >= ComplexVector128<T>.Count)
            return RunPasses<ComplexVector128<T>>(source, a, b, batch, inverse);
        return RunPasses<ComplexScalar<T>>(source, a, b, batch, inverse);
    }

    private ReadOnlySpan<T> RunPasses<TV>(ReadOnlySpan<T> source, Span<T> a, Span<T> b, int batch, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        T[] twiddleTable = inverse ? _twiddlesInverse : _twiddlesForward;
        ref T twiddles = ref MemoryMarshal.GetArrayDataReference(twiddleTable);
        ref T src = ref MemoryMarshal.GetReference(source);
        int n = Length;
        for (int p = 0; p < _passes.Length; p++)
        {
            Pass pass = _passes[p];
            ref T dst = ref MemoryMarshal.GetReference(p % 2 == 0 ? a : b);
            ref T tw = ref Unsafe.Add(ref twiddles, pass.TwiddleOffset);
            switch (pass.Radix)
            {
                case 2: Radix2<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw); break;
                case 3: Radix3<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                case 4: Radix4<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                case 8: Radix8<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                case 5: Radix5<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                case 7: Radix7<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                case 11: Radix11<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                case 13: Radix13<TV>(ref src, ref dst, n, pass.Stride, batch, ref tw, inverse); break;
                default:
                    RadixOdd<TV>(ref src, ref dst, n, pass.Stride, batch, pass.Radix, ref tw,
                        ref _oddConstants[pass.ConstantOffset], inverse);
                    break;
            }
            src = ref dst;
        }
        int size = 2 * n * batch;
        return _passes.Length % 2 == 1 ? a.Slice(0, size) : b.Slice(0, size);
    }

    // ---- Butterflies -------------------------------------------------------------------------------------
    // Each pass: for block j0 (step Ns) and k < Ns, inputs are rows j0+k + r·n/R, outputs rows j0·R + k + q·Ns.
    // Twiddles for (k, r) are stored as quadruples (w.re, w.re, −w.im, w.im) at ((k·(R−1)) + r − 1)·4.

    // y0 = a0 + a1, y1 = a0 − a1 (after a1 ← a1·w^k)
    private static void Radix2<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 2;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 2 + k) * row);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref tw, k * 4), out TV w1r, out TV w1i);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + inStep));
                    if (twiddle) a1 = ComplexVector.Twiddle<TV, T>(a1, w1r, w1i);
                    TV.Store(ref Unsafe.Add(ref d, x), a0 + a1);
                    TV.Store(ref Unsafe.Add(ref d, x + outStep), a0 - a1);
                    if (x == last) break;
                }
            }
        }
    }

    // t = a1 + a2, u = a1 − a2; y0 = a0 + t, y1,2 = a0 − t/2 ± (∓i·√3/2)·u (upper sign forward)
    private static void Radix3<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 3;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        T s3 = T.CreateChecked(Math.Sqrt(3) / 2);
        TV half = TV.Broadcast(T.CreateChecked(0.5));
        // (−i·s)·(re, im) = (s·im, −s·re) = swap(v)·(s, −s) forward; inverse (+i·s): swap(v)·(−s, s).
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-s3, s3) : ComplexVector.Pair<TV, T>(s3, -s3);
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 3 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 8);
                ComplexVector.LoadTwiddle(ref w, out TV w1r, out TV w1i);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 4), out TV w2r, out TV w2i);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, w1r, w1i);
                        a2 = ComplexVector.Twiddle<TV, T>(a2, w2r, w2i);
                    }
                    TV t = a1 + a2;
                    TV u = TV.Swap(a1 - a2) * rot;
                    TV c = a0 - t * half;
                    TV.Store(ref Unsafe.Add(ref d, x), a0 + t);
                    TV.Store(ref Unsafe.Add(ref d, x + outStep), c + u);
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), c - u);
                    if (x == last) break;
                }
            }
        }
    }

    // t0 = a0 + a2, t1 = a0 − a2, t2 = a1 + a3, t3 = ∓i·(a1 − a3); y0 = t0 + t2, y1 = t1 + t3, y2 = t0 − t2, y3 = t1 − t3
    private static void Radix4<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 4;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 4 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 12);
                ComplexVector.LoadTwiddle(ref w, out TV w1r, out TV w1i);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 4), out TV w2r, out TV w2i);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 8), out TV w3r, out TV w3i);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    TV a3 = TV.Load(ref Unsafe.Add(ref s, x + 3 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, w1r, w1i);
                        a2 = ComplexVector.Twiddle<TV, T>(a2, w2r, w2i);
                        a3 = ComplexVector.Twiddle<TV, T>(a3, w3r, w3i);
                    }
                    TV t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3;
                    TV t3 = TV.Swap(a1 - a3) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x), t0 + t2);
                    TV.Store(ref Unsafe.Add(ref d, x + outStep), t1 + t3);
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), t0 - t2);
                    TV.Store(ref Unsafe.Add(ref d, x + 3 * outStep), t1 - t3);
                    if (x == last) break;
                }
            }
        }
    }

    // b_r = a_r + a_{r+4}, b_{r+4} = a_r − a_{r+4} (r < 4); even outputs y_{2m} = DFT4(b0, b1, b2, b3)_m,
    // odd outputs y_{2m+1} = DFT4(b4, W·b5, W²·b6, W³·b7)_m with W = e^{∓iπ/4} = (1 ∓ i)/√2, W² = ∓i.
    private static void Radix8<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 8;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        TV invSqrt2 = TV.Broadcast(T.CreateChecked(Math.Sqrt(0.5)));
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 8 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 28);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    TV a3 = TV.Load(ref Unsafe.Add(ref s, x + 3 * inStep));
                    TV a4 = TV.Load(ref Unsafe.Add(ref s, x + 4 * inStep));
                    TV a5 = TV.Load(ref Unsafe.Add(ref s, x + 5 * inStep));
                    TV a6 = TV.Load(ref Unsafe.Add(ref s, x + 6 * inStep));
                    TV a7 = TV.Load(ref Unsafe.Add(ref s, x + 7 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, TV.BroadcastPair(ref w), TV.BroadcastPair(ref Unsafe.Add(ref w, 2)));
                        a2 = ComplexVector.Twiddle<TV, T>(a2, TV.BroadcastPair(ref Unsafe.Add(ref w, 4)), TV.BroadcastPair(ref Unsafe.Add(ref w, 6)));
                        a3 = ComplexVector.Twiddle<TV, T>(a3, TV.BroadcastPair(ref Unsafe.Add(ref w, 8)), TV.BroadcastPair(ref Unsafe.Add(ref w, 10)));
                        a4 = ComplexVector.Twiddle<TV, T>(a4, TV.BroadcastPair(ref Unsafe.Add(ref w, 12)), TV.BroadcastPair(ref Unsafe.Add(ref w, 14)));
                        a5 = ComplexVector.Twiddle<TV, T>(a5, TV.BroadcastPair(ref Unsafe.Add(ref w, 16)), TV.BroadcastPair(ref Unsafe.Add(ref w, 18)));
                        a6 = ComplexVector.Twiddle<TV, T>(a6, TV.BroadcastPair(ref Unsafe.Add(ref w, 20)), TV.BroadcastPair(ref Unsafe.Add(ref w, 22)));
                        a7 = ComplexVector.Twiddle<TV, T>(a7, TV.BroadcastPair(ref Unsafe.Add(ref w, 24)), TV.BroadcastPair(ref Unsafe.Add(ref w, 26)));
                    }
                    TV b0 = a0 + a4, b4 = a0 - a4, b1 = a1 + a5, b5 = a1 - a5;
                    TV b2 = a2 + a6, b6 = a2 - a6, b3 = a3 + a7, b7 = a3 - a7;
                    TV c5 = (b5 + TV.Swap(b5) * rot) * invSqrt2;
                    TV c6 = TV.Swap(b6) * rot;
                    TV c7 = (TV.Swap(b7) * rot - b7) * invSqrt2;
                    // Even outputs.
                    TV t0 = b0 + b2, t1 = b0 - b2, t2 = b1 + b3, t3 = TV.Swap(b1 - b3) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x), t0 + t2);
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), t1 + t3);
                    TV.Store(ref Unsafe.Add(ref d, x + 4 * outStep), t0 - t2);
                    TV.Store(ref Unsafe.Add(ref d, x + 6 * outStep), t1 - t3);
                    // Odd outputs.
                    t0 = b4 + c6;
                    t1 = b4 - c6;
                    t2 = c5 + c7;
                    t3 = TV.Swap(c5 - c7) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x + outStep), t0 + t2);
                    TV.Store(ref Unsafe.Add(ref d, x + 3 * outStep), t1 + t3);
                    TV.Store(ref Unsafe.Add(ref d, x + 5 * outStep), t0 - t2);
                    TV.Store(ref Unsafe.Add(ref d, x + 7 * outStep), t1 - t3);
                    if (x == last) break;
                }
            }
        }
    }

    // t1 = a1 + a4, t2 = a2 + a3, u1 = a1 − a4, u2 = a2 − a3, c1 = cos 2π/5, c2 = cos 4π/5, s1, s2 likewise;
    // A1 = a0 + c1·t1 + c2·t2, A2 = a0 + c2·t1 + c1·t2, B1 = s1·u1 + s2·u2, B2 = s2·u1 − s1·u2;
    // y0 = a0 + t1 + t2, y1/y4 = A1 ∓ i·B1, y2/y3 = A2 ∓ i·B2 (upper sign forward).
    private static void Radix5<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 5;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV c1 = TV.Broadcast(T.CreateChecked(Math.Cos(2 * Math.PI / 5)));
        TV c2 = TV.Broadcast(T.CreateChecked(Math.Cos(4 * Math.PI / 5)));
        TV s1 = TV.Broadcast(T.CreateChecked(Math.Sin(2 * Math.PI / 5)));
        TV s2 = TV.Broadcast(T.CreateChecked(Math.Sin(4 * Math.PI / 5)));
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 5 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 16);
                ComplexVector.LoadTwiddle(ref w, out TV w1r, out TV w1i);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 4), out TV w2r, out TV w2i);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 8), out TV w3r, out TV w3i);
                ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 12), out TV w4r, out TV w4i);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    TV a3 = TV.Load(ref Unsafe.Add(ref s, x + 3 * inStep));
                    TV a4 = TV.Load(ref Unsafe.Add(ref s, x + 4 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, w1r, w1i);
                        a2 = ComplexVector.Twiddle<TV, T>(a2, w2r, w2i);
                        a3 = ComplexVector.Twiddle<TV, T>(a3, w3r, w3i);
                        a4 = ComplexVector.Twiddle<TV, T>(a4, w4r, w4i);
                    }
                    TV t1 = a1 + a4, t2 = a2 + a3, u1 = a1 - a4, u2 = a2 - a3;
                    TV big1 = TV.MultiplyAdd(c2, t2, TV.MultiplyAdd(c1, t1, a0));
                    TV big2 = TV.MultiplyAdd(c1, t2, TV.MultiplyAdd(c2, t1, a0));
                    TV b1 = TV.Swap(TV.MultiplyAdd(s2, u2, s1 * u1)) * rot;
                    TV b2 = TV.Swap(s2 * u1 - s1 * u2) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x), a0 + t1 + t2);
                    TV.Store(ref Unsafe.Add(ref d, x + outStep), big1 + b1);
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), big2 + b2);
                    TV.Store(ref Unsafe.Add(ref d, x + 3 * outStep), big2 - b2);
                    TV.Store(ref Unsafe.Add(ref d, x + 4 * outStep), big1 - b1);
                    if (x == last) break;
                }
            }
        }
    }

    // The odd-prime butterfly below written out for p = 7, with c_r = cos(2πr/7), s_r = sin(2πr/7):
    // A1 = a0 + c1·t1 + c2·t2 + c3·t3, B1 = s1·u1 + s2·u2 + s3·u3,
    // A2 = a0 + c2·t1 + c3·t2 + c1·t3, B2 = s2·u1 − s3·u2 − s1·u3,
    // A3 = a0 + c3·t1 + c1·t2 + c2·t3, B3 = s3·u1 − s1·u2 + s2·u3; y_q / y_{7−q} = A_q ∓ i·B_q.
    private static void Radix7<TV>(ref T src, ref T dst, int n, int ns, int batch, ref T tw, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / 7;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV c1 = TV.Broadcast(T.CreateChecked(Math.Cos(2 * Math.PI / 7)));
        TV c2 = TV.Broadcast(T.CreateChecked(Math.Cos(4 * Math.PI / 7)));
        TV c3 = TV.Broadcast(T.CreateChecked(Math.Cos(6 * Math.PI / 7)));
        TV s1 = TV.Broadcast(T.CreateChecked(Math.Sin(2 * Math.PI / 7)));
        TV s2 = TV.Broadcast(T.CreateChecked(Math.Sin(4 * Math.PI / 7)));
        TV s3 = TV.Broadcast(T.CreateChecked(Math.Sin(6 * Math.PI / 7)));
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * 7 + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 24);
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    TV a0 = TV.Load(ref Unsafe.Add(ref s, x));
                    TV a1 = TV.Load(ref Unsafe.Add(ref s, x + inStep));
                    TV a2 = TV.Load(ref Unsafe.Add(ref s, x + 2 * inStep));
                    TV a3 = TV.Load(ref Unsafe.Add(ref s, x + 3 * inStep));
                    TV a4 = TV.Load(ref Unsafe.Add(ref s, x + 4 * inStep));
                    TV a5 = TV.Load(ref Unsafe.Add(ref s, x + 5 * inStep));
                    TV a6 = TV.Load(ref Unsafe.Add(ref s, x + 6 * inStep));
                    if (twiddle)
                    {
                        a1 = ComplexVector.Twiddle<TV, T>(a1, TV.BroadcastPair(ref w), TV.BroadcastPair(ref Unsafe.Add(ref w, 2)));
                        a2 = ComplexVector.Twiddle<TV, T>(a2, TV.BroadcastPair(ref Unsafe.Add(ref w, 4)), TV.BroadcastPair(ref Unsafe.Add(ref w, 6)));
                        a3 = ComplexVector.Twiddle<TV, T>(a3, TV.BroadcastPair(ref Unsafe.Add(ref w, 8)), TV.BroadcastPair(ref Unsafe.Add(ref w, 10)));
                        a4 = ComplexVector.Twiddle<TV, T>(a4, TV.BroadcastPair(ref Unsafe.Add(ref w, 12)), TV.BroadcastPair(ref Unsafe.Add(ref w, 14)));
                        a5 = ComplexVector.Twiddle<TV, T>(a5, TV.BroadcastPair(ref Unsafe.Add(ref w, 16)), TV.BroadcastPair(ref Unsafe.Add(ref w, 18)));
                        a6 = ComplexVector.Twiddle<TV, T>(a6, TV.BroadcastPair(ref Unsafe.Add(ref w, 20)), TV.BroadcastPair(ref Unsafe.Add(ref w, 22)));
                    }
                    TV t1 = a1 + a6, t2 = a2 + a5, t3 = a3 + a4;
                    TV u1 = a1 - a6, u2 = a2 - a5, u3 = a3 - a4;
                    TV big1 = TV.MultiplyAdd(c3, t3, TV.MultiplyAdd(c2, t2, TV.MultiplyAdd(c1, t1, a0)));
                    TV big2 = TV.MultiplyAdd(c1, t3, TV.MultiplyAdd(c3, t2, TV.MultiplyAdd(c2, t1, a0)));
                    TV big3 = TV.MultiplyAdd(c2, t3, TV.MultiplyAdd(c1, t2, TV.MultiplyAdd(c3, t1, a0)));
                    TV b1 = TV.Swap(TV.MultiplyAdd(s3, u3, TV.MultiplyAdd(s2, u2, s1 * u1))) * rot;
                    TV b2 = TV.Swap(s2 * u1 - s3 * u2 - s1 * u3) * rot;
                    TV b3 = TV.Swap(TV.MultiplyAdd(s2, u3, s3 * u1 - s1 * u2)) * rot;
                    TV.Store(ref Unsafe.Add(ref d, x), a0 + t1 + t2 + t3);
                    TV.Store(ref Unsafe.Add(ref d, x + outStep), big1 + b1);
                    TV.Store(ref Unsafe.Add(ref d, x + 2 * outStep), big2 + b2);
                    TV.Store(ref Unsafe.Add(ref d, x + 3 * outStep), big3 + b3);
                    TV.Store(ref Unsafe.Add(ref d, x + 4 * outStep), big3 - b3);
                    TV.Store(ref Unsafe.Add(ref d, x + 5 * outStep), big2 - b2);
                    TV.Store(ref Unsafe.Add(ref d, x + 6 * outStep), big1 - b1);
                    if (x == last) break;
                }
            }
        }
    }

    // Odd prime p, h = (p−1)/2: t_r = a_r + a_{p−r}, u_r = a_r − a_{p−r} (r = 1…h);
    // y0 = a0 + Σ t_r; A_q = a0 + Σ_r cos(2πqr/p)·t_r, B_q = Σ_r sin(2πqr/p)·u_r; y_q / y_{p−q} = A_q ∓ i·B_q.
    [SkipLocalsInit]
    private static void RadixOdd<TV>(ref T src, ref T dst, int n, int ns, int batch, int p, ref T tw, ref T constants, bool inverse)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int m = n / p, h = (p - 1) / 2;
        nint row = 2 * batch, last = row - 2 * TV.Count, width = 2 * TV.Count;
        nint inStep = m * row, outStep = ns * row;
        TV rot = inverse ? ComplexVector.Pair<TV, T>(-T.One, T.One) : ComplexVector.Pair<TV, T>(T.One, -T.One);
        Span<TV> a = stackalloc TV[p];
        Span<TV> t = stackalloc TV[h];
        Span<TV> u = stackalloc TV[h];
        for (int j0 = 0; j0 < m; j0 += ns)
        {
            for (int k = 0; k < ns; k++)
            {
                ref T s = ref Unsafe.Add(ref src, (j0 + k) * row);
                ref T d = ref Unsafe.Add(ref dst, (j0 * p + k) * row);
                ref T w = ref Unsafe.Add(ref tw, k * 4 * (p - 1));
                bool twiddle = k != 0;
                for (nint x = 0; ; x += width)
                {
                    if (x > last) x = last;
                    a[0] = TV.Load(ref Unsafe.Add(ref s, x));
                    for (int r = 1; r < p; r++)
                    {
                        TV v = TV.Load(ref Unsafe.Add(ref s, x + r * inStep));
                        if (twiddle)
                        {
                            ComplexVector.LoadTwiddle(ref Unsafe.Add(ref w, 4 * (r - 1)), out TV wr, out TV wi);
                            v = ComplexVector.Twiddle<TV, T>(v, wr, wi);
                        }
                        a[r] = v;
                    }
                    TV y0 = a[0];
                    for (int r = 1; r <= h; r++)
                    {
                        t[r - 1] = a[r] + a[p - r];
                        u[r - 1] = a[r] - a[p - r];
                        y0 += t[r - 1];
                    }
                    TV.Store(ref Unsafe.Add(ref d, x), y0);
                    for (int q = 1; q <= h; q++)
                    {
                        TV big = a[0];
                        TV im = TV.Broadcast(T.Zero);
                        ref T cs = ref Unsafe.Add(ref constants, 2 * (q - 1) * h);
                        for (int r = 0; r < h; r++)
                        {
                            big = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref cs, 2 * r)), t[r], big);
                            im = TV.MultiplyAdd(TV.Broadcast(Unsafe.Add(ref cs, 2 * r + 1)), u[r], im);
                        }
                        im = TV.Swap(im) * rot;
                        TV.Store(ref Unsafe.Add(ref d, x + q * outStep), big + im);
                        TV.Store(ref Unsafe.Add(ref d, x + (p - q) * outStep), big - im);
                    }
                    if (x == last) break;
                }
            }
        }
    }

    // ---- Bluestein ---------------------------------------------------------------------------------------
    // X_k = w_k · Σ_j (x_j·w_j)·conj(w_{k−j}) with w_j = e^{−πi j²/n}: a cyclic convolution of length m ≥ 2n − 1,
    // done as IDFT_m(DFT_m(a) · DFT_m(b)) with b_j = conj(w_j) = b_{m−j}. The inverse direction conjugates w.

    private static Bluestein CreateBluestein(int n)
    {
        int m = 1;
        while (m < 2 * n - 1) m *= 2;
        // A smooth 2^a·3^b·5^c length can be much closer to 2n − 1 than the next power of two.
        for (int candidate = 2 * n - 1; candidate < m; candidate++)
        {
            int c = candidate;
            foreach (int f in (ReadOnlySpan<int>)[2, 3, 5]) { while (c % f == 0) c /= f; }
            if (c == 1) { m = candidate; break; }
        }
        var inner = new FftKernel<T>(m);
        var chirp = new (double Re, double Im)[n];
        for (int j = 0; j < n; j++)
        {
            // angle −π·j²/n, with j² reduced mod 2n for accuracy
            long j2 = (long)j * j % (2L * n);
            (double sin, double cos) = Math.SinCos(Math.PI * j2 / n);
            chirp[j] = (cos, -sin);
        }
        (double, double)[] Filter(bool inverse)
        {
            // b_j = conj(w_j) (forward), w_j (inverse), transformed in double precision by a smooth-length kernel.
            var inner64 = new FftKernel<double>(m);
            var b = new double[2 * m];
            for (int j = 0; j < n; j++)
            {
                double im = inverse ? chirp[j].Im : -chirp[j].Im;
                b[2 * j] = chirp[j].Re;
                b[2 * j + 1] = im;
                if (j > 0)
                {
                    b[2 * (m - j)] = chirp[j].Re;
                    b[2 * (m - j) + 1] = im;
                }
            }
            var t1 = new double[2 * m];
            var t2 = new double[2 * m];
            ReadOnlySpan<double> spectrum = inner64.Run(b, t1, t2, new double[inner64.ExtraScratch(1)], 1, inverse: false);
            var list = new (double, double)[m];
            for (int k = 0; k < m; k++) list[k] = (spectrum[2 * k] / m, spectrum[2 * k + 1] / m);
            return list;
        }
        (double, double)[] forward = Filter(inverse: false), backward = Filter(inverse: true);
        return new Bluestein
        {
            M = m,
            Inner = inner,
            ChirpForward = PackTwiddles(chirp, inverse: false),
            ChirpInverse = PackTwiddles(chirp, inverse: true),
            FilterForward = PackTwiddles(forward, inverse: false),
            FilterInverse = PackTwiddles(backward, inverse: false),
            ChirpSplit = SplitPairs(chirp),
            FilterForwardSplit = SplitPairs(forward),
            FilterInverseSplit = SplitPairs(backward),
        };
    }

    private void RunBluestein(ReadOnlySpan<T> source, Span<T> destination, Span<T> extra, int batch, bool inverse)
    {
        Bluestein bs = _bluestein!;
        int n = Length, m = bs.M;
        int rowLength = 2 * batch;
        Span<T> bufA = extra.Slice(0, m * rowLength);
        Span<T> bufB = extra.Slice(m * rowLength, m * rowLength);
        T[] chirp = inverse ? bs.ChirpInverse : bs.ChirpForward;
        T[] filter = inverse ? bs.FilterInverse : bs.FilterForward;

        Span<T> innerExtra = extra.Slice(2 * m * rowLength);
        bool single = batch == 1;
        (T[] Re, T[] Im) filterSplit = inverse ? bs.FilterInverseSplit : bs.FilterForwardSplit;

        // a_j = x_j · w_j for j < n, 0 beyond.
        if (single) MultiplyElementwise(source, bufA, bs.ChirpSplit.Re, bs.ChirpSplit.Im, conjugate: inverse);
        else
        {
            for (int j = 0; j < n; j++)
            {
                RowTwiddle(source.Slice(j * rowLength, rowLength), bufA.Slice(j * rowLength, rowLength), chirp, j);
            }
        }
        bufA.Slice(n * rowLength).Clear();

        // Convolution with the chirp filter: DFT_m, product with the (1/m-scaled) filter spectrum, IDFT_m.
        ReadOnlySpan<T> spectrum = bs.Inner.Run(bufA, bufB, bufA, innerExtra, batch, inverse: false);
        Span<T> spec = spectrum.Overlaps(bufA) ? bufA : bufB;
        if (single) MultiplyElementwise(spec, spec, filterSplit.Re, filterSplit.Im, conjugate: false);
        else
        {
            for (int k = 0; k < m; k++)
            {
                Span<T> rowK = spec.Slice(k * rowLength, rowLength);
                RowTwiddle(rowK, rowK, filter, k);
            }
        }
        Span<T> other = spec == bufA ? bufB : bufA;
        ReadOnlySpan<T> conv = bs.Inner.Run(spec, other, spec, innerExtra, batch, inverse: true);

        // X_k = w_k · conv_k.
        if (single)
        {
            MultiplyElementwise(conv.Slice(0, 2 * n), destination, bs.ChirpSplit.Re, bs.ChirpSplit.Im, conjugate: inverse);
        }
        else
        {
            for (int k = 0; k < n; k++)
            {
                RowTwiddle(conv.Slice(k * rowLength, rowLength), destination.Slice(k * rowLength, rowLength), chirp, k);
            }
        }
    }

    /// <summary>
    /// <c>destination[i] = source[i] · w[i]</c> (or <c>· conj w[i]</c>) for every complex number, with w held as
    /// split pair tables <c>re[2i] = re[2i+1] = w.re</c>, <c>im[2i] = −w.im</c>, <c>im[2i+1] = w.im</c>.
    /// <paramref name="source"/> and <paramref name="destination"/> may be the same span.
    /// </summary>
    private static void MultiplyElementwise(ReadOnlySpan<T> source, Span<T> destination, T[] re, T[] im, bool conjugate)
    {
        int count = source.Length / 2;
        ref T s = ref MemoryMarshal.GetReference(source);
        ref T d = ref MemoryMarshal.GetReference(destination);
        ref T wr = ref MemoryMarshal.GetArrayDataReference(re);
        ref T wi = ref MemoryMarshal.GetArrayDataReference(im);
        int done = 0;
        if (ComplexVector512<T>.IsSupported && count >= ComplexVector512<T>.Count)
            done = MultiplyElementwise<ComplexVector512<T>>(ref s, ref d, ref wr, ref wi, count, conjugate);
        else if (ComplexVector256<T>.IsSupported && count >= ComplexVector256<T>.Count)
            done = MultiplyElementwise<ComplexVector256<T>>(ref s, ref d, ref wr, ref wi, count, conjugate);
        else if (ComplexVector128<T>.IsSupported && count >= ComplexVector128<T>.Count)
            done = MultiplyElementwise<ComplexVector128<T>>(ref s, ref d, ref wr, ref wi, count, conjugate);
        MultiplyElementwise<ComplexScalar<T>>(ref Unsafe.Add(ref s, 2 * done), ref Unsafe.Add(ref d, 2 * done),
            ref Unsafe.Add(ref wr, 2 * done), ref Unsafe.Add(ref wi, 2 * done), count - done, conjugate);
    }

    // v·w = v·(w.re, w.re) + swap(v)·(−w.im, w.im); v·conj(w) = v·(w.re, w.re) − swap(v)·(−w.im, w.im).
    private static int MultiplyElementwise<TV>(ref T s, ref T d, ref T wr, ref T wi, int count, bool conjugate)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        int i = 0;
        if (conjugate)
        {
            for (; i + TV.Count <= count; i += TV.Count)
            {
                TV v = TV.Load(ref Unsafe.Add(ref s, 2 * i));
                TV.Store(ref Unsafe.Add(ref d, 2 * i),
                    v * TV.Load(ref Unsafe.Add(ref wr, 2 * i)) - TV.Swap(v) * TV.Load(ref Unsafe.Add(ref wi, 2 * i)));
            }
        }
        else
        {
            for (; i + TV.Count <= count; i += TV.Count)
            {
                TV v = TV.Load(ref Unsafe.Add(ref s, 2 * i));
                TV.Store(ref Unsafe.Add(ref d, 2 * i),
                    TV.MultiplyAdd(TV.Swap(v), TV.Load(ref Unsafe.Add(ref wi, 2 * i)), v * TV.Load(ref Unsafe.Add(ref wr, 2 * i))));
            }
        }
        return i;
    }

    /// <summary><c>destination = source · w[index]</c> for one row of complex numbers (w as twiddle quadruples).</summary>
    private static void RowTwiddle(ReadOnlySpan<T> source, Span<T> destination, T[] table, int index)
    {
        int batch = source.Length / 2;
        ref T s = ref MemoryMarshal.GetReference(source);
        ref T d = ref MemoryMarshal.GetReference(destination);
        ref T w = ref table[4 * index];
        if (ComplexVector512<T>.IsSupported && batch >= ComplexVector512<T>.Count) RowTwiddle<ComplexVector512<T>>(ref s, ref d, ref w, batch);
        else if (ComplexVector256<T>.IsSupported && batch >= ComplexVector256<T>.Count) RowTwiddle<ComplexVector256<T>>(ref s, ref d, ref w, batch);
        else if (ComplexVector128<T>.IsSupported && batch >= ComplexVector128<T>.Count) RowTwiddle<ComplexVector128<T>>(ref s, ref d, ref w, batch);
        else RowTwiddle<ComplexScalar<T>>(ref s, ref d, ref w, batch);
    }

    private static void RowTwiddle<TV>(ref T s, ref T d, ref T w, int batch)
        where TV : unmanaged, IComplexVector<TV, T>
    {
        ComplexVector.LoadTwiddle(ref w, out TV wr, out TV wi);
        nint row = 2 * batch, width = 2 * TV.Count, last = row - width;
        // In place (s == d) the overlapping last register would twiddle some values twice: finish with scalars.
        bool inPlace = Unsafe.AreSame(ref s, ref d);
        nint x = 0;
        for (; x <= last; x += width)
        {
            TV.Store(ref Unsafe.Add(ref d, x), ComplexVector.Twiddle<TV, T>(TV.Load(ref Unsafe.Add(ref s, x)), wr, wi));
        }
        if (x < row)
        {
            if (!inPlace)
            {
                TV.Store(ref Unsafe.Add(ref d, last), ComplexVector.Twiddle<TV, T>(TV.Load(ref Unsafe.Add(ref s, last)), wr, wi));
            }
            else
            {
                ComplexVector.LoadTwiddle(ref w, out ComplexScalar<T> sr, out ComplexScalar<T> si);
                for (; x < row; x += 2)
                {
                    ComplexScalar<T>.Store(ref Unsafe.Add(ref d, x),
                        ComplexVector.Twiddle<ComplexScalar<T>, T>(ComplexScalar<T>.Load(ref Unsafe.Add(ref s, x)), sr, si));
                }
            }
        }
    }

    // ---- Tables ------------------------------------------------------------------------------------------

    /// <summary>e^{−2πi·num/den} in double, with the exponent reduced exactly first.</summary>
    internal static (double Re, double Im) UnitRoot(long num, long den)
    {
        (double sin, double cos) = Math.SinCos(2 * Math.PI * (num % den) / den);
        return (cos, -sin);
    }

    /// <summary>Packs complex numbers as quadruples (re, re, −im, im); <paramref name="inverse"/> conjugates them.</summary>
    internal static T[] PackTwiddles(IReadOnlyList<(double Re, double Im)> values, bool inverse)
    {
        var table = new T[4 * values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            double im = inverse ? -values[i].Im : values[i].Im;
            table[4 * i] = T.CreateChecked(values[i].Re);
            table[4 * i + 1] = T.CreateChecked(values[i].Re);
            table[4 * i + 2] = T.CreateChecked(-im);
            table[4 * i + 3] = T.CreateChecked(im);
        }
        return table;
    }

    /// <summary>Split pair tables (re, re) and (−im, im) per complex number, for <see cref="MultiplyElementwise"/>.</summary>
    internal static (T[] Re, T[] Im) SplitPairs(IReadOnlyList<(double Re, double Im)> values)
    {
        var re = new T[2 * values.Count];
        var im = new T[2 * values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            re[2 * i] = re[2 * i + 1] = T.CreateChecked(values[i].Re);
            im[2 * i] = T.CreateChecked(-values[i].Im);
            im[2 * i + 1] = T.CreateChecked(values[i].Im);
        }
        return (re, im);
    }

    /// <summary>Prime factors of <paramref name="n"/>, ascending, with multiplicity.</summary>
    internal static List<int> Factor(int n)
    {
        var factors = new List<int>();
        for (int f = 2; (long)f * f <= n; f++)
        {
            while (n % f == 0)
            {
                factors.Add(f);
                n /= f;
            }
        }
        if (n > 1) factors.Add(n);
        return factors;
    }
}
