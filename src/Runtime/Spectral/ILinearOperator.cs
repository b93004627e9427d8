namespace Intriguing.Spectral;

/// <summary>
/// A real linear map <c>A : ℝⁿ → ℝᵐ</c> given only by its action and the action of its adjoint, so that
/// <see cref="OperatorNorm"/> can bound its spectral norm without forming the matrix (for example a convolution
/// layer, whose matrix is huge and sparse).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ApplyAdjoint"/> must be the exact transpose of <see cref="Apply"/>: <c>⟨A x, y⟩ = ⟨x, Aᵀ y⟩</c> for
/// every x and y, up to rounding. If it is not, the norm computed is not the norm of <see cref="Apply"/>.
/// </para>
/// <para>
/// Both methods overwrite their destination (they do not accumulate into it) and must be deterministic: the same
/// input must give the same bits, so that <see cref="OperatorNorm"/> is reproducible. Source and destination never
/// overlap when called from <see cref="OperatorNorm"/>.
/// </para>
/// </remarks>
public interface ILinearOperator
{
    /// <summary>n, the length of the input vector x of <see cref="Apply"/> (the number of columns of A).</summary>
    int InputLength { get; }

    /// <summary>m, the length of the output vector y of <see cref="Apply"/> (the number of rows of A).</summary>
    int OutputLength { get; }

    /// <summary>Computes <c>y = A·x</c>.</summary>
    /// <param name="x">The input, of length <see cref="InputLength"/>.</param>
    /// <param name="y">The destination, of length <see cref="OutputLength"/>; overwritten.</param>
    void Apply(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>Computes <c>x = Aᵀ·y</c>.</summary>
    /// <param name="y">The input, of length <see cref="OutputLength"/>.</param>
    /// <param name="x">The destination, of length <see cref="InputLength"/>; overwritten.</param>
    void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x);
}
