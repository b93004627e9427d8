namespace Intriguing.Linear;

/// <summary>
/// An element-wise in-place update of two arrays from a third, (a, b) ← f(a, b, c), for
/// <see cref="Elementwise.Update{TOperator}(Span{float}, Span{float}, ReadOnlySpan{float}, TOperator)"/> (a momentum step: a = θ, b = v, c = g).
/// The struct carries the update's scalar parameters; <see cref="Invoke"/> must round every lane exactly as the
/// scalar instance (<see cref="OpsScalar"/>) rounds one element, so results never depend on the vector width.
/// </summary>
internal interface IPairUpdateOperator
{
    /// <summary>Updates <paramref name="a"/> and <paramref name="b"/> lane by lane from their values and <paramref name="c"/>.</summary>
    void Invoke<TVec, TOps>(ref TVec a, ref TVec b, TVec c)
        where TVec : struct
        where TOps : ISimdOps<TVec>;
}
