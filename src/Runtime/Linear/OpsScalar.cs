using System.Runtime.CompilerServices;

namespace Intriguing.Linear;

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
