// Written by GemmKernels.Generate.py. Tile kernels, unrolled over the largest tile (14 rows × 4 vectors, 4 × 4 dot products);
// accumulators an instantiation does not use fold away.
using System.Runtime.CompilerServices;

namespace Intriguing.Linear;

internal static unsafe partial class GemmKernels
{
    /// <summary>
    /// Register-blocked tile: C[r, j] (+)= Σ_p A[r, p]·B[p, j] for r &lt; TRows, j &lt; TVectors·Width, p &lt; kc.
    /// </summary>
    /// <remarks>
    /// Computes <c>tiles</c> tiles stacked downwards (A advancing by <c>aStep</c>, C by TRows rows), sharing the B panel.
    /// Scalar formula for one element: <c>acc = 0; for p in 0..kc: acc = fma(A[r,p], B[p,j], acc); C[r,j] = overwrite ? acc : C[r,j] + acc</c>.
    /// A[r, p] is read at <c>a + r·rsA + p·csA</c> and broadcast; row p of B is TVectors contiguous vectors at <c>b + p·ldb</c>.
    /// Every lane does the same operations in the same order whatever the tile shape, so the result of an element does not
    /// depend on which tile (or thread) computes it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile<TOps, TVec, TRows, TVectors>(int tiles, nint aStep, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TRows : IConstant
        where TVectors : IConstant
    {
        nint width = TOps.Width;
        for (; tiles > 0; tiles--, a += aStep, c += TRows.Value * ldc)
        {
            TVec c0_0 = TOps.Zero, c0_1 = TOps.Zero, c0_2 = TOps.Zero, c0_3 = TOps.Zero;
            TVec c1_0 = TOps.Zero, c1_1 = TOps.Zero, c1_2 = TOps.Zero, c1_3 = TOps.Zero;
            TVec c2_0 = TOps.Zero, c2_1 = TOps.Zero, c2_2 = TOps.Zero, c2_3 = TOps.Zero;
            TVec c3_0 = TOps.Zero, c3_1 = TOps.Zero, c3_2 = TOps.Zero, c3_3 = TOps.Zero;
            TVec c4_0 = TOps.Zero, c4_1 = TOps.Zero, c4_2 = TOps.Zero, c4_3 = TOps.Zero;
            TVec c5_0 = TOps.Zero, c5_1 = TOps.Zero, c5_2 = TOps.Zero, c5_3 = TOps.Zero;
            TVec c6_0 = TOps.Zero, c6_1 = TOps.Zero, c6_2 = TOps.Zero, c6_3 = TOps.Zero;
            TVec c7_0 = TOps.Zero, c7_1 = TOps.Zero, c7_2 = TOps.Zero, c7_3 = TOps.Zero;
            TVec c8_0 = TOps.Zero, c8_1 = TOps.Zero, c8_2 = TOps.Zero, c8_3 = TOps.Zero;
            TVec c9_0 = TOps.Zero, c9_1 = TOps.Zero, c9_2 = TOps.Zero, c9_3 = TOps.Zero;
            TVec c10_0 = TOps.Zero, c10_1 = TOps.Zero, c10_2 = TOps.Zero, c10_3 = TOps.Zero;
            TVec c11_0 = TOps.Zero, c11_1 = TOps.Zero, c11_2 = TOps.Zero, c11_3 = TOps.Zero;
            TVec c12_0 = TOps.Zero, c12_1 = TOps.Zero, c12_2 = TOps.Zero, c12_3 = TOps.Zero;
            TVec c13_0 = TOps.Zero, c13_1 = TOps.Zero, c13_2 = TOps.Zero, c13_3 = TOps.Zero;
            float* ap = a;
            float* bp = b;
            for (int p = 0; p < kc; p++)
            {
                TVec b0 = TOps.Load(bp);
                TVec b1 = TVectors.Value > 1 ? TOps.Load(bp + 1 * width) : TOps.Zero;
                TVec b2 = TVectors.Value > 2 ? TOps.Load(bp + 2 * width) : TOps.Zero;
                TVec b3 = TVectors.Value > 3 ? TOps.Load(bp + 3 * width) : TOps.Zero;
                if (TRows.Value > 0)
                {
                    TVec x = TOps.Broadcast(ap);
                    c0_0 = TOps.MultiplyAdd(x, b0, c0_0);
                    if (TVectors.Value > 1) c0_1 = TOps.MultiplyAdd(x, b1, c0_1);
                    if (TVectors.Value > 2) c0_2 = TOps.MultiplyAdd(x, b2, c0_2);
                    if (TVectors.Value > 3) c0_3 = TOps.MultiplyAdd(x, b3, c0_3);
                }
                if (TRows.Value > 1)
                {
                    TVec x = TOps.Broadcast(ap + 1 * rsA);
                    c1_0 = TOps.MultiplyAdd(x, b0, c1_0);
                    if (TVectors.Value > 1) c1_1 = TOps.MultiplyAdd(x, b1, c1_1);
                    if (TVectors.Value > 2) c1_2 = TOps.MultiplyAdd(x, b2, c1_2);
                    if (TVectors.Value > 3) c1_3 = TOps.MultiplyAdd(x, b3, c1_3);
                }
                if (TRows.Value > 2)
                {
                    TVec x = TOps.Broadcast(ap + 2 * rsA);
                    c2_0 = TOps.MultiplyAdd(x, b0, c2_0);
                    if (TVectors.Value > 1) c2_1 = TOps.MultiplyAdd(x, b1, c2_1);
                    if (TVectors.Value > 2) c2_2 = TOps.MultiplyAdd(x, b2, c2_2);
                    if (TVectors.Value > 3) c2_3 = TOps.MultiplyAdd(x, b3, c2_3);
                }
                if (TRows.Value > 3)
                {
                    TVec x = TOps.Broadcast(ap + 3 * rsA);
                    c3_0 = TOps.MultiplyAdd(x, b0, c3_0);
                    if (TVectors.Value > 1) c3_1 = TOps.MultiplyAdd(x, b1, c3_1);
                    if (TVectors.Value > 2) c3_2 = TOps.MultiplyAdd(x, b2, c3_2);
                    if (TVectors.Value > 3) c3_3 = TOps.MultiplyAdd(x, b3, c3_3);
                }
                if (TRows.Value > 4)
                {
                    TVec x = TOps.Broadcast(ap + 4 * rsA);
                    c4_0 = TOps.MultiplyAdd(x, b0, c4_0);
                    if (TVectors.Value > 1) c4_1 = TOps.MultiplyAdd(x, b1, c4_1);
                    if (TVectors.Value > 2) c4_2 = TOps.MultiplyAdd(x, b2, c4_2);
                    if (TVectors.Value > 3) c4_3 = TOps.MultiplyAdd(x, b3, c4_3);
                }
                if (TRows.Value > 5)
                {
                    TVec x = TOps.Broadcast(ap + 5 * rsA);
                    c5_0 = TOps.MultiplyAdd(x, b0, c5_0);
                    if (TVectors.Value > 1) c5_1 = TOps.MultiplyAdd(x, b1, c5_1);
                    if (TVectors.Value > 2) c5_2 = TOps.MultiplyAdd(x, b2, c5_2);
                    if (TVectors.Value > 3) c5_3 = TOps.MultiplyAdd(x, b3, c5_3);
                }
                if (TRows.Value > 6)
                {
                    TVec x = TOps.Broadcast(ap + 6 * rsA);
                    c6_0 = TOps.MultiplyAdd(x, b0, c6_0);
                    if (TVectors.Value > 1) c6_1 = TOps.MultiplyAdd(x, b1, c6_1);
                    if (TVectors.Value > 2) c6_2 = TOps.MultiplyAdd(x, b2, c6_2);
                    if (TVectors.Value > 3) c6_3 = TOps.MultiplyAdd(x, b3, c6_3);
                }
                if (TRows.Value > 7)
                {
                    TVec x = TOps.Broadcast(ap + 7 * rsA);
                    c7_0 = TOps.MultiplyAdd(x, b0, c7_0);
                    if (TVectors.Value > 1) c7_1 = TOps.MultiplyAdd(x, b1, c7_1);
                    if (TVectors.Value > 2) c7_2 = TOps.MultiplyAdd(x, b2, c7_2);
                    if (TVectors.Value > 3) c7_3 = TOps.MultiplyAdd(x, b3, c7_3);
                }
                if (TRows.Value > 8)
                {
                    TVec x = TOps.Broadcast(ap + 8 * rsA);
                    c8_0 = TOps.MultiplyAdd(x, b0, c8_0);
                    if (TVectors.Value > 1) c8_1 = TOps.MultiplyAdd(x, b1, c8_1);
                    if (TVectors.Value > 2) c8_2 = TOps.MultiplyAdd(x, b2, c8_2);
                    if (TVectors.Value > 3) c8_3 = TOps.MultiplyAdd(x, b3, c8_3);
                }
                if (TRows.Value > 9)
                {
                    TVec x = TOps.Broadcast(ap + 9 * rsA);
                    c9_0 = TOps.MultiplyAdd(x, b0, c9_0);
                    if (TVectors.Value > 1) c9_1 = TOps.MultiplyAdd(x, b1, c9_1);
                    if (TVectors.Value > 2) c9_2 = TOps.MultiplyAdd(x, b2, c9_2);
                    if (TVectors.Value > 3) c9_3 = TOps.MultiplyAdd(x, b3, c9_3);
                }
                if (TRows.Value > 10)
                {
                    TVec x = TOps.Broadcast(ap + 10 * rsA);
                    c10_0 = TOps.MultiplyAdd(x, b0, c10_0);
                    if (TVectors.Value > 1) c10_1 = TOps.MultiplyAdd(x, b1, c10_1);
                    if (TVectors.Value > 2) c10_2 = TOps.MultiplyAdd(x, b2, c10_2);
                    if (TVectors.Value > 3) c10_3 = TOps.MultiplyAdd(x, b3, c10_3);
                }
                if (TRows.Value > 11)
                {
                    TVec x = TOps.Broadcast(ap + 11 * rsA);
                    c11_0 = TOps.MultiplyAdd(x, b0, c11_0);
                    if (TVectors.Value > 1) c11_1 = TOps.MultiplyAdd(x, b1, c11_1);
                    if (TVectors.Value > 2) c11_2 = TOps.MultiplyAdd(x, b2, c11_2);
                    if (TVectors.Value > 3) c11_3 = TOps.MultiplyAdd(x, b3, c11_3);
                }
                if (TRows.Value > 12)
                {
                    TVec x = TOps.Broadcast(ap + 12 * rsA);
                    c12_0 = TOps.MultiplyAdd(x, b0, c12_0);
                    if (TVectors.Value > 1) c12_1 = TOps.MultiplyAdd(x, b1, c12_1);
                    if (TVectors.Value > 2) c12_2 = TOps.MultiplyAdd(x, b2, c12_2);
                    if (TVectors.Value > 3) c12_3 = TOps.MultiplyAdd(x, b3, c12_3);
                }
                if (TRows.Value > 13)
                {
                    TVec x = TOps.Broadcast(ap + 13 * rsA);
                    c13_0 = TOps.MultiplyAdd(x, b0, c13_0);
                    if (TVectors.Value > 1) c13_1 = TOps.MultiplyAdd(x, b1, c13_1);
                    if (TVectors.Value > 2) c13_2 = TOps.MultiplyAdd(x, b2, c13_2);
                    if (TVectors.Value > 3) c13_3 = TOps.MultiplyAdd(x, b3, c13_3);
                }
                ap += csA;
                bp += ldb;
            }

            if (TRows.Value > 0)
            {
                float* cr = c;
                Store<TOps, TVec>(cr, c0_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c0_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c0_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c0_3, overwrite);
            }
            if (TRows.Value > 1)
            {
                float* cr = c + 1 * ldc;
                Store<TOps, TVec>(cr, c1_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c1_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c1_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c1_3, overwrite);
            }
            if (TRows.Value > 2)
            {
                float* cr = c + 2 * ldc;
                Store<TOps, TVec>(cr, c2_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c2_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c2_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c2_3, overwrite);
            }
            if (TRows.Value > 3)
            {
                float* cr = c + 3 * ldc;
                Store<TOps, TVec>(cr, c3_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c3_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c3_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c3_3, overwrite);
            }
            if (TRows.Value > 4)
            {
                float* cr = c + 4 * ldc;
                Store<TOps, TVec>(cr, c4_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c4_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c4_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c4_3, overwrite);
            }
            if (TRows.Value > 5)
            {
                float* cr = c + 5 * ldc;
                Store<TOps, TVec>(cr, c5_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c5_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c5_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c5_3, overwrite);
            }
            if (TRows.Value > 6)
            {
                float* cr = c + 6 * ldc;
                Store<TOps, TVec>(cr, c6_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c6_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c6_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c6_3, overwrite);
            }
            if (TRows.Value > 7)
            {
                float* cr = c + 7 * ldc;
                Store<TOps, TVec>(cr, c7_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c7_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c7_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c7_3, overwrite);
            }
            if (TRows.Value > 8)
            {
                float* cr = c + 8 * ldc;
                Store<TOps, TVec>(cr, c8_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c8_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c8_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c8_3, overwrite);
            }
            if (TRows.Value > 9)
            {
                float* cr = c + 9 * ldc;
                Store<TOps, TVec>(cr, c9_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c9_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c9_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c9_3, overwrite);
            }
            if (TRows.Value > 10)
            {
                float* cr = c + 10 * ldc;
                Store<TOps, TVec>(cr, c10_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c10_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c10_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c10_3, overwrite);
            }
            if (TRows.Value > 11)
            {
                float* cr = c + 11 * ldc;
                Store<TOps, TVec>(cr, c11_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c11_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c11_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c11_3, overwrite);
            }
            if (TRows.Value > 12)
            {
                float* cr = c + 12 * ldc;
                Store<TOps, TVec>(cr, c12_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c12_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c12_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c12_3, overwrite);
            }
            if (TRows.Value > 13)
            {
                float* cr = c + 13 * ldc;
                Store<TOps, TVec>(cr, c13_0, overwrite);
                if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c13_1, overwrite);
                if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c13_2, overwrite);
                if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c13_3, overwrite);
            }
        }
    }

    /// <summary>
    /// Register-blocked tile: C[r, j] (+)= Σ_p A[r, p]·B[p, j] for r &lt; TRows, j &lt; TVectors·Width, p &lt; kc.
    /// </summary>
    /// <remarks>
    /// Computes <c>tiles</c> tiles stacked downwards (A advancing by <c>aStep</c>, C by TRows rows), sharing the B panel.
    /// Scalar formula for one element: <c>acc = 0; for p in 0..kc: acc = fma(A[r,p], B[p,j], acc); C[r,j] = overwrite ? acc : C[r,j] + acc</c>.
    /// A[r, p] is read at <c>a + r·rsA + p·csA</c> and broadcast; row p of B is TVectors contiguous vectors at <c>b + p·ldb</c>.
    /// Every lane does the same operations in the same order whatever the tile shape, so the result of an element does not
    /// depend on which tile (or thread) computes it.
    /// The variant for the right edge: of the last vector only the first <c>lastLanes</c> columns (1 … Width − 1) exist, so it is loaded from B and stored to C under a mask.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TileMasked<TOps, TVec, TRows, TVectors>(int tiles, nint aStep, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite, int lastLanes)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TRows : IConstant
        where TVectors : IConstant
    {
        nint width = TOps.Width;
        TVec mask = TOps.Mask(lastLanes);
        for (; tiles > 0; tiles--, a += aStep, c += TRows.Value * ldc)
        {
            TVec c0_0 = TOps.Zero, c0_1 = TOps.Zero, c0_2 = TOps.Zero, c0_3 = TOps.Zero;
            TVec c1_0 = TOps.Zero, c1_1 = TOps.Zero, c1_2 = TOps.Zero, c1_3 = TOps.Zero;
            TVec c2_0 = TOps.Zero, c2_1 = TOps.Zero, c2_2 = TOps.Zero, c2_3 = TOps.Zero;
            TVec c3_0 = TOps.Zero, c3_1 = TOps.Zero, c3_2 = TOps.Zero, c3_3 = TOps.Zero;
            TVec c4_0 = TOps.Zero, c4_1 = TOps.Zero, c4_2 = TOps.Zero, c4_3 = TOps.Zero;
            TVec c5_0 = TOps.Zero, c5_1 = TOps.Zero, c5_2 = TOps.Zero, c5_3 = TOps.Zero;
            TVec c6_0 = TOps.Zero, c6_1 = TOps.Zero, c6_2 = TOps.Zero, c6_3 = TOps.Zero;
            TVec c7_0 = TOps.Zero, c7_1 = TOps.Zero, c7_2 = TOps.Zero, c7_3 = TOps.Zero;
            TVec c8_0 = TOps.Zero, c8_1 = TOps.Zero, c8_2 = TOps.Zero, c8_3 = TOps.Zero;
            TVec c9_0 = TOps.Zero, c9_1 = TOps.Zero, c9_2 = TOps.Zero, c9_3 = TOps.Zero;
            TVec c10_0 = TOps.Zero, c10_1 = TOps.Zero, c10_2 = TOps.Zero, c10_3 = TOps.Zero;
            TVec c11_0 = TOps.Zero, c11_1 = TOps.Zero, c11_2 = TOps.Zero, c11_3 = TOps.Zero;
            TVec c12_0 = TOps.Zero, c12_1 = TOps.Zero, c12_2 = TOps.Zero, c12_3 = TOps.Zero;
            TVec c13_0 = TOps.Zero, c13_1 = TOps.Zero, c13_2 = TOps.Zero, c13_3 = TOps.Zero;
            float* ap = a;
            float* bp = b;
            for (int p = 0; p < kc; p++)
            {
                TVec b0 = TVectors.Value == 1 ? TOps.LoadMasked(bp, mask) : TOps.Load(bp);
                TVec b1 = TVectors.Value > 1 ? (TVectors.Value == 2 ? TOps.LoadMasked(bp + 1 * width, mask) : TOps.Load(bp + 1 * width)) : TOps.Zero;
                TVec b2 = TVectors.Value > 2 ? (TVectors.Value == 3 ? TOps.LoadMasked(bp + 2 * width, mask) : TOps.Load(bp + 2 * width)) : TOps.Zero;
                TVec b3 = TVectors.Value > 3 ? (TVectors.Value == 4 ? TOps.LoadMasked(bp + 3 * width, mask) : TOps.Load(bp + 3 * width)) : TOps.Zero;
                if (TRows.Value > 0)
                {
                    TVec x = TOps.Broadcast(ap);
                    c0_0 = TOps.MultiplyAdd(x, b0, c0_0);
                    if (TVectors.Value > 1) c0_1 = TOps.MultiplyAdd(x, b1, c0_1);
                    if (TVectors.Value > 2) c0_2 = TOps.MultiplyAdd(x, b2, c0_2);
                    if (TVectors.Value > 3) c0_3 = TOps.MultiplyAdd(x, b3, c0_3);
                }
                if (TRows.Value > 1)
                {
                    TVec x = TOps.Broadcast(ap + 1 * rsA);
                    c1_0 = TOps.MultiplyAdd(x, b0, c1_0);
                    if (TVectors.Value > 1) c1_1 = TOps.MultiplyAdd(x, b1, c1_1);
                    if (TVectors.Value > 2) c1_2 = TOps.MultiplyAdd(x, b2, c1_2);
                    if (TVectors.Value > 3) c1_3 = TOps.MultiplyAdd(x, b3, c1_3);
                }
                if (TRows.Value > 2)
                {
                    TVec x = TOps.Broadcast(ap + 2 * rsA);
                    c2_0 = TOps.MultiplyAdd(x, b0, c2_0);
                    if (TVectors.Value > 1) c2_1 = TOps.MultiplyAdd(x, b1, c2_1);
                    if (TVectors.Value > 2) c2_2 = TOps.MultiplyAdd(x, b2, c2_2);
                    if (TVectors.Value > 3) c2_3 = TOps.MultiplyAdd(x, b3, c2_3);
                }
                if (TRows.Value > 3)
                {
                    TVec x = TOps.Broadcast(ap + 3 * rsA);
                    c3_0 = TOps.MultiplyAdd(x, b0, c3_0);
                    if (TVectors.Value > 1) c3_1 = TOps.MultiplyAdd(x, b1, c3_1);
                    if (TVectors.Value > 2) c3_2 = TOps.MultiplyAdd(x, b2, c3_2);
                    if (TVectors.Value > 3) c3_3 = TOps.MultiplyAdd(x, b3, c3_3);
                }
                if (TRows.Value > 4)
                {
                    TVec x = TOps.Broadcast(ap + 4 * rsA);
                    c4_0 = TOps.MultiplyAdd(x, b0, c4_0);
                    if (TVectors.Value > 1) c4_1 = TOps.MultiplyAdd(x, b1, c4_1);
                    if (TVectors.Value > 2) c4_2 = TOps.MultiplyAdd(x, b2, c4_2);
                    if (TVectors.Value > 3) c4_3 = TOps.MultiplyAdd(x, b3, c4_3);
                }
                if (TRows.Value > 5)
                {
                    TVec x = TOps.Broadcast(ap + 5 * rsA);
                    c5_0 = TOps.MultiplyAdd(x, b0, c5_0);
                    if (TVectors.Value > 1) c5_1 = TOps.MultiplyAdd(x, b1, c5_1);
                    if (TVectors.Value > 2) c5_2 = TOps.MultiplyAdd(x, b2, c5_2);
                    if (TVectors.Value > 3) c5_3 = TOps.MultiplyAdd(x, b3, c5_3);
                }
                if (TRows.Value > 6)
                {
                    TVec x = TOps.Broadcast(ap + 6 * rsA);
                    c6_0 = TOps.MultiplyAdd(x, b0, c6_0);
                    if (TVectors.Value > 1) c6_1 = TOps.MultiplyAdd(x, b1, c6_1);
                    if (TVectors.Value > 2) c6_2 = TOps.MultiplyAdd(x, b2, c6_2);
                    if (TVectors.Value > 3) c6_3 = TOps.MultiplyAdd(x, b3, c6_3);
                }
                if (TRows.Value > 7)
                {
                    TVec x = TOps.Broadcast(ap + 7 * rsA);
                    c7_0 = TOps.MultiplyAdd(x, b0, c7_0);
                    if (TVectors.Value > 1) c7_1 = TOps.MultiplyAdd(x, b1, c7_1);
                    if (TVectors.Value > 2) c7_2 = TOps.MultiplyAdd(x, b2, c7_2);
                    if (TVectors.Value > 3) c7_3 = TOps.MultiplyAdd(x, b3, c7_3);
                }
                if (TRows.Value > 8)
                {
                    TVec x = TOps.Broadcast(ap + 8 * rsA);
                    c8_0 = TOps.MultiplyAdd(x, b0, c8_0);
                    if (TVectors.Value > 1) c8_1 = TOps.MultiplyAdd(x, b1, c8_1);
                    if (TVectors.Value > 2) c8_2 = TOps.MultiplyAdd(x, b2, c8_2);
                    if (TVectors.Value > 3) c8_3 = TOps.MultiplyAdd(x, b3, c8_3);
                }
                if (TRows.Value > 9)
                {
                    TVec x = TOps.Broadcast(ap + 9 * rsA);
                    c9_0 = TOps.MultiplyAdd(x, b0, c9_0);
                    if (TVectors.Value > 1) c9_1 = TOps.MultiplyAdd(x, b1, c9_1);
                    if (TVectors.Value > 2) c9_2 = TOps.MultiplyAdd(x, b2, c9_2);
                    if (TVectors.Value > 3) c9_3 = TOps.MultiplyAdd(x, b3, c9_3);
                }
                if (TRows.Value > 10)
                {
                    TVec x = TOps.Broadcast(ap + 10 * rsA);
                    c10_0 = TOps.MultiplyAdd(x, b0, c10_0);
                    if (TVectors.Value > 1) c10_1 = TOps.MultiplyAdd(x, b1, c10_1);
                    if (TVectors.Value > 2) c10_2 = TOps.MultiplyAdd(x, b2, c10_2);
                    if (TVectors.Value > 3) c10_3 = TOps.MultiplyAdd(x, b3, c10_3);
                }
                if (TRows.Value > 11)
                {
                    TVec x = TOps.Broadcast(ap + 11 * rsA);
                    c11_0 = TOps.MultiplyAdd(x, b0, c11_0);
                    if (TVectors.Value > 1) c11_1 = TOps.MultiplyAdd(x, b1, c11_1);
                    if (TVectors.Value > 2) c11_2 = TOps.MultiplyAdd(x, b2, c11_2);
                    if (TVectors.Value > 3) c11_3 = TOps.MultiplyAdd(x, b3, c11_3);
                }
                if (TRows.Value > 12)
                {
                    TVec x = TOps.Broadcast(ap + 12 * rsA);
                    c12_0 = TOps.MultiplyAdd(x, b0, c12_0);
                    if (TVectors.Value > 1) c12_1 = TOps.MultiplyAdd(x, b1, c12_1);
                    if (TVectors.Value > 2) c12_2 = TOps.MultiplyAdd(x, b2, c12_2);
                    if (TVectors.Value > 3) c12_3 = TOps.MultiplyAdd(x, b3, c12_3);
                }
                if (TRows.Value > 13)
                {
                    TVec x = TOps.Broadcast(ap + 13 * rsA);
                    c13_0 = TOps.MultiplyAdd(x, b0, c13_0);
                    if (TVectors.Value > 1) c13_1 = TOps.MultiplyAdd(x, b1, c13_1);
                    if (TVectors.Value > 2) c13_2 = TOps.MultiplyAdd(x, b2, c13_2);
                    if (TVectors.Value > 3) c13_3 = TOps.MultiplyAdd(x, b3, c13_3);
                }
                ap += csA;
                bp += ldb;
            }

            if (TRows.Value > 0)
            {
                float* cr = c;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c0_0, overwrite, mask); else Store<TOps, TVec>(cr, c0_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c0_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c0_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c0_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c0_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c0_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c0_3, overwrite);
            }
            if (TRows.Value > 1)
            {
                float* cr = c + 1 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c1_0, overwrite, mask); else Store<TOps, TVec>(cr, c1_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c1_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c1_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c1_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c1_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c1_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c1_3, overwrite);
            }
            if (TRows.Value > 2)
            {
                float* cr = c + 2 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c2_0, overwrite, mask); else Store<TOps, TVec>(cr, c2_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c2_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c2_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c2_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c2_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c2_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c2_3, overwrite);
            }
            if (TRows.Value > 3)
            {
                float* cr = c + 3 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c3_0, overwrite, mask); else Store<TOps, TVec>(cr, c3_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c3_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c3_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c3_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c3_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c3_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c3_3, overwrite);
            }
            if (TRows.Value > 4)
            {
                float* cr = c + 4 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c4_0, overwrite, mask); else Store<TOps, TVec>(cr, c4_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c4_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c4_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c4_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c4_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c4_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c4_3, overwrite);
            }
            if (TRows.Value > 5)
            {
                float* cr = c + 5 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c5_0, overwrite, mask); else Store<TOps, TVec>(cr, c5_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c5_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c5_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c5_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c5_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c5_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c5_3, overwrite);
            }
            if (TRows.Value > 6)
            {
                float* cr = c + 6 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c6_0, overwrite, mask); else Store<TOps, TVec>(cr, c6_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c6_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c6_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c6_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c6_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c6_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c6_3, overwrite);
            }
            if (TRows.Value > 7)
            {
                float* cr = c + 7 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c7_0, overwrite, mask); else Store<TOps, TVec>(cr, c7_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c7_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c7_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c7_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c7_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c7_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c7_3, overwrite);
            }
            if (TRows.Value > 8)
            {
                float* cr = c + 8 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c8_0, overwrite, mask); else Store<TOps, TVec>(cr, c8_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c8_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c8_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c8_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c8_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c8_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c8_3, overwrite);
            }
            if (TRows.Value > 9)
            {
                float* cr = c + 9 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c9_0, overwrite, mask); else Store<TOps, TVec>(cr, c9_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c9_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c9_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c9_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c9_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c9_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c9_3, overwrite);
            }
            if (TRows.Value > 10)
            {
                float* cr = c + 10 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c10_0, overwrite, mask); else Store<TOps, TVec>(cr, c10_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c10_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c10_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c10_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c10_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c10_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c10_3, overwrite);
            }
            if (TRows.Value > 11)
            {
                float* cr = c + 11 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c11_0, overwrite, mask); else Store<TOps, TVec>(cr, c11_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c11_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c11_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c11_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c11_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c11_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c11_3, overwrite);
            }
            if (TRows.Value > 12)
            {
                float* cr = c + 12 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c12_0, overwrite, mask); else Store<TOps, TVec>(cr, c12_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c12_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c12_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c12_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c12_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c12_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c12_3, overwrite);
            }
            if (TRows.Value > 13)
            {
                float* cr = c + 13 * ldc;
                if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c13_0, overwrite, mask); else Store<TOps, TVec>(cr, c13_0, overwrite);
                if (TVectors.Value == 2) StoreMasked<TOps, TVec>(cr + 1 * width, c13_1, overwrite, mask); else if (TVectors.Value > 1) Store<TOps, TVec>(cr + 1 * width, c13_1, overwrite);
                if (TVectors.Value == 3) StoreMasked<TOps, TVec>(cr + 2 * width, c13_2, overwrite, mask); else if (TVectors.Value > 2) Store<TOps, TVec>(cr + 2 * width, c13_2, overwrite);
                if (TVectors.Value == 4) StoreMasked<TOps, TVec>(cr + 3 * width, c13_3, overwrite, mask); else if (TVectors.Value > 3) Store<TOps, TVec>(cr + 3 * width, c13_3, overwrite);
            }
        }
    }

    /// <summary>
    /// Dot-product tile for A·Bᵀ with both operands contiguous along k: C[r, s] (+)= Σ_p A[r, p]·B[s, p] for r &lt; TRows, s &lt; TCols.
    /// </summary>
    /// <remarks>
    /// Scalar formula for one element: <c>C[r,s] = (overwrite ? 0 : C[r,s]) + dot(A[r,:], B[s,:])</c>, the dot product taken as
    /// Width partial sums over p ≡ lane (mod Width) with fused multiply-add, the last partial vector overlapping the previous one
    /// with already counted lanes masked to zero, then <see cref="ISimdOps{TVec}.Sum"/>. Needs k ≥ Width.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DotTile<TOps, TVec, TRows, TCols>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool overwrite)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TRows : IConstant
        where TCols : IConstant
    {
        int width = TOps.Width;
        TVec d0_0 = TOps.Zero, d0_1 = TOps.Zero, d0_2 = TOps.Zero, d0_3 = TOps.Zero;
        TVec d1_0 = TOps.Zero, d1_1 = TOps.Zero, d1_2 = TOps.Zero, d1_3 = TOps.Zero;
        TVec d2_0 = TOps.Zero, d2_1 = TOps.Zero, d2_2 = TOps.Zero, d2_3 = TOps.Zero;
        TVec d3_0 = TOps.Zero, d3_1 = TOps.Zero, d3_2 = TOps.Zero, d3_3 = TOps.Zero;
        int p = 0;
        for (; p <= k - width; p += width)
        {
            TVec y0 = TOps.Load(b + p);
            TVec y1 = TCols.Value > 1 ? TOps.Load(b + 1 * ldb + p) : TOps.Zero;
            TVec y2 = TCols.Value > 2 ? TOps.Load(b + 2 * ldb + p) : TOps.Zero;
            TVec y3 = TCols.Value > 3 ? TOps.Load(b + 3 * ldb + p) : TOps.Zero;
            if (TRows.Value > 0)
            {
                TVec x = TOps.Load(a + p);
                d0_0 = TOps.MultiplyAdd(x, y0, d0_0);
                if (TCols.Value > 1) d0_1 = TOps.MultiplyAdd(x, y1, d0_1);
                if (TCols.Value > 2) d0_2 = TOps.MultiplyAdd(x, y2, d0_2);
                if (TCols.Value > 3) d0_3 = TOps.MultiplyAdd(x, y3, d0_3);
            }
            if (TRows.Value > 1)
            {
                TVec x = TOps.Load(a + 1 * lda + p);
                d1_0 = TOps.MultiplyAdd(x, y0, d1_0);
                if (TCols.Value > 1) d1_1 = TOps.MultiplyAdd(x, y1, d1_1);
                if (TCols.Value > 2) d1_2 = TOps.MultiplyAdd(x, y2, d1_2);
                if (TCols.Value > 3) d1_3 = TOps.MultiplyAdd(x, y3, d1_3);
            }
            if (TRows.Value > 2)
            {
                TVec x = TOps.Load(a + 2 * lda + p);
                d2_0 = TOps.MultiplyAdd(x, y0, d2_0);
                if (TCols.Value > 1) d2_1 = TOps.MultiplyAdd(x, y1, d2_1);
                if (TCols.Value > 2) d2_2 = TOps.MultiplyAdd(x, y2, d2_2);
                if (TCols.Value > 3) d2_3 = TOps.MultiplyAdd(x, y3, d2_3);
            }
            if (TRows.Value > 3)
            {
                TVec x = TOps.Load(a + 3 * lda + p);
                d3_0 = TOps.MultiplyAdd(x, y0, d3_0);
                if (TCols.Value > 1) d3_1 = TOps.MultiplyAdd(x, y1, d3_1);
                if (TCols.Value > 2) d3_2 = TOps.MultiplyAdd(x, y2, d3_2);
                if (TCols.Value > 3) d3_3 = TOps.MultiplyAdd(x, y3, d3_3);
            }
        }

        if (p < k)
        {
            // The last Width values end at k; lanes below k - p were counted already and are masked to zero on both sides.
            int fresh = k - p;
            p = k;
            TVec y0 = TOps.LoadLastMasked(b + p, fresh);
            TVec y1 = TCols.Value > 1 ? TOps.LoadLastMasked(b + 1 * ldb + p, fresh) : TOps.Zero;
            TVec y2 = TCols.Value > 2 ? TOps.LoadLastMasked(b + 2 * ldb + p, fresh) : TOps.Zero;
            TVec y3 = TCols.Value > 3 ? TOps.LoadLastMasked(b + 3 * ldb + p, fresh) : TOps.Zero;
            if (TRows.Value > 0)
            {
                TVec x = TOps.LoadLastMasked(a + p, fresh);
                d0_0 = TOps.MultiplyAdd(x, y0, d0_0);
                if (TCols.Value > 1) d0_1 = TOps.MultiplyAdd(x, y1, d0_1);
                if (TCols.Value > 2) d0_2 = TOps.MultiplyAdd(x, y2, d0_2);
                if (TCols.Value > 3) d0_3 = TOps.MultiplyAdd(x, y3, d0_3);
            }
            if (TRows.Value > 1)
            {
                TVec x = TOps.LoadLastMasked(a + 1 * lda + p, fresh);
                d1_0 = TOps.MultiplyAdd(x, y0, d1_0);
                if (TCols.Value > 1) d1_1 = TOps.MultiplyAdd(x, y1, d1_1);
                if (TCols.Value > 2) d1_2 = TOps.MultiplyAdd(x, y2, d1_2);
                if (TCols.Value > 3) d1_3 = TOps.MultiplyAdd(x, y3, d1_3);
            }
            if (TRows.Value > 2)
            {
                TVec x = TOps.LoadLastMasked(a + 2 * lda + p, fresh);
                d2_0 = TOps.MultiplyAdd(x, y0, d2_0);
                if (TCols.Value > 1) d2_1 = TOps.MultiplyAdd(x, y1, d2_1);
                if (TCols.Value > 2) d2_2 = TOps.MultiplyAdd(x, y2, d2_2);
                if (TCols.Value > 3) d2_3 = TOps.MultiplyAdd(x, y3, d2_3);
            }
            if (TRows.Value > 3)
            {
                TVec x = TOps.LoadLastMasked(a + 3 * lda + p, fresh);
                d3_0 = TOps.MultiplyAdd(x, y0, d3_0);
                if (TCols.Value > 1) d3_1 = TOps.MultiplyAdd(x, y1, d3_1);
                if (TCols.Value > 2) d3_2 = TOps.MultiplyAdd(x, y2, d3_2);
                if (TCols.Value > 3) d3_3 = TOps.MultiplyAdd(x, y3, d3_3);
            }
        }

        if (TRows.Value > 0)
        {
            float* cr = c;
            cr[0] = overwrite ? TOps.Sum(d0_0) : cr[0] + TOps.Sum(d0_0);
            if (TCols.Value > 1) cr[1] = overwrite ? TOps.Sum(d0_1) : cr[1] + TOps.Sum(d0_1);
            if (TCols.Value > 2) cr[2] = overwrite ? TOps.Sum(d0_2) : cr[2] + TOps.Sum(d0_2);
            if (TCols.Value > 3) cr[3] = overwrite ? TOps.Sum(d0_3) : cr[3] + TOps.Sum(d0_3);
        }
        if (TRows.Value > 1)
        {
            float* cr = c + 1 * ldc;
            cr[0] = overwrite ? TOps.Sum(d1_0) : cr[0] + TOps.Sum(d1_0);
            if (TCols.Value > 1) cr[1] = overwrite ? TOps.Sum(d1_1) : cr[1] + TOps.Sum(d1_1);
            if (TCols.Value > 2) cr[2] = overwrite ? TOps.Sum(d1_2) : cr[2] + TOps.Sum(d1_2);
            if (TCols.Value > 3) cr[3] = overwrite ? TOps.Sum(d1_3) : cr[3] + TOps.Sum(d1_3);
        }
        if (TRows.Value > 2)
        {
            float* cr = c + 2 * ldc;
            cr[0] = overwrite ? TOps.Sum(d2_0) : cr[0] + TOps.Sum(d2_0);
            if (TCols.Value > 1) cr[1] = overwrite ? TOps.Sum(d2_1) : cr[1] + TOps.Sum(d2_1);
            if (TCols.Value > 2) cr[2] = overwrite ? TOps.Sum(d2_2) : cr[2] + TOps.Sum(d2_2);
            if (TCols.Value > 3) cr[3] = overwrite ? TOps.Sum(d2_3) : cr[3] + TOps.Sum(d2_3);
        }
        if (TRows.Value > 3)
        {
            float* cr = c + 3 * ldc;
            cr[0] = overwrite ? TOps.Sum(d3_0) : cr[0] + TOps.Sum(d3_0);
            if (TCols.Value > 1) cr[1] = overwrite ? TOps.Sum(d3_1) : cr[1] + TOps.Sum(d3_1);
            if (TCols.Value > 2) cr[2] = overwrite ? TOps.Sum(d3_2) : cr[2] + TOps.Sum(d3_2);
            if (TCols.Value > 3) cr[3] = overwrite ? TOps.Sum(d3_3) : cr[3] + TOps.Sum(d3_3);
        }
    }
}
