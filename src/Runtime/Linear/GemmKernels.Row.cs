using System.Runtime.CompilerServices;

namespace Intriguing.Linear;

internal static unsafe partial class GemmKernels
{
    /// <summary>Columns of <see cref="DotRow8{TOps, TVec}"/>.</summary>
    internal const int RowDotColumns = 8;

    /// <summary>
    /// One row of A against eight rows of B: C[0, j] (+)= dot(A row, B row j) for j &lt; 8, with the arithmetic of
    /// <see cref="DotTile{TOps, TVec, TRows, TCols}"/> for every element (the same fused multiply-adds in the same order, the
    /// same masked last vector, the same sum), so the results are those of the 1 × 4 tiles bit for bit. Eight independent
    /// accumulators instead of four keep both FMA pipes busy when A has a single row (a matrix-vector product). Needs k ≥ Width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DotRow8<TOps, TVec>(int k, float* a, float* b, nint ldb, float* c, bool overwrite)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        int width = TOps.Width;
        TVec d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero, d4 = TOps.Zero, d5 = TOps.Zero, d6 = TOps.Zero, d7 = TOps.Zero;
        int p = 0;
        for (; p <= k - width; p += width)
        {
            TVec x = TOps.Load(a + p);
            d0 = TOps.MultiplyAdd(x, TOps.Load(b + p), d0);
            d1 = TOps.MultiplyAdd(x, TOps.Load(b + 1 * ldb + p), d1);
            d2 = TOps.MultiplyAdd(x, TOps.Load(b + 2 * ldb + p), d2);
            d3 = TOps.MultiplyAdd(x, TOps.Load(b + 3 * ldb + p), d3);
            d4 = TOps.MultiplyAdd(x, TOps.Load(b + 4 * ldb + p), d4);
            d5 = TOps.MultiplyAdd(x, TOps.Load(b + 5 * ldb + p), d5);
            d6 = TOps.MultiplyAdd(x, TOps.Load(b + 6 * ldb + p), d6);
            d7 = TOps.MultiplyAdd(x, TOps.Load(b + 7 * ldb + p), d7);
        }

        if (p < k)
        {
            // As in DotTile: the last Width values end at k, the lanes counted already masked to zero on both sides.
            int fresh = k - p;
            p = k;
            TVec x = TOps.LoadLastMasked(a + p, fresh);
            d0 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + p, fresh), d0);
            d1 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 1 * ldb + p, fresh), d1);
            d2 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 2 * ldb + p, fresh), d2);
            d3 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 3 * ldb + p, fresh), d3);
            d4 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 4 * ldb + p, fresh), d4);
            d5 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 5 * ldb + p, fresh), d5);
            d6 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 6 * ldb + p, fresh), d6);
            d7 = TOps.MultiplyAdd(x, TOps.LoadLastMasked(b + 7 * ldb + p, fresh), d7);
        }

        c[0] = overwrite ? TOps.Sum(d0) : c[0] + TOps.Sum(d0);
        c[1] = overwrite ? TOps.Sum(d1) : c[1] + TOps.Sum(d1);
        c[2] = overwrite ? TOps.Sum(d2) : c[2] + TOps.Sum(d2);
        c[3] = overwrite ? TOps.Sum(d3) : c[3] + TOps.Sum(d3);
        c[4] = overwrite ? TOps.Sum(d4) : c[4] + TOps.Sum(d4);
        c[5] = overwrite ? TOps.Sum(d5) : c[5] + TOps.Sum(d5);
        c[6] = overwrite ? TOps.Sum(d6) : c[6] + TOps.Sum(d6);
        c[7] = overwrite ? TOps.Sum(d7) : c[7] + TOps.Sum(d7);
    }
}
