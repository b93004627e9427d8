using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Fourier;

/// <summary>
/// A register holding <see cref="Count"/> interleaved complex numbers <c>[re0, im0, re1, im1, …]</c> of type
/// <typeparamref name="T"/>. The FFT passes are written once against this interface and the JIT specialises them
/// for each implementation (Vector512 → Vector256 → Vector128 → scalar), so there is no dispatch inside loops.
/// </summary>
internal interface IComplexVector<TSelf, T>
    where TSelf : unmanaged, IComplexVector<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Complex numbers per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether the hardware accelerates this width.</summary>
    static abstract bool IsSupported { get; }

    static abstract TSelf Load(ref T source);

    static abstract void Store(ref T destination, TSelf value);

    /// <summary>Replicates the pair <c>(pair[0], pair[1])</c> into every complex slot.</summary>
    static abstract TSelf BroadcastPair(ref T pair);

    /// <summary>Fills every component with <paramref name="value"/>.</summary>
    static abstract TSelf Broadcast(T value);

    /// <summary>Fills every complex slot with <c>(re, im)</c> (built in registers; constants fold).</summary>
    static abstract TSelf CreatePair(T re, T im);

    /// <summary>Exchanges the real and imaginary part of every complex slot: <c>(re, im) → (im, re)</c>.</summary>
    static abstract TSelf Swap(TSelf value);

    /// <summary>Reverses the order of the complex slots (each pair kept as (re, im)).</summary>
    static abstract TSelf Reverse(TSelf value);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary><c>a·b + c</c> component-wise (fused where the hardware has FMA).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
}

/// <summary>Helpers shared by the vector implementations.</summary>
internal static class ComplexVector
{
    /// <summary>
    /// Complex product with a twiddle held as two broadcast registers <c>wr = (w.re, w.re)</c> and
    /// <c>wi = (−w.im, w.im)</c>: <c>v·w = v·wr + swap(v)·wi</c>, i.e. <c>(re·w.re − im·w.im, im·w.re + re·w.im)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Twiddle<TV, T>(TV v, TV wr, TV wi)
        where TV : unmanaged, IComplexVector<TV, T>
        where T : unmanaged, IFloatingPointIeee754<T>
        => TV.MultiplyAdd(TV.Swap(v), wi, v * wr);

    /// <summary>Loads a twiddle stored as four values <c>(w.re, w.re, −w.im, w.im)</c> at <paramref name="pair"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTwiddle<TV, T>(ref T pair, out TV wr, out TV wi)
        where TV : unmanaged, IComplexVector<TV, T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        wr = TV.BroadcastPair(ref pair);
        wi = TV.BroadcastPair(ref Unsafe.Add(ref pair, 2));
    }

    /// <summary>A register whose pairs are <c>(a, b)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Pair<TV, T>(T a, T b)
        where TV : unmanaged, IComplexVector<TV, T>
        where T : unmanaged, IFloatingPointIeee754<T>
        => TV.CreatePair(a, b);
}

/// <summary>Eight (float) or four (double) complex numbers in a <see cref="Vector512{T}"/>.</summary>
internal readonly struct ComplexVector512<T> : IComplexVector<ComplexVector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v;

    private ComplexVector512(Vector512<T> v) => _v = v;

    public static int Count => Vector512<T>.Count / 2;

    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> Load(ref T source) => new(Vector512.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref T destination, ComplexVector512<T> value) => value._v.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> BroadcastPair(ref T pair)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector512.Create(Unsafe.ReadUnaligned<double>(ref Unsafe.As<T, byte>(ref pair))).As<double, T>());
        }
        Vector256<T> half = Vector256.Create(Vector128.LoadUnsafe(ref pair), Vector128.LoadUnsafe(ref pair));
        return new(Vector512.Create(half, half));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> Broadcast(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> CreatePair(T re, T im)
    {
        if (typeof(T) == typeof(float))
        {
            float a = float.CreateTruncating(re), b = float.CreateTruncating(im);
            return new(Vector512.Create(a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b).As<float, T>());
        }
        double c = double.CreateTruncating(re), d = double.CreateTruncating(im);
        return new(Vector512.Create(c, d, c, d, c, d, c, d).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> Swap(ComplexVector512<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector512.Shuffle(value._v.As<T, float>(),
                Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14)).As<float, T>());
        }
        return new(Vector512.Shuffle(value._v.As<T, double>(), Vector512.Create(1L, 0, 3, 2, 5, 4, 7, 6)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> Reverse(ComplexVector512<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector512.Shuffle(value._v.As<T, double>(), Vector512.Create(7L, 6, 5, 4, 3, 2, 1, 0)).As<double, T>());
        }
        return new(Vector512.Shuffle(value._v.As<T, double>(), Vector512.Create(6L, 7, 4, 5, 2, 3, 0, 1)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> operator +(ComplexVector512<T> a, ComplexVector512<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> operator -(ComplexVector512<T> a, ComplexVector512<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> operator *(ComplexVector512<T> a, ComplexVector512<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector512<T> MultiplyAdd(ComplexVector512<T> a, ComplexVector512<T> b, ComplexVector512<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector512.FusedMultiplyAdd(a._v.As<T, float>(), b._v.As<T, float>(), c._v.As<T, float>()).As<float, T>());
        }
        return new(Vector512.FusedMultiplyAdd(a._v.As<T, double>(), b._v.As<T, double>(), c._v.As<T, double>()).As<double, T>());
    }
}

/// <summary>Four (float) or two (double) complex numbers in a <see cref="Vector256{T}"/>.</summary>
internal readonly struct ComplexVector256<T> : IComplexVector<ComplexVector256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v;

    private ComplexVector256(Vector256<T> v) => _v = v;

    public static int Count => Vector256<T>.Count / 2;

    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> Load(ref T source) => new(Vector256.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref T destination, ComplexVector256<T> value) => value._v.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> BroadcastPair(ref T pair)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector256.Create(Unsafe.ReadUnaligned<double>(ref Unsafe.As<T, byte>(ref pair))).As<double, T>());
        }
        return new(Vector256.Create(Vector128.LoadUnsafe(ref pair), Vector128.LoadUnsafe(ref pair)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> Broadcast(T value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> CreatePair(T re, T im)
    {
        if (typeof(T) == typeof(float))
        {
            float a = float.CreateTruncating(re), b = float.CreateTruncating(im);
            return new(Vector256.Create(a, b, a, b, a, b, a, b).As<float, T>());
        }
        double c = double.CreateTruncating(re), d = double.CreateTruncating(im);
        return new(Vector256.Create(c, d, c, d).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> Swap(ComplexVector256<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector256.Shuffle(value._v.As<T, float>(), Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)).As<float, T>());
        }
        return new(Vector256.Shuffle(value._v.As<T, double>(), Vector256.Create(1L, 0, 3, 2)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> Reverse(ComplexVector256<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector256.Shuffle(value._v.As<T, double>(), Vector256.Create(3L, 2, 1, 0)).As<double, T>());
        }
        return new(Vector256.Shuffle(value._v.As<T, double>(), Vector256.Create(2L, 3, 0, 1)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> operator +(ComplexVector256<T> a, ComplexVector256<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> operator -(ComplexVector256<T> a, ComplexVector256<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> operator *(ComplexVector256<T> a, ComplexVector256<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector256<T> MultiplyAdd(ComplexVector256<T> a, ComplexVector256<T> b, ComplexVector256<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector256.FusedMultiplyAdd(a._v.As<T, float>(), b._v.As<T, float>(), c._v.As<T, float>()).As<float, T>());
        }
        return new(Vector256.FusedMultiplyAdd(a._v.As<T, double>(), b._v.As<T, double>(), c._v.As<T, double>()).As<double, T>());
    }
}

/// <summary>Two (float) or one (double) complex numbers in a <see cref="Vector128{T}"/>.</summary>
internal readonly struct ComplexVector128<T> : IComplexVector<ComplexVector128<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector128<T> _v;

    private ComplexVector128(Vector128<T> v) => _v = v;

    public static int Count => Vector128<T>.Count / 2;

    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> Load(ref T source) => new(Vector128.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref T destination, ComplexVector128<T> value) => value._v.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> BroadcastPair(ref T pair)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector128.Create(Unsafe.ReadUnaligned<double>(ref Unsafe.As<T, byte>(ref pair))).As<double, T>());
        }
        return new(Vector128.LoadUnsafe(ref pair));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> Broadcast(T value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> CreatePair(T re, T im)
    {
        if (typeof(T) == typeof(float))
        {
            float a = float.CreateTruncating(re), b = float.CreateTruncating(im);
            return new(Vector128.Create(a, b, a, b).As<float, T>());
        }
        return new(Vector128.Create(double.CreateTruncating(re), double.CreateTruncating(im)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> Swap(ComplexVector128<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector128.Shuffle(value._v.As<T, float>(), Vector128.Create(1, 0, 3, 2)).As<float, T>());
        }
        return new(Vector128.Shuffle(value._v.As<T, double>(), Vector128.Create(1L, 0)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> Reverse(ComplexVector128<T> value)
        => typeof(T) == typeof(float)
            ? new(Vector128.Shuffle(value._v.As<T, double>(), Vector128.Create(1L, 0)).As<double, T>())
            : value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> operator +(ComplexVector128<T> a, ComplexVector128<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> operator -(ComplexVector128<T> a, ComplexVector128<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> operator *(ComplexVector128<T> a, ComplexVector128<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexVector128<T> MultiplyAdd(ComplexVector128<T> a, ComplexVector128<T> b, ComplexVector128<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return new(Vector128.FusedMultiplyAdd(a._v.As<T, float>(), b._v.As<T, float>(), c._v.As<T, float>()).As<float, T>());
        }
        return new(Vector128.FusedMultiplyAdd(a._v.As<T, double>(), b._v.As<T, double>(), c._v.As<T, double>()).As<double, T>());
    }
}

/// <summary>One complex number in two scalars: the fallback when no vector width is accelerated or fits.</summary>
internal readonly struct ComplexScalar<T> : IComplexVector<ComplexScalar<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _re;
    private readonly T _im;

    private ComplexScalar(T re, T im)
    {
        _re = re;
        _im = im;
    }

    public static int Count => 1;

    public static bool IsSupported => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> Load(ref T source) => new(source, Unsafe.Add(ref source, 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref T destination, ComplexScalar<T> value)
    {
        destination = value._re;
        Unsafe.Add(ref destination, 1) = value._im;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> BroadcastPair(ref T pair) => new(pair, Unsafe.Add(ref pair, 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> Broadcast(T value) => new(value, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> CreatePair(T re, T im) => new(re, im);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> Swap(ComplexScalar<T> value) => new(value._im, value._re);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> Reverse(ComplexScalar<T> value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> operator +(ComplexScalar<T> a, ComplexScalar<T> b) => new(a._re + b._re, a._im + b._im);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> operator -(ComplexScalar<T> a, ComplexScalar<T> b) => new(a._re - b._re, a._im - b._im);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> operator *(ComplexScalar<T> a, ComplexScalar<T> b) => new(a._re * b._re, a._im * b._im);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ComplexScalar<T> MultiplyAdd(ComplexScalar<T> a, ComplexScalar<T> b, ComplexScalar<T> c)
        => new(T.FusedMultiplyAdd(a._re, b._re, c._re), T.FusedMultiplyAdd(a._im, b._im, c._im));
}
