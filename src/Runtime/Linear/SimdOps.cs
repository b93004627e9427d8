using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Intriguing.Linear;

/// <summary>A compile-time integer: kernels take it as a type argument so the JIT folds it into a constant.</summary>
internal interface IConstant
{
    static abstract int Value { get; }
}

#pragma warning disable CS1591 // Tiny constant carriers, self-describing.
internal readonly struct N1 : IConstant { public static int Value => 1; }
internal readonly struct N2 : IConstant { public static int Value => 2; }
internal readonly struct N3 : IConstant { public static int Value => 3; }
internal readonly struct N4 : IConstant { public static int Value => 4; }
internal readonly struct N5 : IConstant { public static int Value => 5; }
internal readonly struct N6 : IConstant { public static int Value => 6; }
internal readonly struct N7 : IConstant { public static int Value => 7; }
internal readonly struct N8 : IConstant { public static int Value => 8; }
internal readonly struct N9 : IConstant { public static int Value => 9; }
internal readonly struct N10 : IConstant { public static int Value => 10; }
internal readonly struct N11 : IConstant { public static int Value => 11; }
internal readonly struct N12 : IConstant { public static int Value => 12; }
internal readonly struct N13 : IConstant { public static int Value => 13; }
internal readonly struct N14 : IConstant { public static int Value => 14; }
#pragma warning restore CS1591

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

/// <summary>Lane-by-lane masked loads and stores for platforms without masked move instructions.</summary>
internal static unsafe class SoftwareMask
{
    internal static Vector256<float> Load256(float* p, Vector256<float> mask)
    {
        Vector256<float> v = Vector256<float>.Zero;
        for (int i = 0; i < Vector256<float>.Count; i++) if (mask.AsInt32().GetElement(i) != 0) v = v.WithElement(i, p[i]);
        return v;
    }

    internal static void Store256(float* p, Vector256<float> mask, Vector256<float> v)
    {
        for (int i = 0; i < Vector256<float>.Count; i++) if (mask.AsInt32().GetElement(i) != 0) p[i] = v.GetElement(i);
    }

    internal static Vector128<float> Load128(float* p, Vector128<float> mask)
    {
        Vector128<float> v = Vector128<float>.Zero;
        for (int i = 0; i < Vector128<float>.Count; i++) if (mask.AsInt32().GetElement(i) != 0) v = v.WithElement(i, p[i]);
        return v;
    }

    internal static void Store128(float* p, Vector128<float> mask, Vector128<float> v)
    {
        for (int i = 0; i < Vector128<float>.Count; i++) if (mask.AsInt32().GetElement(i) != 0) p[i] = v.GetElement(i);
    }
}

/// <summary>AVX-512 (or any 512-bit) vectors.</summary>
internal readonly unsafe struct Ops512 : ISimdOps<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Mask(int lanes) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(lanes)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadMasked(float* p, Vector512<float> mask) => Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(float* p, Vector512<float> mask, Vector512<float> v)
    {
        Avx512F.MaskStore(p, mask, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadLastMasked(float* end, int fresh) =>
        Vector512.Load(end - 16) & Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(16 - fresh)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float* p) => Vector512.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> x, Vector512<float> y) => Vector512.GreaterThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ConditionalSelect(Vector512<float> mask, Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(mask, x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> x, Vector512<float> y, Vector512<float> z) => Vector512.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> x, Vector512<float> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> x, Vector512<float> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> x, Vector512<float> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v) => Ops256.Sum(v.GetLower() + v.GetUpper());
}

/// <summary>AVX2 + FMA (or any 256-bit with fused multiply-add) vectors.</summary>
internal readonly unsafe struct Ops256 : ISimdOps<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Mask(int lanes) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(lanes)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadMasked(float* p, Vector256<float> mask) => Avx.IsSupported ? Avx.MaskLoad(p, mask) : SoftwareMask.Load256(p, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(float* p, Vector256<float> mask, Vector256<float> v)
    {
        if (Avx.IsSupported) Avx.MaskStore(p, mask, v); else SoftwareMask.Store256(p, mask, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadLastMasked(float* end, int fresh) =>
        Vector256.Load(end - 8) & Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(8 - fresh)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float* p) => Vector256.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> x, Vector256<float> y) => Vector256.GreaterThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ConditionalSelect(Vector256<float> mask, Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(mask, x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> z) => Vector256.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> x, Vector256<float> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> x, Vector256<float> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> x, Vector256<float> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => Ops128.Sum(v.GetLower() + v.GetUpper());
}

/// <summary>128-bit vectors with fused multiply-add (x86 FMA or Arm64 AdvSimd).</summary>
internal readonly unsafe struct Ops128 : ISimdOps<Vector128<float>>
{
    public static int Width => Vector128<float>.Count;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mask(int lanes) => Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(lanes)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadMasked(float* p, Vector128<float> mask) => Avx.IsSupported ? Avx.MaskLoad(p, mask) : SoftwareMask.Load128(p, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(float* p, Vector128<float> mask, Vector128<float> v)
    {
        if (Avx.IsSupported) Avx.MaskStore(p, mask, v); else SoftwareMask.Store128(p, mask, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadLastMasked(float* end, int fresh) =>
        Vector128.Load(end - 4) & Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(4 - fresh)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float* p) => Vector128.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Create(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> GreaterThan(Vector128<float> x, Vector128<float> y) => Vector128.GreaterThan(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ConditionalSelect(Vector128<float> mask, Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(mask, x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> z) => Vector128.FusedMultiplyAdd(x, y, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> x, Vector128<float> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> x, Vector128<float> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> x, Vector128<float> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector128<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> v) => (v.GetElement(0) + v.GetElement(2)) + (v.GetElement(1) + v.GetElement(3));
}

/// <summary>Plain scalar code: the fallback without hardware intrinsics. Multiply and add are separate roundings here.</summary>
internal readonly unsafe struct OpsScalar : ISimdOps<float>
{
    public static int Width => 1;
    public static float Zero => 0f;
    public static float Mask(int lanes) => lanes > 0 ? BitConverter.Int32BitsToSingle(-1) : 0f;
    public static float LoadMasked(float* p, float mask) => BitConverter.SingleToInt32Bits(mask) != 0 ? *p : 0f;
    public static void StoreMasked(float* p, float mask, float v)
    {
        if (BitConverter.SingleToInt32Bits(mask) != 0) *p = v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadLastMasked(float* end, int fresh) => end[-1];
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GreaterThan(float x, float y) => x > y ? BitConverter.Int32BitsToSingle(-1) : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ConditionalSelect(float mask, float x, float y) => BitConverter.SingleToInt32Bits(mask) != 0 ? x : y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float x, float y, float z) => (x * y) + z;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float x, float y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float x, float y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float x, float y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float v) => v;
}

/// <summary>Which of the <see cref="ISimdOps{TVec}"/> implementations this process runs.</summary>
internal enum SimdLevel
{
    /// <summary><see cref="OpsScalar"/>.</summary>
    Scalar,

    /// <summary><see cref="Ops128"/>.</summary>
    Vector128,

    /// <summary><see cref="Ops256"/>.</summary>
    Vector256,

    /// <summary><see cref="Ops512"/>.</summary>
    Vector512,
}

/// <summary>Run-time choice of vector widths: the widest with fused multiply-add for the GEMM kernels, the widest accelerated one for element-wise kernels.</summary>
internal static class SimdSupport
{
    /// <summary>The level the GEMM kernels use in this process.</summary>
    internal static readonly SimdLevel Level = Detect();

    /// <summary>
    /// The level of element-wise kernels (<see cref="Elementwise"/>): the widest hardware-accelerated width, fused
    /// multiply-add not required. The result of an element never depends on it.
    /// </summary>
    internal static readonly SimdLevel ElementwiseLevel =
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>Whether kernels of <paramref name="level"/> can run here (every level up to the detected one can).</summary>
    internal static bool CanRun(SimdLevel level) => level switch
    {
        SimdLevel.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        SimdLevel.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        SimdLevel.Vector128 => Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.Arm64.IsSupported),
        _ => true,
    };

    private static SimdLevel Detect()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return SimdLevel.Vector512;
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return SimdLevel.Vector256;
        if (Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.Arm64.IsSupported)) return SimdLevel.Vector128;
        return SimdLevel.Scalar;
    }
}
