using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Linear;

/// <summary>
/// The one driver of element-wise kernels: runs an operator struct (<see cref="IUnaryOperator"/>,
/// <see cref="IBinaryOperator"/>, <see cref="IPairUpdateOperator"/>) over whole vectors of the width chosen once per
/// process (<see cref="SimdSupport.ElementwiseLevel"/>), then over the remaining elements one at a time with
/// <see cref="OpsScalar"/>. Elements are independent, so results do not depend on the width or on alignment.
/// </summary>
/// <remarks>
/// Lengths are validated before anything is written. A destination may be one of the inputs itself but must not
/// otherwise overlap them. See docs/vectorisation.md.
/// </remarks>
internal static unsafe class Elementwise
{
    /// <summary>destination[i] = f(x[i]) for i &lt; x.Length.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="x"/> or partly overlaps it.</exception>
    public static void Map<TOperator>(ReadOnlySpan<float> x, Span<float> destination, TOperator op)
        where TOperator : struct, IUnaryOperator => Map(x, destination, op, SimdSupport.ElementwiseLevel);

    /// <summary>As <see cref="Map{TOperator}(ReadOnlySpan{float}, Span{float}, TOperator)"/> at a given level (tests run every level this machine can).</summary>
    internal static void Map<TOperator>(ReadOnlySpan<float> x, Span<float> destination, TOperator op, SimdLevel level)
        where TOperator : struct, IUnaryOperator
    {
        if (destination.Length < x.Length) throw new ArgumentException("The destination is shorter than the input.", nameof(destination));
        ThrowIfPartlyOverlapping(x, destination);
        fixed (float* px = x, pd = destination)
        {
            switch (level)
            {
                case SimdLevel.Vector512: Map<Vector512<float>, Ops512, TOperator>(px, pd, x.Length, op); break;
                case SimdLevel.Vector256: Map<Vector256<float>, Ops256, TOperator>(px, pd, x.Length, op); break;
                case SimdLevel.Vector128: Map<Vector128<float>, Ops128, TOperator>(px, pd, x.Length, op); break;
                default: Map<float, OpsScalar, TOperator>(px, pd, x.Length, op); break;
            }
        }
    }

    /// <summary>destination[i] = f(x[i], y[i]) for i &lt; x.Length.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> and <paramref name="y"/> differ in length, or <paramref name="destination"/> is shorter or partly overlaps one of them.</exception>
    public static void Map<TOperator>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, TOperator op)
        where TOperator : struct, IBinaryOperator => Map(x, y, destination, op, SimdSupport.ElementwiseLevel);

    /// <summary>As <see cref="Map{TOperator}(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, TOperator)"/> at a given level.</summary>
    internal static void Map<TOperator>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, TOperator op, SimdLevel level)
        where TOperator : struct, IBinaryOperator
    {
        if (destination.Length < x.Length) throw new ArgumentException("The destination is shorter than the inputs.", nameof(destination));
        if (x.Length != y.Length) throw new ArgumentException("The inputs differ in length.", nameof(y));
        ThrowIfPartlyOverlapping(x, destination);
        ThrowIfPartlyOverlapping(y, destination);
        fixed (float* px = x, py = y, pd = destination)
        {
            switch (level)
            {
                case SimdLevel.Vector512: Map<Vector512<float>, Ops512, TOperator>(px, py, pd, x.Length, op); break;
                case SimdLevel.Vector256: Map<Vector256<float>, Ops256, TOperator>(px, py, pd, x.Length, op); break;
                case SimdLevel.Vector128: Map<Vector128<float>, Ops128, TOperator>(px, py, pd, x.Length, op); break;
                default: Map<float, OpsScalar, TOperator>(px, py, pd, x.Length, op); break;
            }
        }
    }

    /// <summary>(a[i], b[i]) ← f(a[i], b[i], c[i]) in place for every i.</summary>
    /// <exception cref="ArgumentException">The three spans differ in length, or <paramref name="a"/> and <paramref name="b"/> overlap.</exception>
    public static void Update<TOperator>(Span<float> a, Span<float> b, ReadOnlySpan<float> c, TOperator op)
        where TOperator : struct, IPairUpdateOperator => Update(a, b, c, op, SimdSupport.ElementwiseLevel);

    /// <summary>As <see cref="Update{TOperator}(Span{float}, Span{float}, ReadOnlySpan{float}, TOperator)"/> at a given level.</summary>
    internal static void Update<TOperator>(Span<float> a, Span<float> b, ReadOnlySpan<float> c, TOperator op, SimdLevel level)
        where TOperator : struct, IPairUpdateOperator
    {
        if (a.Length != b.Length || a.Length != c.Length) throw new ArgumentException("The spans differ in length.");
        if (a.Overlaps(b)) throw new ArgumentException("The two updated spans overlap.", nameof(b));
        fixed (float* pa = a, pb = b, pc = c)
        {
            switch (level)
            {
                case SimdLevel.Vector512: Update<Vector512<float>, Ops512, TOperator>(pa, pb, pc, a.Length, op); break;
                case SimdLevel.Vector256: Update<Vector256<float>, Ops256, TOperator>(pa, pb, pc, a.Length, op); break;
                case SimdLevel.Vector128: Update<Vector128<float>, Ops128, TOperator>(pa, pb, pc, a.Length, op); break;
                default: Update<float, OpsScalar, TOperator>(pa, pb, pc, a.Length, op); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TVec, TOps, TOperator>(float* x, float* destination, int n, TOperator op)
        where TVec : struct
        where TOps : ISimdOps<TVec>
        where TOperator : struct, IUnaryOperator
    {
        int i = 0;
        for (; i <= n - TOps.Width; i += TOps.Width) TOps.Store(destination + i, op.Invoke<TVec, TOps>(TOps.Load(x + i)));
        for (; i < n; i++) destination[i] = op.Invoke<float, OpsScalar>(x[i]); // the tail
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TVec, TOps, TOperator>(float* x, float* y, float* destination, int n, TOperator op)
        where TVec : struct
        where TOps : ISimdOps<TVec>
        where TOperator : struct, IBinaryOperator
    {
        int i = 0;
        for (; i <= n - TOps.Width; i += TOps.Width) TOps.Store(destination + i, op.Invoke<TVec, TOps>(TOps.Load(x + i), TOps.Load(y + i)));
        for (; i < n; i++) destination[i] = op.Invoke<float, OpsScalar>(x[i], y[i]); // the tail
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update<TVec, TOps, TOperator>(float* a, float* b, float* c, int n, TOperator op)
        where TVec : struct
        where TOps : ISimdOps<TVec>
        where TOperator : struct, IPairUpdateOperator
    {
        int i = 0;
        for (; i <= n - TOps.Width; i += TOps.Width)
        {
            TVec va = TOps.Load(a + i), vb = TOps.Load(b + i);
            op.Invoke<TVec, TOps>(ref va, ref vb, TOps.Load(c + i));
            TOps.Store(a + i, va);
            TOps.Store(b + i, vb);
        }

        for (; i < n; i++) op.Invoke<float, OpsScalar>(ref a[i], ref b[i], c[i]); // the tail
    }

    /// <summary>Whether <paramref name="level"/> can run element-wise kernels here (every level up to <see cref="SimdSupport.ElementwiseLevel"/>).</summary>
    internal static bool CanRun(SimdLevel level) => level <= SimdSupport.ElementwiseLevel;

    /// <summary>Throws when <paramref name="destination"/> overlaps <paramref name="input"/> without starting at the same element.</summary>
    private static void ThrowIfPartlyOverlapping(ReadOnlySpan<float> input, ReadOnlySpan<float> destination)
    {
        if (input.Overlaps(destination) && !Unsafe.AreSame(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(destination)))
        {
            throw new ArgumentException("The destination partly overlaps an input.", nameof(destination));
        }
    }
}
