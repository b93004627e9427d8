using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Intriguing.Linear;

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
