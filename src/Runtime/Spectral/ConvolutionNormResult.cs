namespace Intriguing.Spectral;

/// <summary>The outcome of <see cref="ConvolutionNorm.Compute"/>.</summary>
/// <param name="Estimate">The largest Ritz value found over all frequencies: a lower estimate of the operator norm
/// (a lower bound up to rounding of order 1e-13 relative).</param>
/// <param name="UpperBound">A certified upper bound of the operator norm (see <see cref="ConvolutionNorm"/>).</param>
/// <param name="Exact">True for circular padding, where the Fourier value is the layer's norm itself; false for
/// zero padding, where it is an upper bound of the layer's norm.</param>
/// <param name="PeriodHeight">N_y, the height of the periodic map the frequencies live on.</param>
/// <param name="PeriodWidth">N_x, the width of the periodic map.</param>
/// <param name="PeakRow">Row of the output-grid frequency η where <paramref name="Estimate"/> was found.</param>
/// <param name="PeakColumn">Column of that frequency.</param>
/// <param name="Frequencies">The frequencies η processed (about half of the (N_y/s_y)·(N_x/s_x) grid).</param>
/// <param name="CertifiedByFrobenius">Frequencies whose Frobenius norm alone was below the level.</param>
/// <param name="CertifiedByCholesky">Frequencies certified by a Cholesky factorisation at the common level.</param>
/// <param name="Refined">Frequencies that needed a Lanczos run (the screening candidates and any frequency whose
/// factorisation at the common level failed).</param>
public sealed record ConvolutionNormResult(
    double Estimate, double UpperBound, bool Exact, int PeriodHeight, int PeriodWidth, int PeakRow, int PeakColumn,
    int Frequencies, int CertifiedByFrobenius, int CertifiedByCholesky, int Refined)
{
    /// <summary>(UpperBound − Estimate) / Estimate, or 0 when both are 0.</summary>
    public double RelativeGap => Estimate > 0 ? (UpperBound - Estimate) / Estimate : UpperBound > 0 ? double.PositiveInfinity : 0;
}
