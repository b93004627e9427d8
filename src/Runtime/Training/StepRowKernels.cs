using System.Runtime.CompilerServices;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// The row loops of the fused one-sample SGD step (<see cref="SgdKernels.DenseStep"/>, <see cref="SgdKernels.DenseSteps"/>):
/// each row of W gets g = (d·x + 0) + λ·w, v ← μ·v − η·g, w ← w + v (Nesterov: w + (μ·v − η·g)), every operation rounded
/// separately, and, with a next input, the dot product of the updated row with it as the matrix kernels' dot tiles form
/// it (one accumulator vector, fused multiply-adds in column order, the same horizontal sum).
/// </summary>
/// <remarks>
/// Rows go two at a time through one loop over the columns. Each row keeps its own accumulators, so every row's
/// arithmetic is that of a row alone, but the two dependency chains (the dot product's fused multiply-adds, four cycles
/// each, and the Σ w² sums) overlap, and x and the next input are loaded once for both rows. Measured on FC200-200-10's
/// first layer (784 columns, AVX-512, one core): 13 G parameters/s one row at a time, 15 two at a time, which is about
/// the rate at which the core's L2 streams W and its velocity in and out. Decay and Nesterov are type arguments, so the
/// loop has no branch. Columns past the last whole vector go through masked loads and stores (the same arithmetic on
/// fewer lanes); the fused forward product needs whole vectors (<see cref="SgdKernels.CanFuseForward"/>).
/// </remarks>
internal static unsafe class StepRowKernels
{
    /// <summary>
    /// Steps rows <paramref name="start"/>…<paramref name="end"/>−1 of W (rows of <paramref name="columns"/>); with
    /// <paramref name="next"/> (only where <see cref="SgdKernels.CanFuseForward"/>), also writes each updated row's dot
    /// product with it to <paramref name="nextOutput"/>. Each row's Σ w² before the step goes to
    /// <paramref name="rowSquares"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Rows(float* w, float* v, float* d, float* x, float* next, float* nextOutput, float[] rowSquares, int columns, int start, int end,
        float lambda, float momentum, float rate, bool nesterov)
    {
        switch (SimdSupport.Level)
        {
            case SimdLevel.Vector512: Rows<Ops512, System.Runtime.Intrinsics.Vector512<float>>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate, nesterov); break;
            case SimdLevel.Vector256: Rows<Ops256, System.Runtime.Intrinsics.Vector256<float>>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate, nesterov); break;
            case SimdLevel.Vector128: Rows<Ops128, System.Runtime.Intrinsics.Vector128<float>>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate, nesterov); break;
            default: Rows<OpsScalar, float>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate, nesterov); break;
        }
    }

    private static void Rows<TOps, TVec>(float* w, float* v, float* d, float* x, float* next, float* nextOutput, float[] rowSquares, int columns, int start, int end,
        float lambda, float momentum, float rate, bool nesterov)
        where TOps : ISimdOps<TVec>
        where TVec : struct
    {
        if (next != null && columns % TOps.Width != 0) throw new ArgumentException("The fused forward product needs rows of whole vectors.", nameof(columns));
        switch ((lambda != 0f, nesterov, next != null))
        {
            case (true, false, true): Rows<TOps, TVec, Yes, No, Yes>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (true, false, false): Rows<TOps, TVec, Yes, No, No>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (true, true, true): Rows<TOps, TVec, Yes, Yes, Yes>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (true, true, false): Rows<TOps, TVec, Yes, Yes, No>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (false, false, true): Rows<TOps, TVec, No, No, Yes>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (false, false, false): Rows<TOps, TVec, No, No, No>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (false, true, true): Rows<TOps, TVec, No, Yes, Yes>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
            case (false, true, false): Rows<TOps, TVec, No, Yes, No>(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TOps, TVec, TDecay, TNesterov, TAhead>(float* w, float* v, float* d, float* x, float* next, float* nextOutput, float[] rowSquares, int columns,
        int start, int end, float lambda, float momentum, float rate)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TDecay : IFlag
        where TNesterov : IFlag
        where TAhead : IFlag
    {
        int i = start;
        for (; i + 1 < end; i += 2)
        {
            long offset = (long)i * columns;
            TwoRows<TOps, TVec, TDecay, TNesterov, TAhead>(w + offset, v + offset, d + i, x, next, nextOutput + i, columns, lambda, momentum, rate, out float first, out float second);
            rowSquares[i] = first;
            rowSquares[i + 1] = second;
        }

        if (i < end)
        {
            long offset = (long)i * columns;
            rowSquares[i] = OneRow<TOps, TVec, TDecay, TNesterov, TAhead>(w + offset, v + offset, d[i], x, next, nextOutput + i, columns, lambda, momentum, rate);
        }
    }

    /// <summary>Rows <c>w</c> and <c>w + n</c> (velocities likewise, deltas d[0] and d[1]); with a next input, their dot products go to dot[0] and dot[1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRows<TOps, TVec, TDecay, TNesterov, TAhead>(float* w, float* v, float* d, float* x, float* next, float* dot, int n, float lambda, float momentum, float rate,
        out float firstSquares, out float secondSquares)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TDecay : IFlag
        where TNesterov : IFlag
        where TAhead : IFlag
    {
        TVec d0 = TOps.Broadcast(d), d1 = TOps.Broadcast(d + 1), lam = TOps.Broadcast(&lambda), mu = TOps.Broadcast(&momentum), eta = TOps.Broadcast(&rate);
        TVec s0 = TOps.Zero, s1 = TOps.Zero, a0 = TOps.Zero, a1 = TOps.Zero;
        float* w1 = w + n, v1 = v + n;
        int k = 0;
        for (; k + TOps.Width <= n; k += TOps.Width)
        {
            TVec xk = TOps.Load(x + k);
            TVec nw0 = Update<TOps, TVec, TDecay, TNesterov>(TOps.Load(w + k), v + k, d0, xk, lam, mu, eta, ref s0);
            TOps.Store(w + k, nw0);
            TVec nw1 = Update<TOps, TVec, TDecay, TNesterov>(TOps.Load(w1 + k), v1 + k, d1, xk, lam, mu, eta, ref s1);
            TOps.Store(w1 + k, nw1);
            if (TAhead.Value)
            {
                TVec nk = TOps.Load(next + k);
                a0 = TOps.MultiplyAdd(nk, nw0, a0);
                a1 = TOps.MultiplyAdd(nk, nw1, a1);
            }
        }

        if (!TAhead.Value && k < n)
        {
            TVec mask = TOps.Mask(n - k);
            TVec xk = TOps.LoadMasked(x + k, mask);
            TOps.StoreMasked(w + k, mask, UpdateMasked<TOps, TVec, TDecay, TNesterov>(TOps.LoadMasked(w + k, mask), v + k, mask, d0, xk, lam, mu, eta, ref s0));
            TOps.StoreMasked(w1 + k, mask, UpdateMasked<TOps, TVec, TDecay, TNesterov>(TOps.LoadMasked(w1 + k, mask), v1 + k, mask, d1, xk, lam, mu, eta, ref s1));
        }

        if (TAhead.Value)
        {
            dot[0] = TOps.Sum(a0);
            dot[1] = TOps.Sum(a1);
        }

        firstSquares = TOps.Sum(s0);
        secondSquares = TOps.Sum(s1);
    }

    /// <summary>One row, as <see cref="TwoRows"/> steps each of its two; returns its Σ w² before the step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float OneRow<TOps, TVec, TDecay, TNesterov, TAhead>(float* w, float* v, float d, float* x, float* next, float* dot, int n, float lambda, float momentum, float rate)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TDecay : IFlag
        where TNesterov : IFlag
        where TAhead : IFlag
    {
        TVec dv = TOps.Broadcast(&d), lam = TOps.Broadcast(&lambda), mu = TOps.Broadcast(&momentum), eta = TOps.Broadcast(&rate);
        TVec s = TOps.Zero, a = TOps.Zero;
        int k = 0;
        for (; k + TOps.Width <= n; k += TOps.Width)
        {
            TVec nw = Update<TOps, TVec, TDecay, TNesterov>(TOps.Load(w + k), v + k, dv, TOps.Load(x + k), lam, mu, eta, ref s);
            TOps.Store(w + k, nw);
            if (TAhead.Value) a = TOps.MultiplyAdd(TOps.Load(next + k), nw, a);
        }

        if (!TAhead.Value && k < n)
        {
            TVec mask = TOps.Mask(n - k);
            TOps.StoreMasked(w + k, mask, UpdateMasked<TOps, TVec, TDecay, TNesterov>(TOps.LoadMasked(w + k, mask), v + k, mask, dv, TOps.LoadMasked(x + k, mask), lam, mu, eta, ref s));
        }

        if (TAhead.Value) *dot = TOps.Sum(a);
        return TOps.Sum(s);
    }

    /// <summary>The step of one vector of a row: adds w² to <paramref name="squares"/>, stores the new velocity, returns the new w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Update<TOps, TVec, TDecay, TNesterov>(TVec wk, float* v, TVec d, TVec xk, TVec lam, TVec mu, TVec eta, ref TVec squares)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TDecay : IFlag
        where TNesterov : IFlag
    {
        TVec nw = Step<TOps, TVec, TDecay, TNesterov>(wk, TOps.Load(v), d, xk, lam, mu, eta, ref squares, out TVec nv);
        TOps.Store(v, nv);
        return nw;
    }

    /// <summary><see cref="Update"/> on the lanes of <paramref name="mask"/> (the others are zero and not stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec UpdateMasked<TOps, TVec, TDecay, TNesterov>(TVec wk, float* v, TVec mask, TVec d, TVec xk, TVec lam, TVec mu, TVec eta, ref TVec squares)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TDecay : IFlag
        where TNesterov : IFlag
    {
        TVec nw = Step<TOps, TVec, TDecay, TNesterov>(wk, TOps.LoadMasked(v, mask), d, xk, lam, mu, eta, ref squares, out TVec nv);
        TOps.StoreMasked(v, mask, nv);
        return nw;
    }

    /// <summary>
    /// The arithmetic of one vector: Σ w² += w·w; g = (d·x + 0) + λ·w; v′ = μ·v − η·g; returns w + v′ (Nesterov:
    /// w + (μ·v′ − η·g)), every operation rounded separately.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Step<TOps, TVec, TDecay, TNesterov>(TVec wk, TVec vk, TVec d, TVec xk, TVec lam, TVec mu, TVec eta, ref TVec squares, out TVec nv)
        where TOps : ISimdOps<TVec>
        where TVec : struct
        where TDecay : IFlag
        where TNesterov : IFlag
    {
        squares = TOps.Add(squares, TOps.Multiply(wk, wk));
        TVec g = TOps.Add(TOps.Multiply(d, xk), TOps.Zero);
        if (TDecay.Value) g = TOps.Add(TOps.Multiply(wk, lam), g);
        TVec step = TOps.Multiply(eta, g);
        nv = TOps.Subtract(TOps.Multiply(mu, vk), step);
        return TOps.Add(wk, TNesterov.Value ? TOps.Subtract(TOps.Multiply(mu, nv), step) : nv);
    }

    /// <summary>A compile-time switch of a kernel: the JIT folds <see cref="Value"/> and drops the branch not taken.</summary>
    internal interface IFlag
    {
        static abstract bool Value { get; }
    }

    private readonly struct Yes : IFlag
    {
        public static bool Value => true;
    }

    private readonly struct No : IFlag
    {
        public static bool Value => false;
    }
}
