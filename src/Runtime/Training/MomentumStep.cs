using System.Runtime.CompilerServices;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// The SGD momentum update of one parameter, for <see cref="Elementwise.Update{TOperator}(Span{float}, Span{float}, ReadOnlySpan{float}, TOperator)"/> with a = θ, b = v, c = g:
/// v ← μ·v − η·g; θ ← θ + v (Nesterov: θ ← θ + μ·v − η·g), each operation rounded separately (never fused).
/// </summary>
/// <param name="momentum">μ.</param>
/// <param name="rate">η.</param>
/// <param name="nesterov">Nesterov momentum.</param>
/// <param name="gradientFromZero">The gradient is formed as 0 + c, as a bias gradient summed into a cleared buffer is (it turns −0 into +0).</param>
internal readonly struct MomentumStep(float momentum, float rate, bool nesterov, bool gradientFromZero = false) : IPairUpdateOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke<TVec, TOps>(ref TVec a, ref TVec b, TVec c)
        where TVec : struct
        where TOps : ISimdOps<TVec>
    {
        TVec mu = TOps.Create(momentum);
        TVec g = gradientFromZero ? TOps.Add(TOps.Zero, c) : c;
        TVec step = TOps.Multiply(TOps.Create(rate), g);
        TVec v = TOps.Subtract(TOps.Multiply(mu, b), step);
        b = v;
        a = TOps.Add(a, nesterov ? TOps.Subtract(TOps.Multiply(mu, v), step) : v);
    }
}
