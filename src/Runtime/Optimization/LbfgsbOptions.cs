namespace Intriguing.Optimization;

/// <summary>
/// Settings of <see cref="LbfgsbSolver"/>. The defaults are those of SciPy's
/// <c>scipy.optimize.minimize(method="L-BFGS-B")</c>: <c>maxcor=10</c>, <c>gtol=1e-5</c>,
/// <c>ftol=factr·eps</c> with <c>factr=1e7</c>, <c>maxiter=maxfun=15000</c>, <c>maxls=20</c>.
/// </summary>
public sealed record LbfgsbOptions
{
    /// <summary>The default options.</summary>
    public static LbfgsbOptions Default { get; } = new();

    /// <summary>
    /// Number m of correction pairs kept in the limited-memory matrix (SciPy <c>maxcor</c>). Default 10; must be ≥ 1.
    /// </summary>
    public int HistorySize { get; init; } = 10;

    /// <summary>
    /// Stop with <see cref="LbfgsbStopReason.ConvergedProjectedGradient"/> when the infinity norm of the projected
    /// gradient is at most this (SciPy <c>gtol</c> / <c>pgtol</c>). Default 1e-5; must be ≥ 0.
    /// </summary>
    public double ProjectedGradientTolerance { get; init; } = 1e-5;

    /// <summary>
    /// The <c>factr</c> of L-BFGS-B: stop with <see cref="LbfgsbStopReason.ConvergedRelativeReduction"/> when
    /// (f<sub>k</sub> − f<sub>k+1</sub>) / max(|f<sub>k</sub>|, |f<sub>k+1</sub>|, 1) ≤ factr · ε with
    /// ε = 2.22e-16 (machine epsilon). Typical values: 1e12 low accuracy, 1e7 moderate (default), 10 high;
    /// with 0 the test only stops when an iteration does not decrease f at all. Must be ≥ 0.
    /// </summary>
    public double ReductionFactor { get; init; } = 1e7;

    /// <summary>Stop with <see cref="LbfgsbStopReason.MaxIterations"/> after this many iterations. Default 15000; ≥ 1.</summary>
    public int MaxIterations { get; init; } = 15000;

    /// <summary>
    /// Never evaluate the objective more than this many times (the starting point counts); when the limit is
    /// reached the solver returns the last accepted iterate with <see cref="LbfgsbStopReason.MaxEvaluations"/>.
    /// Default 15000; ≥ 1.
    /// </summary>
    public int MaxEvaluations { get; init; } = 15000;

    /// <summary>
    /// Maximum number of objective evaluations in one line search (SciPy <c>maxls</c>). Default 20; ≥ 1.
    /// </summary>
    public int MaxLineSearchSteps { get; init; } = 20;

    internal void Validate()
    {
        if (HistorySize < 1)
            throw new ArgumentOutOfRangeException(nameof(HistorySize), HistorySize, "HistorySize must be at least 1.");
        if (!(ProjectedGradientTolerance >= 0) || double.IsPositiveInfinity(ProjectedGradientTolerance))
            throw new ArgumentOutOfRangeException(nameof(ProjectedGradientTolerance), ProjectedGradientTolerance,
                "ProjectedGradientTolerance must be a finite number ≥ 0.");
        if (!(ReductionFactor >= 0) || double.IsPositiveInfinity(ReductionFactor))
            throw new ArgumentOutOfRangeException(nameof(ReductionFactor), ReductionFactor,
                "ReductionFactor must be a finite number ≥ 0.");
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        if (MaxEvaluations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxEvaluations), MaxEvaluations, "MaxEvaluations must be at least 1.");
        if (MaxLineSearchSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLineSearchSteps), MaxLineSearchSteps,
                "MaxLineSearchSteps must be at least 1.");
    }
}
