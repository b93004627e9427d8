using System.Runtime.Intrinsics;

namespace Intriguing.Linear;

/// <summary>
/// The handful of single-precision vector operations the GEMM kernels need, for one vector width.
/// Kernels are generic over an implementation so one source serves Vector512, Vector256, Vector128 and scalar code.
/// </summary>
/// <typeparam name="TVec">The register type: <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>, <see cref="Vector128{T}"/> or <see cref="float"/>.</typeparam>
internal unsafe interface ISimdOps<TVec>
    where TVec : struct
{
    /// <summary>Number of floats in one <typeparamref name="TVec"/>.</summary>
    static abstract int Width { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVec Zero { get; }

    /// <summary>Loads <see cref="Width"/> floats from <paramref name="p"/> (no alignment needed).</summary>
    static abstract TVec Load(float* p);

    /// <summary>Loads the <see cref="Width"/> floats that end at <paramref name="end"/> and zeroes all but the last <paramref name="fresh"/> lanes.</summary>
    static abstract TVec LoadLastMasked(float* end, int fresh);

    /// <summary>A mask with the first <paramref name="lanes"/> lanes set (all bits) and the rest clear.</summary>
    static abstract TVec Mask(int lanes);

    /// <summary>Loads the lanes of <paramref name="mask"/> from <paramref name="p"/>, zero elsewhere; memory under clear lanes is not touched.</summary>
    static abstract TVec LoadMasked(float* p, TVec mask);

    /// <summary>Stores the lanes of <paramref name="mask"/> to <paramref name="p"/>; memory under clear lanes is not touched.</summary>
    static abstract void StoreMasked(float* p, TVec mask, TVec v);

    /// <summary>Broadcasts <c>*p</c> to every lane.</summary>
    static abstract TVec Broadcast(float* p);

    /// <summary>Broadcasts <paramref name="value"/> to every lane.</summary>
    static abstract TVec Create(float value);

    /// <summary>A mask with the lanes where x &gt; y set (all bits) and the rest clear (NaN compares false).</summary>
    static abstract TVec GreaterThan(TVec x, TVec y);

    /// <summary>Per lane: <paramref name="x"/> where <paramref name="mask"/> is set, <paramref name="y"/> where it is clear (masks from <see cref="GreaterThan"/> or <see cref="Mask"/>).</summary>
    static abstract TVec ConditionalSelect(TVec mask, TVec x, TVec y);

    /// <summary><c>x·y + z</c>, fused when the hardware has FMA.</summary>
    static abstract TVec MultiplyAdd(TVec x, TVec y, TVec z);

    /// <summary>Lane-wise sum.</summary>
    static abstract TVec Add(TVec x, TVec y);

    /// <summary>Lane-wise product (rounded, never fused with a following addition).</summary>
    static abstract TVec Multiply(TVec x, TVec y);

    /// <summary>Lane-wise difference x − y.</summary>
    static abstract TVec Subtract(TVec x, TVec y);

    /// <summary>Stores <see cref="Width"/> floats at <paramref name="p"/>.</summary>
    static abstract void Store(float* p, TVec v);

    /// <summary>Sum of the lanes, in a fixed order.</summary>
    static abstract float Sum(TVec v);
}
