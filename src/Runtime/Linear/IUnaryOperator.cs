namespace Intriguing.Linear;

/// <summary>
/// An element-wise function y = f(x) for <see cref="Elementwise.Map{TOperator}(ReadOnlySpan{float}, Span{float}, TOperator)"/>.
/// The struct carries the function's scalar parameters; <see cref="Invoke"/> must round every lane exactly as the
/// scalar instance (<see cref="OpsScalar"/>) rounds one element, so results never depend on the vector width.
/// </summary>
internal interface IUnaryOperator
{
    /// <summary>f applied to every lane of <paramref name="x"/>.</summary>
    TVec Invoke<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : ISimdOps<TVec>;
}
