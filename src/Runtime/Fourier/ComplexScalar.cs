using System.Numerics;
using System.Runtime.CompilerServices;

namespace Intriguing.Fourier;

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
