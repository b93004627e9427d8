using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Fourier;

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
