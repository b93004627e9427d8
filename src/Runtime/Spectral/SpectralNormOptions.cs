namespace Intriguing.Spectral;

/// <summary>Settings for <see cref="OperatorNorm"/>. The defaults suit weight matrices of neural networks.</summary>
public sealed record SpectralNormOptions
{
    /// <summary>The default settings.</summary>
    public static SpectralNormOptions Default { get; } = new();

    /// <summary>
    /// The target for <c>(UpperBound − Estimate) / Estimate</c>; the run stops as soon as it is met. Must lie in
    /// (0, 1). Default 1e-6. Values below about 1e-10 cannot be met on large operators because of the rounding
    /// allowance (see <see cref="OperatorNorm"/>); the run then stops at <see cref="MaxIterations"/> with
    /// <see cref="SpectralNormResult.Converged"/> false.
    /// </summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>
    /// The most Golub–Kahan–Lanczos steps to take (each is one product with A and one with Aᵀ). The run never takes
    /// more than <c>min(m, n) + 1</c>, after which the Krylov space is exhausted and the answer exact up to rounding.
    /// Default 1000. Memory grows with the steps taken: <c>8·k·(m + n)</c> bytes for k steps.
    /// </summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>The seed of the Gaussian start vector. The same seed and operator give the same bits.</summary>
    public ulong Seed { get; init; } = 0x5EED_2013_0001UL;

    /// <summary>
    /// The residual window as a fraction of the steps taken: the error estimate uses the largest residual of the
    /// last <c>⌈ResidualWindowFraction·k⌉</c> steps rather than the latest one alone, because a residual can dip
    /// briefly while the top of a tight cluster of singular values is still unresolved. Must lie in [0, 1];
    /// 0 uses the latest residual only. Default 0.25.
    /// </summary>
    public double ResidualWindowFraction { get; init; } = 0.25;

    /// <summary>
    /// An extra relative margin added to the error estimate (as <c>RelativeSafetyMargin·Estimate</c>) unless the
    /// Krylov space became invariant. It covers a top cluster of singular values narrower than the tolerance
    /// that the iteration has not resolved. Must be non-negative and smaller than <see cref="RelativeTolerance"/>.
    /// Null (the default) means <c>RelativeTolerance / 4</c>.
    /// </summary>
    public double? RelativeSafetyMargin { get; init; }

    /// <summary>
    /// The number of independent runs, each from its own Gaussian start vector (the first from <see cref="Seed"/>,
    /// the others from seeds derived from it). The result takes the largest estimate and the largest upper bound,
    /// so the bound comes out low only if every run misses the top of the spectrum; the cost grows in proportion.
    /// Must be at least 1. Default 1; see <see cref="OperatorNorm"/> for when 2 is worth it.
    /// </summary>
    public int IndependentStarts { get; init; } = 1;

    internal double EffectiveSafetyMargin => RelativeSafetyMargin ?? RelativeTolerance / 4;

    internal void Validate()
    {
        if (!(RelativeTolerance > 0 && RelativeTolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "RelativeTolerance must lie in the open interval (0, 1).");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        }

        if (IndependentStarts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IndependentStarts), IndependentStarts, "IndependentStarts must be at least 1.");
        }

        if (!(ResidualWindowFraction >= 0 && ResidualWindowFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ResidualWindowFraction), ResidualWindowFraction, "ResidualWindowFraction must lie in [0, 1].");
        }

        if (RelativeSafetyMargin is double margin && !(margin >= 0 && margin < RelativeTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(RelativeSafetyMargin), margin, $"RelativeSafetyMargin must lie in [0, RelativeTolerance = {RelativeTolerance}).");
        }
    }
}
