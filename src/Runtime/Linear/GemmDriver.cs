using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Intriguing.Linear;

/// <summary>
/// One product C[m×n] (+)= A·B with general strides: <c>A[i, p] = a[i·RsA + p·CsA]</c>, <c>B[p, j] = b[p·RsB + j·CsB]</c>,
/// C row-major with row stride n. Pointers stay valid while the public entry point keeps its spans pinned.
/// </summary>
internal unsafe struct GemmProblem
{
    internal float* A;
    internal nint RsA;
    internal nint CsA;
    internal float* B;
    internal nint RsB;
    internal nint CsB;
    internal float* C;
    internal int M;
    internal int N;
    internal int K;
    internal bool Accumulate;
}

/// <summary>
/// How a problem is computed; chosen from the full shape only, so every part of a split problem runs the same arithmetic.
/// </summary>
internal struct GemmPlan
{
    /// <summary>Dot-product tiles (A·Bᵀ with both operands contiguous along k) instead of broadcast tiles.</summary>
    internal bool Dot;

    /// <summary>Rows per broadcast tile (or per dot tile).</summary>
    internal int Rows;

    /// <summary>Vectors per broadcast tile row.</summary>
    internal int Vectors;

    /// <summary>Copy A blocks into contiguous micro-panels first.</summary>
    internal bool PackA;

    /// <summary>Copy B blocks into contiguous micro-panels first (required when B is not contiguous along j).</summary>
    internal bool PackB;

    /// <summary>Granularity of a split across threads along m.</summary>
    internal readonly int RowStep => Rows;

    /// <summary>Granularity of a split across threads along n, in columns.</summary>
    internal int ColumnStep;
}

/// <summary>
/// Cache blocking, packing and tile dispatch (the loops around the micro-kernels in <see cref="GemmKernels"/>).
/// </summary>
/// <remarks>
/// Loop order (BLIS): column blocks of <see cref="ColumnBlock"/> → depth blocks of <see cref="DepthBlock"/> (pack B) →
/// row blocks of <see cref="RowBlock"/> (pack A) → tile columns → tile rows. Every element is summed over depth blocks in
/// increasing order, each block's partial sum in its own register, so the result of an element depends only on k, the
/// vector width and the plan — not on the element's position, the split or the thread count.
/// </remarks>
internal static unsafe class GemmDriver
{
    /// <summary>Depth (k) block. The B micro-panel (DepthBlock × 64 floats = 64 KB for AVX-512) is re-read from L1/L2 by every
    /// row tile of the A block; the A micro-panel (6 × DepthBlock) stays in L1.</summary>
    internal const int DepthBlock = 256;

    /// <summary>Row (m) block: the packed A block of RowBlock × DepthBlock stays in L2.</summary>
    internal const int RowBlock = 168;

    /// <summary>Column (n) block: the packed B block of DepthBlock × ColumnBlock (1 MB) is shared by all row blocks.</summary>
    internal const int ColumnBlock = 1024;

    /// <summary>Chooses the plan for a whole problem.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static GemmPlan Plan(in GemmProblem p, SimdLevel level)
    {
        int width = Width(level);
        bool kContiguousB = p.CsB != 1;
        var plan = new GemmPlan();
        if (kContiguousB && UseDotTiles(p, level))
        {
            plan.Dot = true;

            // 4 × 4 dot tiles need 16 accumulators + 5 operands: only AVX-512 has the 32 registers; 16-register ISAs take 2 × 4.
            plan.Rows = level == SimdLevel.Vector512 ? 4 : 2;
            plan.Vectors = 1;
            plan.ColumnStep = 4;
            return plan;
        }

        (plan.Rows, plan.Vectors) = level switch
        {
            SimdLevel.Vector512 => (MainRows512, MainVectors512),
            SimdLevel.Scalar => (4, 4),
            _ => p.M <= 2 ? (2, 4) : (6, 2), // 16 registers: at most 12 accumulators + B vectors + broadcast
        };
        int nr = plan.Vectors * width;
        plan.ColumnStep = nr;
        // B read in place is faster until it outgrows L2 or its row stride is a multiple of 1 KB (rows then share L1 sets).
        plan.PackB = kContiguousB || (p.M > 2 * plan.Rows && ((long)p.N * p.K > 512 * 1024 || p.N % 256 == 0));
        plan.PackA = p.M >= 4 * plan.Rows && p.N >= 2 * nr && p.K >= 32;
        return plan;
    }

    /// <summary>AVX-512 tile: 6 rows × 4 vectors (6 × 64) = 24 accumulators + 4 B vectors + 1 broadcast of 32 registers.
    /// 6 × 4, 8 × 3, 12 × 2 and 14 × 2 measured within noise of each other on Zen 5; 6 × 4 loads least per FMA.</summary>
    private const int MainRows512 = 6, MainVectors512 = 4;

    /// <summary>A·Bᵀ with fewer rows than this always uses dot-product tiles.</summary>
    private const int DotRowLimit = 16;

    /// <summary>
    /// A·Bᵀ: dot-product tiles need no transposing pack of B, which dominates for few rows of A or narrow C, and keep B in
    /// L2 while it is small; their horizontal sums cost too much when k is short. Measured on Zen 5 (gemm-table).
    /// </summary>
    private static bool UseDotTiles(in GemmProblem p, SimdLevel level) =>
        level != SimdLevel.Scalar && (p.M < DotRowLimit || p.N < 32 || (p.K >= 128 && (long)p.N * p.K <= 128 * 1024));

    internal static int Width(SimdLevel level) => level switch
    {
        SimdLevel.Vector512 => Vector512<float>.Count,
        SimdLevel.Vector256 => Vector256<float>.Count,
        SimdLevel.Vector128 => Vector128<float>.Count,
        _ => 1,
    };

    /// <summary>Computes rows [i0, i1) × columns [j0, j1) of the problem at <paramref name="level"/>, packing into <paramref name="buffers"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run(in GemmProblem p, in GemmPlan plan, SimdLevel level, int i0, int i1, int j0, int j1, GemmBuffers buffers)
    {
        switch (level)
        {
            case SimdLevel.Vector512: Run<Ops512, Vector512<float>>(p, plan, i0, i1, j0, j1, buffers); break;
            case SimdLevel.Vector256: Run<Ops256, Vector256<float>>(p, plan, i0, i1, j0, j1, buffers); break;
            case SimdLevel.Vector128: Run<Ops128, Vector128<float>>(p, plan, i0, i1, j0, j1, buffers); break;
            default: Run<OpsScalar, float>(p, plan, i0, i1, j0, j1, buffers); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOps, TVec>(in GemmProblem p, in GemmPlan plan, int i0, int i1, int j0, int j1, GemmBuffers buffers)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        if (plan.Dot)
        {
            // The vector dot kernel needs k ≥ Width; shorter products use the scalar one (still a function of k only).
            if (p.K >= TOps.Width) Dot<TOps, TVec>(p, plan.Rows, i0, i1, j0, j1);
            else Dot<OpsScalar, float>(p, plan.Rows, i0, i1, j0, j1);
        }
        else
        {
            Blocked<TOps, TVec>(p, plan, i0, i1, j0, j1, buffers);
        }
    }

    /// <summary>C[i, j] (+)= dot(A row i, B row j) by mr × 4 tiles, for A·Bᵀ with both operands contiguous along k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot<TOps, TVec>(in GemmProblem p, int mr, int i0, int i1, int j0, int j1)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        var dots = GemmKernels.Table<TOps, TVec>.Dots;
        nint lda = p.RsA, ldb = p.CsB, ldc = p.N;
        bool overwrite = !p.Accumulate;
        if (i1 - i0 == 1)
        {
            // One row of A (a matrix-vector product): eight columns at a time, then the 1 × 4 tiles; the same sums either way.
            int j = j0;
            for (; j + GemmKernels.RowDotColumns <= j1; j += GemmKernels.RowDotColumns) GemmKernels.DotRow8<TOps, TVec>(p.K, p.A + (i0 * lda), p.B + (j * ldb), ldb, p.C + (i0 * ldc) + j, overwrite);
            for (; j < j1; j += 4) dots[Math.Min(4, j1 - j) - 1](p.K, p.A + (i0 * lda), lda, p.B + (j * ldb), ldb, p.C + (i0 * ldc) + j, ldc, overwrite);
            return;
        }

        if (i1 - i0 <= j1 - j0)
        {
            // Fewer rows of A than of B: keep A hot and stream B once (each group of 4 B rows meets every A row).
            for (int j = j0; j < j1; j += 4)
            {
                int cols = Math.Min(4, j1 - j);
                float* bj = p.B + (j * ldb);
                for (int i = i0; i < i1; i += mr)
                {
                    int rows = Math.Min(mr, i1 - i);
                    dots[((rows - 1) * 4) + cols - 1](p.K, p.A + (i * lda), lda, bj, ldb, p.C + (i * ldc) + j, ldc, overwrite);
                }
            }
        }
        else
        {
            // Keep B hot and stream A once.
            for (int i = i0; i < i1; i += mr)
            {
                int rows = Math.Min(mr, i1 - i);
                float* ai = p.A + (i * lda);
                float* ci = p.C + (i * ldc);
                for (int j = j0; j < j1; j += 4)
                {
                    int cols = Math.Min(4, j1 - j);
                    dots[((rows - 1) * 4) + cols - 1](p.K, ai, lda, p.B + (j * ldb), ldb, ci + j, ldc, overwrite);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked<TOps, TVec>(in GemmProblem p, in GemmPlan plan, int i0, int i1, int j0, int j1, GemmBuffers buffers)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        var tiles = GemmKernels.Table<TOps, TVec>.Tiles;
        var masked = GemmKernels.Table<TOps, TVec>.MaskedTiles;
        int width = TOps.Width;
        int mr = plan.Rows;
        int nr = plan.Vectors * width;
        int k = p.K;
        nint ldc = p.N;
        int columnBlock = ColumnBlock / nr * nr;
        int rowBlock = RowBlock / mr * mr;

        for (int jc = j0; jc < j1; jc += columnBlock)
        {
            int nc = Math.Min(columnBlock, j1 - jc);
            int panels = (nc + nr - 1) / nr;
            int lastCols = nc - ((panels - 1) * nr);
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, k - pc);
                bool overwrite = pc == 0 && !p.Accumulate;

                // B block [pc, pc + kc) × [jc, jc + nc): packed into panels of kc × nr, or read in place.
                float* bBlock = p.B + (pc * p.RsB) + (jc * p.CsB);
                float* packedB = null;
                if (plan.PackB)
                {
                    packedB = buffers.PackB(DepthBlock * (columnBlock + nr));
                    PackB(bBlock, p.RsB, p.CsB, kc, nc, nr, packedB);
                }

                for (int ic = i0; ic < i1; ic += rowBlock)
                {
                    int mc = Math.Min(rowBlock, i1 - ic);
                    float* aBlock = p.A + (ic * p.RsA) + (pc * p.CsA);
                    float* packedA = null;
                    if (plan.PackA)
                    {
                        packedA = buffers.PackA(RowBlock * DepthBlock + (mr * DepthBlock));
                        PackA(aBlock, p.RsA, p.CsA, mc, kc, mr, packedA);
                    }

                    for (int q = 0; q < panels; q++)
                    {
                        int jr = q * nr;
                        int cols = q == panels - 1 ? lastCols : nr;
                        int vectors = (cols + width - 1) / width;
                        int lastLanes = cols - ((vectors - 1) * width);
                        float* bp;
                        nint ldb;
                        if (packedB != null) { bp = packedB + (q * kc * nr); ldb = nr; }
                        else { bp = bBlock + jr; ldb = p.RsB; }

                        // Full-height tiles in one call (they share the B panel), then the shorter last tile.
                        for (int ir = 0; ir < mc;)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            int count = rows == mr ? (mc - ir) / mr : 1;
                            int index = ((rows - 1) * GemmKernels.MaxVectors) + vectors - 1;
                            float* ap;
                            nint rsA, csA, aStep;
                            if (packedA != null) { ap = packedA + (ir * kc); rsA = 1; csA = mr; aStep = mr * kc; }
                            else { ap = aBlock + (ir * p.RsA); rsA = p.RsA; csA = p.CsA; aStep = mr * p.RsA; }
                            float* cp = p.C + ((ic + ir) * ldc) + jc + jr;
                            if (lastLanes == width)
                            {
                                tiles[index](count, aStep, kc, ap, rsA, csA, bp, ldb, cp, ldc, overwrite);
                            }
                            else
                            {
                                // Partial vector at the right edge: its B loads and C stores go through a lane mask.
                                masked[index](count, aStep, kc, ap, rsA, csA, bp, ldb, cp, ldc, overwrite, lastLanes);
                            }

                            ir += count * rows;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs B[0..kc) × [0..nc) into panels of nr columns: panel q, row p at <c>dst + q·kc·nr + p·nr</c>, columns past nc zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackB(float* b, nint rsB, nint csB, int kc, int nc, int nr, float* dst)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* panel = dst + (j0 * kc);
            if (csB == 1)
            {
                // Rows of B are contiguous: copy cols floats per row.
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (p * rsB) + j0;
                    float* d = panel + (p * nr);
                    new ReadOnlySpan<float>(src, cols).CopyTo(new Span<float>(d, cols));
                    if (cols < nr) new Span<float>(d + cols, nr - cols).Clear();
                }
            }
            else
            {
                // Columns of B are contiguous (B stored transposed): read along k, write with stride nr.
                if (cols < nr)
                {
                    for (int p = 0; p < kc; p++) new Span<float>(panel + (p * nr) + cols, nr - cols).Clear();
                }

                // B stored transposed (rsB == 1): 8 × 8 blocks go through an in-register transpose, the rest element-wise.
                float* src0 = b + (j0 * csB);
                int p0 = 0;
                if (Avx.IsSupported && rsB == 1)
                {
                    int cols8 = cols & ~7;
                    for (; p0 + 8 <= kc; p0 += 8)
                    {
                        for (int j = 0; j < cols8; j += 8)
                        {
                            Transpose8x8(src0 + (j * csB) + p0, csB, panel + (p0 * nr) + j, nr);
                        }

                        for (int p = p0; p < p0 + 8; p++)
                        {
                            for (int j = cols8; j < cols; j++) panel[(p * nr) + j] = src0[(j * csB) + p];
                        }
                    }
                }

                for (int p = p0; p < kc; p++)
                {
                    float* src = src0 + (p * rsB);
                    float* d = panel + (p * nr);
                    for (int j = 0; j < cols; j++) d[j] = src[j * csB];
                }
            }
        }
    }

    /// <summary>
    /// <c>dst[q·ldDst + r] = src[r·ldSrc + q]</c> for r, q &lt; 8: eight rows of eight floats, transposed in registers
    /// (unpack pairs, shuffle quads, swap 128-bit halves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ldSrc, float* dst, nint ldDst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ldSrc);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * ldSrc)), r3 = Avx.LoadVector256(src + (3 * ldSrc));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * ldSrc)), r5 = Avx.LoadVector256(src + (5 * ldSrc));
        Vector256<float> r6 = Avx.LoadVector256(src + (6 * ldSrc)), r7 = Avx.LoadVector256(src + (7 * ldSrc));

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + (2 * ldDst), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + (3 * ldDst), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + (4 * ldDst), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + (5 * ldDst), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + (6 * ldDst), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + (7 * ldDst), Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Packs A[0..mc) × [0..kc) into micro-panels of mr rows: panel at <c>dst + i0·kc</c>, element (r, p) at <c>p·mr + r</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackA(float* a, nint rsA, nint csA, int mc, int kc, int mr, float* dst)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* panel = dst + (i0 * kc);
            if (rsA == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + i0 + (p * csA);
                    float* d = panel + (p * mr);
                    for (int r = 0; r < rows; r++) d[r] = src[r];
                }
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + ((i0 + r) * rsA);
                    float* d = panel + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = src[p * csA];
                }
            }
        }
    }
}

/// <summary>
/// Packing buffers: one set per calling thread (<see cref="ForCurrentThread"/>) and one per pooled parallel helper,
/// allocated on first use and kept (never per call). Pinned arrays, addressed from a 64-byte aligned start.
/// </summary>
internal sealed unsafe class GemmBuffers
{
    [ThreadStatic]
    private static GemmBuffers? t_current;

    private float[]? _packA;
    private float[]? _packB;

    /// <summary>The calling thread's buffers.</summary>
    internal static GemmBuffers ForCurrentThread() => t_current ??= new GemmBuffers();

    /// <summary>At least <paramref name="count"/> floats for packed A.</summary>
    internal float* PackA(int count) => Aligned(Ensure(ref _packA, count));

    /// <summary>At least <paramref name="count"/> floats for packed B.</summary>
    internal float* PackB(int count) => Aligned(Ensure(ref _packB, count));

    private static float[] Ensure(ref float[]? storage, int count)
    {
        if (storage is null || storage.Length < count + 16)
        {
            storage = GC.AllocateArray<float>(count + 16, pinned: true);
        }

        return storage;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Aligned(float[] storage)
    {
        float* p = (float*)Unsafe.AsPointer(ref storage[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
