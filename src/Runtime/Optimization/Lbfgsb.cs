namespace Intriguing.Optimization;

/// <summary>
/// One-shot entry points for L-BFGS (unconstrained) and L-BFGS-B (box-constrained) minimisation. Each call
/// allocates a <see cref="LbfgsbSolver"/>; to run many minimisations keep one solver per thread instead.
/// </summary>
public static class Lbfgsb
{
    /// <summary>Minimises <paramref name="objective"/> over all of ℝⁿ, starting from and writing back to <paramref name="x"/>.</summary>
    /// <param name="objective">Returns f and fills the gradient.</param>
    /// <param name="x">Starting point on entry, result on exit.</param>
    /// <param name="options">Settings; <see langword="null"/> for <see cref="LbfgsbOptions.Default"/>.</param>
    /// <param name="callback">Optional per-iteration callback; return false to stop.</param>
    /// <param name="cancellationToken">Stops the run with <see cref="LbfgsbStopReason.Cancelled"/>.</param>
    public static LbfgsbResult Minimize(Objective objective, Span<double> x, LbfgsbOptions? options = null,
        LbfgsbCallback? callback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (x.Length == 0)
            throw new ArgumentException("x must have at least one element.", nameof(x));
        return new LbfgsbSolver(x.Length, options).Minimize(objective, x, callback, cancellationToken);
    }

    /// <summary>
    /// Minimises <paramref name="objective"/> subject to <paramref name="lower"/> ≤ x ≤ <paramref name="upper"/>
    /// (−∞/+∞ entries, or an empty span, for absent bounds), starting from and writing back to <paramref name="x"/>.
    /// </summary>
    /// <param name="objective">Returns f and fills the gradient.</param>
    /// <param name="x">Starting point on entry (projected onto the box), result on exit.</param>
    /// <param name="lower">Lower bounds, length n or 0.</param>
    /// <param name="upper">Upper bounds, length n or 0.</param>
    /// <param name="options">Settings; <see langword="null"/> for <see cref="LbfgsbOptions.Default"/>.</param>
    /// <param name="callback">Optional per-iteration callback; return false to stop.</param>
    /// <param name="cancellationToken">Stops the run with <see cref="LbfgsbStopReason.Cancelled"/>.</param>
    public static LbfgsbResult Minimize(Objective objective, Span<double> x, ReadOnlySpan<double> lower,
        ReadOnlySpan<double> upper, LbfgsbOptions? options = null, LbfgsbCallback? callback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (x.Length == 0)
            throw new ArgumentException("x must have at least one element.", nameof(x));
        return new LbfgsbSolver(x.Length, options).Minimize(objective, x, lower, upper, callback, cancellationToken);
    }
}
