using System.Runtime.Intrinsics;

namespace Intriguing.Linear;

/// <summary>
/// Single-precision input widened to double precision, for one vector width: the operations of kernels that read
/// floats and compute in double (<see cref="Intriguing.Spectral.DenseKernels"/>). The double-precision sibling of <see cref="ISimdOps{TVec}"/>.
/// </summary>
/// <typeparam name="TWide">The double register type: <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> or <see cref="Vector128{T}"/> of double.</typeparam>
internal interface IWideningOps<TWide>
    where TWide : struct
{
    /// <summary>Floats read per step: one float vector, two <typeparamref name="TWide"/> of doubles.</summary>
    static abstract int Width { get; }

    /// <summary>Whether this width is hardware accelerated here.</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TWide Zero { get; }

    /// <summary>Broadcasts <paramref name="value"/> to every lane.</summary>
    static abstract TWide Create(double value);

    /// <summary>Loads <see cref="Width"/> floats at <paramref name="source"/> and widens them: the first half into <paramref name="lower"/>, the rest into <paramref name="upper"/>.</summary>
    static abstract void LoadWidened(ref float source, out TWide lower, out TWide upper);

    /// <summary>Loads <see cref="Width"/>/2 doubles at <paramref name="source"/>.</summary>
    static abstract TWide Load(ref double source);

    /// <summary>Stores <see cref="Width"/>/2 doubles at <paramref name="destination"/>.</summary>
    static abstract void Store(ref double destination, TWide value);

    /// <summary>Lane-wise sum.</summary>
    static abstract TWide Add(TWide x, TWide y);

    /// <summary><c>x·y + z</c> with one rounding (always fused, as <see cref="Math.FusedMultiplyAdd"/>).</summary>
    static abstract TWide FusedMultiplyAdd(TWide x, TWide y, TWide z);

    /// <summary>Sum of the lanes, in the order of <see cref="Vector512.Sum{T}(Vector512{T})"/> and its siblings.</summary>
    static abstract double Sum(TWide value);
}
