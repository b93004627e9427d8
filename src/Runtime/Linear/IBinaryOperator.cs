namespace Intriguing.Linear;

/// <summary>
/// An element-wise function z = f(x, y) for <see cref="Elementwise.Map{TOperator}(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, TOperator)"/>.
/// The struct carries the function's scalar parameters; <see cref="Invoke"/> must round every lane exactly as the
/// scalar instance (<see cref="OpsScalar"/>) rounds one element, so results never depend on the vector width.
/// </summary>
internal interface IBinaryOperator
{
    /// <summary>f applied lane by lane to <paramref name="x"/> and <paramref name="y"/>.</summary>
    TVec Invoke<TVec, TOps>(TVec x, TVec y)
        where TVec : struct
        where TOps : ISimdOps<TVec>;
}
