using System.Numerics;
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
