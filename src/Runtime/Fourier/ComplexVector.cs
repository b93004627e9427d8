using System.Numerics;
using System.Runtime.CompilerServices;

namespace Intriguing.Fourier;

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
