using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Intriguing.Spectral;

/// <summary>
/// Complex dense kernels of <see cref="ConvolutionNorm"/> on split storage (real and imaginary parts in separate
/// row-major arrays, rows padded with zeros to a multiple of four doubles): the Gram matrix B·Bᴴ and the
/// Cholesky factorisation that certifies a bound on its largest eigenvalue. Vector256 of double (software fallback
/// where not accelerated); fixed reduction order, so results do not depend on the thread that runs them.
/// </summary>
internal static unsafe class ConvolutionNormKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c)
        => Vector256.FusedMultiplyAdd(a, b, c);

    /// <summary>c − a·b with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Fnma(Vector256<double> a, Vector256<double> b, Vector256<double> c)
        => System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAddNegated(a, b, c) : Vector256.FusedMultiplyAdd(-a, b, c);

    /// <summary>
    /// G = B·Bᴴ for the nPad × mPad complex B (nPad even, mPad a multiple of 4, padding zero): entries (i, j) with
    /// j ≤ i + 1 in 2 × 2 blocks; <c>G_ij = Σ_k B_ik·conj(B_jk)</c>, i.e.
    /// <c>Re = Σ Br_i·Br_j + Bi_i·Bi_j</c>, <c>Im = Σ Bi_i·Br_j − Br_i·Bi_j</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GramLower(double* br, double* bi, int nPad, int mPad, double* gr, double* gi, int gStride)
    {
        for (int i = 0; i < nPad; i += 2)
        {
            double* a0r = br + (long)i * mPad, a0i = bi + (long)i * mPad;
            double* a1r = a0r + mPad, a1i = a0i + mPad;
            for (int j = 0; j <= i; j += 2)
            {
                double* b0r = br + (long)j * mPad, b0i = bi + (long)j * mPad;
                double* b1r = b0r + mPad, b1i = b0i + mPad;
                Vector256<double> r00 = default, i00 = default, r01 = default, i01 = default;
                Vector256<double> r10 = default, i10 = default, r11 = default, i11 = default;
                for (int k = 0; k < mPad; k += 4)
                {
                    Vector256<double> x0r = Vector256.Load(a0r + k), x0i = Vector256.Load(a0i + k);
                    Vector256<double> x1r = Vector256.Load(a1r + k), x1i = Vector256.Load(a1i + k);
                    Vector256<double> y0r = Vector256.Load(b0r + k), y0i = Vector256.Load(b0i + k);
                    Vector256<double> y1r = Vector256.Load(b1r + k), y1i = Vector256.Load(b1i + k);
                    r00 = Fma(x0r, y0r, r00); r00 = Fma(x0i, y0i, r00);
                    i00 = Fma(x0i, y0r, i00); i00 = Fnma(x0r, y0i, i00);
                    r01 = Fma(x0r, y1r, r01); r01 = Fma(x0i, y1i, r01);
                    i01 = Fma(x0i, y1r, i01); i01 = Fnma(x0r, y1i, i01);
                    r10 = Fma(x1r, y0r, r10); r10 = Fma(x1i, y0i, r10);
                    i10 = Fma(x1i, y0r, i10); i10 = Fnma(x1r, y0i, i10);
                    r11 = Fma(x1r, y1r, r11); r11 = Fma(x1i, y1i, r11);
                    i11 = Fma(x1i, y1r, i11); i11 = Fnma(x1r, y1i, i11);
                }

                long p = (long)i * gStride + j;
                gr[p] = Vector256.Sum(r00); gi[p] = Vector256.Sum(i00);
                gr[p + 1] = Vector256.Sum(r01); gi[p + 1] = Vector256.Sum(i01);
                gr[p + gStride] = Vector256.Sum(r10); gi[p + gStride] = Vector256.Sum(i10);
                gr[p + gStride + 1] = Vector256.Sum(r11); gi[p + gStride + 1] = Vector256.Sum(i11);
            }
        }
    }

    /// <summary>
    /// In-place Cholesky–Crout factorisation M = L·Lᴴ of the Hermitian n × n matrix whose lower triangle (with a
    /// real diagonal) is stored in (lr, li). Returns false as soon as a pivot is not positive; otherwise L
    /// overwrites the lower triangle and <paramref name="frobeniusSquared"/> is Σ|L_ij|² (for the rounding bound).
    /// </summary>
    /// <remarks>Row i: <c>L_ij = (M_ij − Σ_{k&lt;j} L_ik·conj(L_jk)) / L_jj</c> for j &lt; i, then
    /// <c>L_ii = √(M_ii − Σ_{k&lt;i} |L_ik|²)</c>. Rows are contiguous, so every inner sum is a SIMD dot product.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool CholeskyLower(double* lr, double* li, int n, int stride, out double frobeniusSquared)
    {
        double frob = 0;
        for (int i = 0; i < n; i++)
        {
            double* ir = lr + (long)i * stride, ii = li + (long)i * stride;
            int j = 0;

            // Two columns at a time: the row-i loads are shared by the dot products with rows j and j + 1.
            for (; j + 1 < i; j += 2)
            {
                double* jr = lr + (long)j * stride, ji = li + (long)j * stride;
                double* hr = jr + stride, hi = ji + stride;
                Vector256<double> r0 = default, i0 = default, r1 = default, i1 = default;
                int k = 0;
                for (; k + 4 <= j; k += 4)
                {
                    Vector256<double> ar = Vector256.Load(ir + k), ai = Vector256.Load(ii + k);
                    Vector256<double> br = Vector256.Load(jr + k), bi = Vector256.Load(ji + k);
                    Vector256<double> cr = Vector256.Load(hr + k), ci = Vector256.Load(hi + k);
                    r0 = Fma(ar, br, r0); r0 = Fma(ai, bi, r0);
                    i0 = Fma(ai, br, i0); i0 = Fnma(ar, bi, i0);
                    r1 = Fma(ar, cr, r1); r1 = Fma(ai, ci, r1);
                    i1 = Fma(ai, cr, i1); i1 = Fnma(ar, ci, i1);
                }

                double s0r = Vector256.Sum(r0), s0i = Vector256.Sum(i0), s1r = Vector256.Sum(r1), s1i = Vector256.Sum(i1);
                for (; k < j; k++)
                {
                    s0r += ir[k] * jr[k] + ii[k] * ji[k];
                    s0i += ii[k] * jr[k] - ir[k] * ji[k];
                    s1r += ir[k] * hr[k] + ii[k] * hi[k];
                    s1i += ii[k] * hr[k] - ir[k] * hi[k];
                }

                double d = jr[j];
                double vr = (ir[j] - s0r) / d, vi = (ii[j] - s0i) / d;
                ir[j] = vr;
                ii[j] = vi;
                frob += vr * vr + vi * vi;

                // The k = j term of row j + 1: L_ij·conj(L_{j+1,j}).
                s1r += vr * hr[j] + vi * hi[j];
                s1i += vi * hr[j] - vr * hi[j];
                d = hr[j + 1];
                vr = (ir[j + 1] - s1r) / d;
                vi = (ii[j + 1] - s1i) / d;
                ir[j + 1] = vr;
                ii[j + 1] = vi;
                frob += vr * vr + vi * vi;
            }

            for (; j <= i; j++)
            {
                double* jr = lr + (long)j * stride, ji = li + (long)j * stride;
                Vector256<double> accR = default, accI = default;
                int k = 0;
                for (; k + 4 <= j; k += 4)
                {
                    Vector256<double> ar = Vector256.Load(ir + k), ai = Vector256.Load(ii + k);
                    Vector256<double> br = Vector256.Load(jr + k), bi = Vector256.Load(ji + k);
                    accR = Fma(ar, br, accR); accR = Fma(ai, bi, accR);
                    accI = Fma(ai, br, accI); accI = Fnma(ar, bi, accI);
                }

                double sr = Vector256.Sum(accR), si = Vector256.Sum(accI);
                for (; k < j; k++)
                {
                    sr += ir[k] * jr[k] + ii[k] * ji[k];
                    si += ii[k] * jr[k] - ir[k] * ji[k];
                }

                if (j < i)
                {
                    double d = jr[j];
                    double vr = (ir[j] - sr) / d, vi = (ii[j] - si) / d;
                    ir[j] = vr;
                    ii[j] = vi;
                    frob += vr * vr + vi * vi;
                }
                else
                {
                    double d = ir[i] - sr;
                    if (!(d > 0))
                    {
                        frobeniusSquared = frob;
                        return false;
                    }

                    d = Math.Sqrt(d);
                    ir[i] = d;
                    ii[i] = 0;
                    frob += d * d;
                }
            }
        }

        frobeniusSquared = frob;
        return true;
    }

    /// <summary>t = Bᴴ·x for the n × m complex B (row stride <paramref name="stride"/>): <c>t_k = Σ_i conj(B_ik)·x_i</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdjoint(double* br, double* bi, int n, int m, int stride, ReadOnlySpan<double> xr, ReadOnlySpan<double> xi, Span<double> tr, Span<double> ti)
    {
        tr.Slice(0, m).Clear();
        ti.Slice(0, m).Clear();
        fixed (double* pr = tr, pi = ti)
        {
            for (int i = 0; i < n; i++)
            {
                double* rr = br + (long)i * stride, ri = bi + (long)i * stride;
                double cr = xr[i], ci = xi[i];
                Vector256<double> vcr = Vector256.Create(cr), vci = Vector256.Create(ci);
                int k = 0;
                for (; k + 4 <= m; k += 4)
                {
                    Vector256<double> a = Vector256.Load(rr + k), b = Vector256.Load(ri + k);
                    // (a − i·b)(cr + i·ci) = (a·cr + b·ci) + i(a·ci − b·cr)
                    Fma(b, vci, Fma(a, vcr, Vector256.Load(pr + k))).Store(pr + k);
                    Fnma(b, vcr, Fma(a, vci, Vector256.Load(pi + k))).Store(pi + k);
                }

                for (; k < m; k++)
                {
                    pr[k] += rr[k] * cr + ri[k] * ci;
                    pi[k] += rr[k] * ci - ri[k] * cr;
                }
            }
        }
    }

    /// <summary>x = B·t for the n × m complex B: <c>x_i = Σ_k B_ik·t_k</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(double* br, double* bi, int n, int m, int stride, ReadOnlySpan<double> tr, ReadOnlySpan<double> ti, Span<double> xr, Span<double> xi)
    {
        fixed (double* pr = tr, pi = ti)
        {
            for (int i = 0; i < n; i++)
            {
                double* rr = br + (long)i * stride, ri = bi + (long)i * stride;
                Vector256<double> sr = default, si = default;
                int k = 0;
                for (; k + 4 <= m; k += 4)
                {
                    Vector256<double> a = Vector256.Load(rr + k), b = Vector256.Load(ri + k);
                    Vector256<double> c = Vector256.Load(pr + k), d = Vector256.Load(pi + k);
                    // (a + i·b)(c + i·d) = (a·c − b·d) + i(a·d + b·c)
                    sr = Fnma(b, d, Fma(a, c, sr));
                    si = Fma(b, c, Fma(a, d, si));
                }

                double r = Vector256.Sum(sr), im = Vector256.Sum(si);
                for (; k < m; k++)
                {
                    r += rr[k] * pr[k] - ri[k] * pi[k];
                    im += rr[k] * pi[k] + ri[k] * pr[k];
                }

                xr[i] = r;
                xi[i] = im;
            }
        }
    }

    /// <summary>dst[2i] += x[i]·cr, dst[2i + 1] += x[i]·ci: a real vector times a complex scalar, added to an interleaved complex vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRealTimesComplex(ReadOnlySpan<double> x, double cr, double ci, Span<double> dst)
    {
        if (dst.Length < 2 * x.Length) throw new ArgumentException("dst must hold 2·x.Length values.", nameof(dst));
        int i = 0;
        fixed (double* px = x, pd = dst)
        {
            Vector256<double> c = Vector256.Create(cr, ci, cr, ci);
            for (; i + 2 <= x.Length; i += 2)
            {
                Vector256<double> v = Vector256.Create(px[i], px[i], px[i + 1], px[i + 1]);
                Fma(v, c, Vector256.Load(pd + 2 * i)).Store(pd + 2 * i);
            }

            for (; i < x.Length; i++)
            {
                pd[2 * i] += px[i] * cr;
                pd[2 * i + 1] += px[i] * ci;
            }
        }
    }

    /// <summary>dst += x·(cr + i·ci) for interleaved complex vectors x and dst (same length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddComplexTimesComplex(ReadOnlySpan<double> x, double cr, double ci, Span<double> dst)
    {
        int i = 0;
        fixed (double* px = x, pd = dst)
        {
            // (xr + i·xi)(cr + i·ci) = (xr·cr − xi·ci) + i(xr·ci + xi·cr): x·cr + swap(x)·(−ci, ci).
            Vector256<double> vcr = Vector256.Create(cr), vci = Vector256.Create(-ci, ci, -ci, ci);
            for (; i + 4 <= x.Length; i += 4)
            {
                Vector256<double> v = Vector256.Load(px + i);
                Vector256<double> swapped = Vector256.Shuffle(v, Vector256.Create(1L, 0, 3, 2));
                Fma(swapped, vci, Fma(v, vcr, Vector256.Load(pd + i))).Store(pd + i);
            }

            for (; i < x.Length; i += 2)
            {
                double xr = px[i], xi = px[i + 1];
                pd[i] += xr * cr - xi * ci;
                pd[i + 1] += xr * ci + xi * cr;
            }
        }
    }

    /// <summary>
    /// M += X·Yᵀ for real row-major X, Y of nPad × len (nPad and len multiples of 4; M of nPad × nPad with row
    /// stride <paramref name="mStride"/>): <c>M_ij += Σ_k X_ik·Y_jk</c>, in 4 × 2 blocks of dot products.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RealABtAccumulate(double* x, double* y, int nPad, int len, double* m, int mStride)
    {
        for (int i = 0; i < nPad; i += 4)
        {
            double* x0 = x + (long)i * len, x1 = x0 + len, x2 = x1 + len, x3 = x2 + len;
            for (int j = 0; j < nPad; j += 2)
            {
                double* y0 = y + (long)j * len, y1 = y0 + len;
                Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector256<double> a20 = default, a21 = default, a30 = default, a31 = default;
                for (int k = 0; k < len; k += 4)
                {
                    Vector256<double> v0 = Vector256.Load(y0 + k), v1 = Vector256.Load(y1 + k);
                    Vector256<double> u = Vector256.Load(x0 + k);
                    a00 = Fma(u, v0, a00); a01 = Fma(u, v1, a01);
                    u = Vector256.Load(x1 + k);
                    a10 = Fma(u, v0, a10); a11 = Fma(u, v1, a11);
                    u = Vector256.Load(x2 + k);
                    a20 = Fma(u, v0, a20); a21 = Fma(u, v1, a21);
                    u = Vector256.Load(x3 + k);
                    a30 = Fma(u, v0, a30); a31 = Fma(u, v1, a31);
                }

                double* mr = m + (long)i * mStride + j;
                mr[0] += Vector256.Sum(a00); mr[1] += Vector256.Sum(a01); mr += mStride;
                mr[0] += Vector256.Sum(a10); mr[1] += Vector256.Sum(a11); mr += mStride;
                mr[0] += Vector256.Sum(a20); mr[1] += Vector256.Sum(a21); mr += mStride;
                mr[0] += Vector256.Sum(a30); mr[1] += Vector256.Sum(a31);
            }
        }
    }

    /// <summary>
    /// Four Gram matrices at once (rows i &lt; n, columns j ≤ i rounded up to a multiple of 4):
    /// <c>Re G_b = S₀ + Σ_{t≥1} S_t·cos_bt</c>, <c>Im G_b = Σ_{t≥1} K_t·sin_bt</c>, with S_t at <c>sk + 2t·matrix</c>,
    /// K_t at <c>sk + (2t + 1)·matrix</c>, cos_bt = coefficients[b·deltas + t], sin_bt = coefficients[(4 + b)·deltas + t],
    /// G_b at <c>b·matrix</c> of (gr, gi).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SynthesizeBatch(double* sk, int deltas, long matrix, int n, int stride, double* coefficients, double* gr, double* gi)
    {
        double* cos0 = coefficients, cos1 = cos0 + deltas, cos2 = cos1 + deltas, cos3 = cos2 + deltas;
        double* sin0 = cos3 + deltas, sin1 = sin0 + deltas, sin2 = sin1 + deltas, sin3 = sin2 + deltas;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j += 4)
            {
                long at = (long)i * stride + j;
                Vector256<double> s0 = Vector256.Load(sk + at);
                Vector256<double> r0 = s0, r1 = s0, r2 = s0, r3 = s0;
                Vector256<double> q0 = default, q1 = default, q2 = default, q3 = default;
                for (int t = 1; t < deltas; t++)
                {
                    Vector256<double> s = Vector256.Load(sk + 2 * t * matrix + at);
                    Vector256<double> k = Vector256.Load(sk + (2 * t + 1) * matrix + at);
                    r0 = Fma(s, Vector256.Create(cos0[t]), r0);
                    r1 = Fma(s, Vector256.Create(cos1[t]), r1);
                    r2 = Fma(s, Vector256.Create(cos2[t]), r2);
                    r3 = Fma(s, Vector256.Create(cos3[t]), r3);
                    q0 = Fma(k, Vector256.Create(sin0[t]), q0);
                    q1 = Fma(k, Vector256.Create(sin1[t]), q1);
                    q2 = Fma(k, Vector256.Create(sin2[t]), q2);
                    q3 = Fma(k, Vector256.Create(sin3[t]), q3);
                }

                r0.Store(gr + at); q0.Store(gi + at);
                r1.Store(gr + matrix + at); q1.Store(gi + matrix + at);
                r2.Store(gr + 2 * matrix + at); q2.Store(gi + 2 * matrix + at);
                r3.Store(gr + 3 * matrix + at); q3.Store(gi + 3 * matrix + at);
            }
        }
    }

    /// <summary>
    /// One pass of modified Gram–Schmidt: for each of the <paramref name="count"/> complex vectors q (split, each of
    /// length len, back to back), w −= (qᴴw)·q.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OrthogonalizeAgainst(double* qr, double* qi, int len, int count, double* wr, double* wi)
    {
        for (int q = 0; q < count; q++)
        {
            double* ar = qr + (long)q * len, ai = qi + (long)q * len;
            Vector256<double> sr = default, si = default;
            int k = 0;
            for (; k + 4 <= len; k += 4)
            {
                Vector256<double> xr = Vector256.Load(ar + k), xi = Vector256.Load(ai + k);
                Vector256<double> yr = Vector256.Load(wr + k), yi = Vector256.Load(wi + k);
                // qᴴw = Σ (xr − i·xi)(yr + i·yi) = Σ (xr·yr + xi·yi) + i(xr·yi − xi·yr)
                sr = Fma(xi, yi, Fma(xr, yr, sr));
                si = Fnma(xi, yr, Fma(xr, yi, si));
            }

            double cr = Vector256.Sum(sr), ci = Vector256.Sum(si);
            for (int t = k; t < len; t++)
            {
                cr += ar[t] * wr[t] + ai[t] * wi[t];
                ci += ar[t] * wi[t] - ai[t] * wr[t];
            }

            // w −= (cr + i·ci)(xr + i·xi) = (cr·xr − ci·xi) + i(cr·xi + ci·xr)
            Vector256<double> vcr = Vector256.Create(cr), vci = Vector256.Create(ci);
            k = 0;
            for (; k + 4 <= len; k += 4)
            {
                Vector256<double> xr = Vector256.Load(ar + k), xi = Vector256.Load(ai + k);
                Fma(xi, vci, Fnma(xr, vcr, Vector256.Load(wr + k))).Store(wr + k);
                Fnma(xr, vci, Fnma(xi, vcr, Vector256.Load(wi + k))).Store(wi + k);
            }

            for (; k < len; k++)
            {
                double xr = ar[k], xi = ai[k];
                wr[k] -= cr * xr - ci * xi;
                wi[k] -= cr * xi + ci * xr;
            }
        }
    }
}
