#!/usr/bin/env python3
"""Writes GemmKernels.Tiles.cs and GemmKernels.Tables.cs (run from this folder: python3 GemmKernels.Generate.py).

The tile kernels are generic over the vector width and the tile shape; this script only unrolls them over the largest
shape (14 rows x 4 vectors for broadcast tiles, 4 x 4 for dot tiles) and lists the instantiations in the tables.
"""
import os

def tiles():
    R=14; V=4
    L=[]
    w=L.append
    w("// Written by GemmKernels.Generate.py. Tile kernels, unrolled over the largest tile (14 rows × 4 vectors, 4 × 4 dot products);")
    w("// accumulators an instantiation does not use fold away.")
    w("using System.Runtime.CompilerServices;")
    w("")
    w("namespace Intriguing.Linear;")
    w("")
    w("internal static unsafe partial class GemmKernels")
    w("{")
    def tile(masked):
        w("    /// <summary>")
        w("    /// Register-blocked tile: C[r, j] (+)= Σ_p A[r, p]·B[p, j] for r &lt; TRows, j &lt; TVectors·Width, p &lt; kc.")
        w("    /// </summary>")
        w("    /// <remarks>")
        w("    /// Computes <c>tiles</c> tiles stacked downwards (A advancing by <c>aStep</c>, C by TRows rows), sharing the B panel.\n    /// Scalar formula for one element: <c>acc = 0; for p in 0..kc: acc = fma(A[r,p], B[p,j], acc); C[r,j] = overwrite ? acc : C[r,j] + acc</c>.")
        w("    /// A[r, p] is read at <c>a + r·rsA + p·csA</c> and broadcast; row p of B is TVectors contiguous vectors at <c>b + p·ldb</c>.")
        w("    /// Every lane does the same operations in the same order whatever the tile shape, so the result of an element does not")
        w("    /// depend on which tile (or thread) computes it.")
        w("    /// </remarks>")
        if masked:
            w("    /// <remarks>The variant for the right edge: of the last vector only the first <c>lastLanes</c> columns (1 … Width − 1) exist, so it is loaded from B and stored to C under a mask.</remarks>")
        w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
        w("    internal static void " + ("TileMasked" if masked else "Tile") + "<TOps, TVec, TRows, TVectors>(int tiles, nint aStep, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite" + (", int lastLanes)" if masked else ")"))
        w("        where TOps : ISimdOps<TVec>")
        w("        where TVec : struct")
        w("        where TRows : IConstant")
        w("        where TVectors : IConstant")
        w("    {")
        w("        nint width = TOps.Width;")
        if masked:
            w("        TVec mask = TOps.Mask(lastLanes);")
        w("        for (; tiles > 0; tiles--, a += aStep, c += TRows.Value * ldc)")
        w("        {")
        for r in range(R):
            w("        TVec " + ", ".join(f"c{r}_{v} = TOps.Zero" for v in range(V)) + ";")
        w("        float* ap = a;")
        w("        float* bp = b;")
        w("        for (int p = 0; p < kc; p++)")
        w("        {")
        w("            TVec b0 = TVectors.Value == 1 ? TOps.LoadMasked(bp, mask) : TOps.Load(bp);" if masked else "            TVec b0 = TOps.Load(bp);")
        for v in range(1,V):
            w(f"            TVec b{v} = TVectors.Value > {v} ? (TVectors.Value == {v+1} ? TOps.LoadMasked(bp + {v} * width, mask) : TOps.Load(bp + {v} * width)) : TOps.Zero;" if masked else f"            TVec b{v} = TVectors.Value > {v} ? TOps.Load(bp + {v} * width) : TOps.Zero;")
        for r in range(R):
            cond = f"TRows.Value > {r}"
            w(f"            if ({cond})")
            w("            {")
            w(f"                TVec x = TOps.Broadcast(ap + {r} * rsA);" if r>0 else "                TVec x = TOps.Broadcast(ap);")
            w(f"                c{r}_0 = TOps.MultiplyAdd(x, b0, c{r}_0);")
            for v in range(1,V):
                w(f"                if (TVectors.Value > {v}) c{r}_{v} = TOps.MultiplyAdd(x, b{v}, c{r}_{v});")
            w("            }")
        w("            ap += csA;")
        w("            bp += ldb;")
        w("        }")
        w("")
        for r in range(R):
            w(f"        if (TRows.Value > {r})")
            w("        {")
            w(f"            float* cr = c + {r} * ldc;" if r>0 else "            float* cr = c;")
            w(f"            if (TVectors.Value == 1) StoreMasked<TOps, TVec>(cr, c{r}_0, overwrite, mask); else Store<TOps, TVec>(cr, c{r}_0, overwrite);" if masked else f"            Store<TOps, TVec>(cr, c{r}_0, overwrite);")
            for v in range(1,V):
                w((f"            if (TVectors.Value == {v+1}) StoreMasked<TOps, TVec>(cr + {v} * width, c{r}_{v}, overwrite, mask); else " if masked else "            ") + f"if (TVectors.Value > {v}) Store<TOps, TVec>(cr + {v} * width, c{r}_{v}, overwrite);")
            w("        }")
        w("        }//ENDTILES")
        w("    }")
        w("")
    tile(False)
    tile(True)
    # dot kernel: R rows of A x C rows of B, both contiguous over k
    DR=4; DC=4
    w("    /// <summary>")
    w("    /// Dot-product tile for A·Bᵀ with both operands contiguous along k: C[r, s] (+)= Σ_p A[r, p]·B[s, p] for r &lt; TRows, s &lt; TCols.")
    w("    /// </summary>")
    w("    /// <remarks>")
    w("    /// Scalar formula for one element: <c>C[r,s] = (overwrite ? 0 : C[r,s]) + dot(A[r,:], B[s,:])</c>, the dot product taken as")
    w("    /// Width partial sums over p ≡ lane (mod Width) with fused multiply-add, the last partial vector overlapping the previous one")
    w("    /// with already counted lanes masked to zero, then <see cref=\"ISimdOps{TVec}.Sum\"/>. Needs k ≥ Width.")
    w("    /// </remarks>")
    w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    w("    internal static void DotTile<TOps, TVec, TRows, TCols>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool overwrite)")
    w("        where TOps : ISimdOps<TVec>")
    w("        where TVec : struct")
    w("        where TRows : IConstant")
    w("        where TCols : IConstant")
    w("    {")
    w("        int width = TOps.Width;")
    for r in range(DR):
        w("        TVec " + ", ".join(f"d{r}_{s} = TOps.Zero" for s in range(DC)) + ";")
    w("        int p = 0;")
    w("        for (; p <= k - width; p += width)")
    w("        {")
    def body(load):
        for s in range(DC):
            if s==0: w(f"            TVec y0 = {load('b', 0)};")
            else: w(f"            TVec y{s} = TCols.Value > {s} ? {load('b', s)} : TOps.Zero;")
        for r in range(DR):
            w(f"            if (TRows.Value > {r})")
            w("            {")
            w(f"                TVec x = {load('a', r)};")
            w(f"                d{r}_0 = TOps.MultiplyAdd(x, y0, d{r}_0);")
            for s in range(1,DC):
                w(f"                if (TCols.Value > {s}) d{r}_{s} = TOps.MultiplyAdd(x, y{s}, d{r}_{s});")
            w("            }")
    body(lambda m, i: f"TOps.Load({m} + {i} * ld{m} + p)" if i else f"TOps.Load({m} + p)")
    w("        }")
    w("")
    w("        if (p < k)")
    w("        {")
    w("            // The last Width values end at k; lanes below k - p were counted already and are masked to zero on both sides.")
    w("            int fresh = k - p;")
    w("            p = k;")
    body(lambda m, i: f"TOps.LoadLastMasked({m} + {i} * ld{m} + p, fresh)" if i else f"TOps.LoadLastMasked({m} + p, fresh)")
    w("        }")
    w("")
    for r in range(DR):
        w(f"        if (TRows.Value > {r})")
        w("        {")
        w(f"            float* cr = c + {r} * ldc;" if r>0 else "            float* cr = c;")
        for s in range(DC):
            ind = "            " if s==0 else f"            if (TCols.Value > {s}) "
            w(ind + f"cr[{s}] = overwrite ? TOps.Sum(d{r}_{s}) : cr[{s}] + TOps.Sum(d{r}_{s});")
        w("        }")
    w("    }")
    w("}")
    out=[]
    inside=False
    for line in L:
        if line.strip().startswith("for (; tiles > 0"):
            out.append(line); inside=True; continue
        if line.endswith("//ENDTILES"):
            out.append(line[:-len("//ENDTILES")]); inside=False; continue
        if inside and line.strip() and not line.strip()=="{" or (inside and line.strip()=="{" and not out[-1].strip().startswith("for (; tiles")):
            out.append("    "+line)
        else:
            out.append(line)
    out="\n".join(out)
    out=out.replace("    /// </remarks>\n    /// <remarks>The variant","    /// The variant").replace("under a mask.</remarks>","under a mask.\n    /// </remarks>")
    TILES=out
    return TILES

def tables():
    L=[]
    w=L.append
    w("// Written by GemmKernels.Generate.py. Function-pointer tables over the kernel instantiations, indexed [(rows - 1) * 4 + (vectors - 1)].")
    w("namespace Intriguing.Linear;")
    w("")
    w("internal static unsafe partial class GemmKernels")
    w("{")
    w("    /// <summary>Largest tile height the tables hold.</summary>")
    w("    internal const int MaxRows = 14;")
    w("")
    w("    /// <summary>Largest tile width, in vectors, the tables hold.</summary>")
    w("    internal const int MaxVectors = 4;")
    w("")
    w("    /// <summary>Most accumulators a tile may use (rows × vectors), leaving registers for B and the broadcast.</summary>")
    w("    internal const int MaxAccumulators = 28;")
    w("")
    w("    /// <summary>Kernel tables for one vector width.</summary>")
    w("    internal static class Table<TOps, TVec>")
    w("        where TOps : ISimdOps<TVec>")
    w("        where TVec : struct")
    w("    {")
    w("        /// <summary><see cref=\"Tile{TOps, TVec, TRows, TVectors}\"/> by [(rows - 1) * 4 + (vectors - 1)]; null where rows × vectors exceeds <see cref=\"MaxAccumulators\"/>.</summary>")
    w("        internal static readonly delegate*<int, nint, int, float*, nint, nint, float*, nint, float*, nint, bool, void>[] Tiles =")
    w("        [")
    for r in range(1,15):
        for v in range(1,5):
            if r*v <= 28: w(f"            &Tile<TOps, TVec, N{r}, N{v}>,")
            else: w("            null,")
    w("        ];")
    w("")
    w("        /// <summary><see cref=\"TileMasked{TOps, TVec, TRows, TVectors}\"/>, indexed like <see cref=\"Tiles\"/>.</summary>")
    w("        internal static readonly delegate*<int, nint, int, float*, nint, nint, float*, nint, float*, nint, bool, int, void>[] MaskedTiles =")
    w("        [")
    for r in range(1,15):
        for v in range(1,5):
            if r*v <= 28: w(f"            &TileMasked<TOps, TVec, N{r}, N{v}>,")
            else: w("            null,")
    w("        ];")
    w("")
    w("        /// <summary><see cref=\"DotTile{TOps, TVec, TRows, TCols}\"/> by [(rows - 1) * 4 + (cols - 1)].</summary>")
    w("        internal static readonly delegate*<int, float*, nint, float*, nint, float*, nint, bool, void>[] Dots =")
    w("        [")
    for r in range(1,5):
        for v in range(1,5):
            w(f"            &DotTile<TOps, TVec, N{r}, N{v}>,")
    w("        ];")
    w("    }")
    w("}")
    TABLES="\n".join(L)
    return TABLES

here = os.path.dirname(os.path.abspath(__file__))
for name, text in (("GemmKernels.Tiles.cs", tiles()), ("GemmKernels.Tables.cs", tables())):
    with open(os.path.join(here, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(text + "\n")
