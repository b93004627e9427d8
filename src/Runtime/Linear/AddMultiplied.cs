using System.Runtime.CompilerServices;
namespace Intriguing.Linear;

/// <summary>z = x + w·y with a constant w, the product rounded before the sum (never fused).</summary>
/// <param name="w">The weight of y.</param>
internal readonly struct AddMultiplied(float w) : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Invoke<TVec, TOps>(TVec x, TVec y)
        where TVec : struct
        where TOps : ISimdOps<TVec> => TOps.Add(x, TOps.Multiply(TOps.Create(w), y));
}
