namespace Intriguing.Optimization;

/// <summary>
/// A smooth objective for the L-BFGS and L-BFGS-B solvers: returns f(<paramref name="x"/>) and writes
/// ∇f(<paramref name="x"/>) into <paramref name="gradient"/> (every element must be written).
/// </summary>
/// <param name="x">The point to evaluate (length n). Do not keep a reference to it after returning.</param>
/// <param name="gradient">Receives the gradient (length n).</param>
/// <returns>The objective value. NaN or ±∞ is allowed at trial points: the line search then shrinks its step.</returns>
public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>
/// Called once per accepted iterate of <see cref="LbfgsbSolver.Minimize(Objective, Span{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, LbfgsbCallback?, CancellationToken)"/>.
/// </summary>
/// <param name="progress">The new iterate and its statistics; valid only during the call.</param>
/// <returns><see langword="true"/> to continue, <see langword="false"/> to stop with
/// <see cref="LbfgsbStopReason.CallbackStop"/>.</returns>
public delegate bool LbfgsbCallback(in LbfgsbProgress progress);

/// <summary>The state of the solver after an accepted iteration, passed to an <see cref="LbfgsbCallback"/>.</summary>
public readonly ref struct LbfgsbProgress
{
    internal LbfgsbProgress(int iteration, int evaluations, double value, double projectedGradientNorm,
        ReadOnlySpan<double> x, ReadOnlySpan<double> gradient)
    {
        Iteration = iteration;
        Evaluations = evaluations;
        Value = value;
        ProjectedGradientNorm = projectedGradientNorm;
        X = x;
        Gradient = gradient;
    }

    /// <summary>Number of iterations completed (1 at the first callback).</summary>
    public int Iteration { get; }

    /// <summary>Number of objective evaluations so far, including the one at the starting point.</summary>
    public int Evaluations { get; }

    /// <summary>The objective value at <see cref="X"/>.</summary>
    public double Value { get; }

    /// <summary>The infinity norm of the projected gradient at <see cref="X"/>.</summary>
    public double ProjectedGradientNorm { get; }

    /// <summary>The current iterate (inside the box).</summary>
    public ReadOnlySpan<double> X { get; }

    /// <summary>The gradient at <see cref="X"/>.</summary>
    public ReadOnlySpan<double> Gradient { get; }
}
