using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Fourier;

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
