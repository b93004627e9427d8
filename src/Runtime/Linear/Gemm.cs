using System.Runtime.CompilerServices;
using System.ComponentModel;
using Intriguing.Linear;

namespace Intriguing.Generated;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// Single-precision matrix products for dense layers. All matrices are row-major and contiguous.
/// </summary>
/// <remarks>
/// <para>
/// The three products a dense layer needs, with W of shape out × in and a batch of X of shape batch × in:
/// forward <c>Y = X·Wᵀ</c> (<see cref="MultiplyABt(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>),
/// input gradient <c>dX = dY·W</c> (<see cref="MultiplyAB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>),
/// weight gradient <c>dW = dYᵀ·X</c> (<see cref="MultiplyAtB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>).
/// With <c>accumulate</c> the product is added to C instead of overwriting it; with k = 0 the product is zero.
/// </para>
/// <para>
/// Implementation: register-blocked micro-kernels (AVX-512, AVX2/FMA, 128-bit or scalar, chosen at run time) inside
/// BLIS-style cache blocking with per-thread packing buffers; small row counts of A·Bᵀ use dot-product tiles that need
/// no packing. Each element is accumulated in a fixed order that depends only on the shape and the vector width, so
/// the overloads with <c>degreeOfParallelism</c> give bit-identical results for any thread count.
/// C must not overlap A or B.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class Gemm
{
    /// <summary>The three products, by operand layout.</summary>
    internal enum GemmProduct
    {
        /// <summary>A·Bᵀ.</summary>
        ABt,

        /// <summary>A·B.</summary>
        AB,

        /// <summary>Aᵀ·B.</summary>
        AtB,
    }

    /// <summary>C[m×n] (+)= A[m×k] · B[n×k]ᵀ.</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, n × k row-major (for a dense layer: the weights, out × in).</param>
    /// <param name="c">C, m × n row-major.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">Columns of A and B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting C.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyABt(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false) =>
        MultiplyABt(a, b, c, m, n, k, accumulate, 1);

    /// <summary>C[m×n] (+)= A[m×k] · B[n×k]ᵀ, split over up to <paramref name="degreeOfParallelism"/> threads.</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, n × k row-major.</param>
    /// <param name="c">C, m × n row-major.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">Columns of A and B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting C.</param>
    /// <param name="degreeOfParallelism">Most threads to use (the caller's included), at least 1. Results do not depend on it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyABt(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate, int degreeOfParallelism)
    {
        Multiply(GemmProduct.ABt, SimdSupport.Level, a, b, c, m, n, k, accumulate, degreeOfParallelism);
    }

    /// <summary>C[m×n] (+)= A[m×k] · B[k×n].</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting C.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false) =>
        MultiplyAB(a, b, c, m, n, k, accumulate, 1);

    /// <summary>C[m×n] (+)= A[m×k] · B[k×n], split over up to <paramref name="degreeOfParallelism"/> threads.</summary>
    /// <param name="a">A, m × k row-major.</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting C.</param>
    /// <param name="degreeOfParallelism">Most threads to use (the caller's included), at least 1. Results do not depend on it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate, int degreeOfParallelism)
    {
        Multiply(GemmProduct.AB, SimdSupport.Level, a, b, c, m, n, k, accumulate, degreeOfParallelism);
    }

    /// <summary>C[m×n] (+)= A[k×m]ᵀ · B[k×n].</summary>
    /// <param name="a">A, k × m row-major.</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Rows of A and B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting C.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAtB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false) =>
        MultiplyAtB(a, b, c, m, n, k, accumulate, 1);

    /// <summary>C[m×n] (+)= A[k×m]ᵀ · B[k×n], split over up to <paramref name="degreeOfParallelism"/> threads.</summary>
    /// <param name="a">A, k × m row-major.</param>
    /// <param name="b">B, k × n row-major.</param>
    /// <param name="c">C, m × n row-major.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Rows of A and B.</param>
    /// <param name="accumulate">Add the product to C instead of overwriting C.</param>
    /// <param name="degreeOfParallelism">Most threads to use (the caller's included), at least 1. Results do not depend on it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAtB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate, int degreeOfParallelism)
    {
        Multiply(GemmProduct.AtB, SimdSupport.Level, a, b, c, m, n, k, accumulate, degreeOfParallelism);
    }

    /// <summary>Any product at an explicit vector width (tests run every width the hardware has).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply(GemmProduct product, SimdLevel level, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate, int degreeOfParallelism)
    {
        long aNeeded = (long)m * k, bNeeded = (long)n * k;
        Check(m, n, k, degreeOfParallelism, a.Length, aNeeded, b.Length, bNeeded, c.Length, (long)m * n);
        fixed (float* pa = a, pb = b, pc = c)
        {
            Execute(Problem(product, pa, pb, pc, m, n, k, accumulate), level, degreeOfParallelism);
        }
    }

    /// <summary>Number of threads a product of this shape is split over for <paramref name="degreeOfParallelism"/> (for tests).</summary>
    internal static int PlannedThreads(GemmProduct product, int m, int n, int k, int degreeOfParallelism)
    {
        GemmProblem problem = Problem(product, null, null, null, m, n, k, false);
        return GemmParallel.Partition(problem, GemmDriver.Plan(problem, SimdSupport.Level), degreeOfParallelism).Threads;
    }

    /// <summary>The problem of a product of these operands (pointers pinned by the caller).</summary>
    internal static GemmProblem Problem(GemmProduct product, float* a, float* b, float* c, int m, int n, int k, bool accumulate) => product switch
    {
        GemmProduct.ABt => new GemmProblem { A = a, RsA = k, CsA = 1, B = b, RsB = 1, CsB = k, C = c, M = m, N = n, K = k, Accumulate = accumulate },
        GemmProduct.AB => new GemmProblem { A = a, RsA = k, CsA = 1, B = b, RsB = n, CsB = 1, C = c, M = m, N = n, K = k, Accumulate = accumulate },
        _ => new GemmProblem { A = a, RsA = 1, CsA = m, B = b, RsB = n, CsB = 1, C = c, M = m, N = n, K = k, Accumulate = accumulate },
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Execute(in GemmProblem problem, SimdLevel level, int degreeOfParallelism)
    {
        if (problem.M == 0 || problem.N == 0) return;
        if (problem.K == 0)
        {
            if (!problem.Accumulate) new Span<float>(problem.C, problem.M * problem.N).Clear();
            return;
        }

        GemmPlan plan = GemmDriver.Plan(problem, level);
        GemmParallel.Run(problem, plan, level, degreeOfParallelism);
    }

    private static void Check(int m, int n, int k, int degreeOfParallelism, int aLength, long aNeeded, int bLength, long bNeeded, int cLength, long cNeeded)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        if (aLength < aNeeded) throw new ArgumentException($"A holds {aLength} values but the product needs {aNeeded}.", "a");
        if (bLength < bNeeded) throw new ArgumentException($"B holds {bLength} values but the product needs {bNeeded}.", "b");
        if (cLength < cNeeded) throw new ArgumentException($"C holds {cLength} values but the product needs {cNeeded}.", "c");
    }
}
