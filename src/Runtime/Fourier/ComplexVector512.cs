using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Fourier;

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
