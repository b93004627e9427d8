namespace Intriguing.Optimization;

/// <summary>Why <see cref="LbfgsbSolver"/> stopped.</summary>
public enum LbfgsbStopReason
{
    /// <summary>The infinity norm of the projected gradient fell to <see cref="LbfgsbOptions.ProjectedGradientTolerance"/>.</summary>
    ConvergedProjectedGradient,

    /// <summary>The relative reduction of f in the last iteration fell to <see cref="LbfgsbOptions.ReductionFactor"/>·ε.</summary>
    ConvergedRelativeReduction,

    /// <summary><see cref="LbfgsbOptions.MaxIterations"/> iterations were done.</summary>
    MaxIterations,

    /// <summary><see cref="LbfgsbOptions.MaxEvaluations"/> evaluations were done; x is the last accepted iterate.</summary>
    MaxEvaluations,

    /// <summary>
    /// The cancellation token was signalled; x is the last accepted iterate (or the projected starting point with
    /// <see cref="LbfgsbResult.Value"/> = NaN if it was signalled before the first evaluation).
    /// </summary>
    Cancelled,

    /// <summary>The per-iteration callback returned <see langword="false"/>.</summary>
    CallbackStop,

    /// <summary>
    /// The line search found no acceptable step from a steepest-descent start (after the limited-memory matrix was
    /// reset), usually because the gradient is inaccurate or f is already minimal to rounding; x is the last
    /// accepted iterate.
    /// </summary>
    LineSearchFailure,

    /// <summary>The objective value or gradient at the starting point is NaN or infinite; nothing was done.</summary>
    Abnormal,
}

/// <summary>The outcome of a minimisation. The minimiser itself is left in the caller's x span.</summary>
/// <param name="StopReason">Why the solver stopped.</param>
/// <param name="Value">f at the returned x.</param>
/// <param name="Iterations">Number of iterations (accepted steps, plus one for a failed final line search).</param>
/// <param name="Evaluations">Number of objective evaluations, including the one at the starting point.</param>
/// <param name="ProjectedGradientNorm">Infinity norm of the projected gradient at the returned x.</param>
public readonly record struct LbfgsbResult(
    LbfgsbStopReason StopReason,
    double Value,
    int Iterations,
    int Evaluations,
    double ProjectedGradientNorm)
{
    /// <summary>True when the solver stopped on one of its two convergence tests.</summary>
    public bool Converged =>
        StopReason is LbfgsbStopReason.ConvergedProjectedGradient or LbfgsbStopReason.ConvergedRelativeReduction;
}

/// <summary>The objective threw; the original exception is the <see cref="Exception.InnerException"/>.</summary>
public sealed class LbfgsbObjectiveException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LbfgsbObjectiveException(string message, int iteration, int evaluation, Exception innerException)
        : base(message, innerException)
    {
        Iteration = iteration;
        Evaluation = evaluation;
    }

    /// <summary>The iteration during which the objective threw (0 = the evaluation at the starting point).</summary>
    public int Iteration { get; }

    /// <summary>The 1-based number of the evaluation that threw.</summary>
    public int Evaluation { get; }
}
