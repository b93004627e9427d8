using System.Runtime.Intrinsics;

namespace Intriguing.Linear;

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
