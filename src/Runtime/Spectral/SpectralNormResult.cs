namespace Intriguing.Spectral;

/// <summary>
/// The outcome of <see cref="OperatorNorm"/>: an estimate of the largest singular value σ₁ of an operator, an
/// upper bound on it, and how they were obtained.
/// </summary>
/// <param name="Estimate">
/// The largest Ritz value θ (the largest singular value of the projected bidiagonal matrix). It is a lower bound
/// on σ₁ up to rounding of order <c>k·ε·σ₁</c>, k being <paramref name="Iterations"/> and ε = 2⁻⁵².
/// </param>
/// <param name="UpperBound">
/// <c>Estimate + ErrorEstimate</c>, rounded up to the next representable double. See <see cref="OperatorNorm"/>
/// for exactly what this guarantees and what it does not.
/// </param>
/// <param name="ErrorEstimate">
/// The non-negative amount added to <paramref name="Estimate"/> to form <paramref name="UpperBound"/>: the
/// residual bound (taken over a window of recent iterations), plus an allowance for rounding, plus (unless the
/// Krylov space became invariant) a safety margin. See <see cref="OperatorNorm"/>.
/// </param>
/// <param name="Iterations">
/// The number of Golub–Kahan–Lanczos steps taken; each step costs one application of A and one of Aᵀ.
/// </param>
/// <param name="Converged">
/// True when <c>ErrorEstimate ≤ RelativeTolerance·Estimate</c> was reached or the Krylov space became invariant
/// (in which case the estimate is exact up to rounding); false when the iteration limit stopped the run first. The
/// upper bound is reported in both cases.
/// </param>
public readonly record struct SpectralNormResult(
    double Estimate,
    double UpperBound,
    double ErrorEstimate,
    int Iterations,
    bool Converged)
{
    /// <summary>The relative width of the bracket, <c>(UpperBound − Estimate) / Estimate</c> (0 when both are 0).</summary>
    public double RelativeError => Estimate > 0 ? (UpperBound - Estimate) / Estimate : UpperBound > 0 ? double.PositiveInfinity : 0;
}
