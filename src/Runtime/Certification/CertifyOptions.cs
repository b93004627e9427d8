namespace Intriguing.Certification;

/// <summary>Settings of <see cref="Certifier"/>.</summary>
public sealed record CertifyOptions
{
    /// <summary>The norm of the radius (default L2).</summary>
    public PerturbationNorm Norm { get; init; } = PerturbationNorm.L2;

    /// <summary>How the margins are bounded (default CROWN).</summary>
    public BoundMethod Method { get; init; } = BoundMethod.Crown;

    /// <summary>The search stops when the largest certified radius and the smallest failed one are within this ratio − 1 (default 1e-3).</summary>
    public double RelativeTolerance { get; init; } = 1e-3;

    /// <summary>The box of the input values, or null for the network's (<c>LbfgsAttack.DefaultBox</c>: [0, 1]).</summary>
    public (double Lower, double Upper)? Box { get; init; }

    /// <summary>Threads for <see cref="Certifier.Certify"/> (0 = one per core). The results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Extra margin passes per propagation with the relaxations re-touched at the worst margin's minimiser
    /// (<see cref="BoundWorkspace.MarginRefinements"/>; CROWN only; default 1, 0 for plain CROWN). Never loosens a bound.
    /// </summary>
    public int MarginRefinements { get; init; } = 1;

    /// <summary>
    /// Projected gradient steps on the relaxations' tangent points and slopes per margin and per intermediate bound of a
    /// dense layer (<see cref="BoundWorkspace.SlopeSteps"/>, α-CROWN; CROWN only; default 0). Each bound keeps its
    /// tightest value; the cost is many propagations'.
    /// </summary>
    public int SlopeSteps { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for invalid settings.</summary>
    public void Validate()
    {
        if (!(RelativeTolerance > 0 && RelativeTolerance < 1)) throw new ArgumentException($"RelativeTolerance must be in (0, 1), not {RelativeTolerance}.", nameof(RelativeTolerance));
        if (Threads < 0) throw new ArgumentException($"Threads must be ≥ 0, not {Threads}.", nameof(Threads));
        if (MarginRefinements < 0) throw new ArgumentException($"MarginRefinements must be ≥ 0, not {MarginRefinements}.", nameof(MarginRefinements));
        if (SlopeSteps < 0) throw new ArgumentException($"SlopeSteps must be ≥ 0, not {SlopeSteps}.", nameof(SlopeSteps));
        if (Norm is not (PerturbationNorm.L2 or PerturbationNorm.LInfinity)) throw new ArgumentException($"Unknown norm {(int)Norm}.", nameof(Norm));
        if (Method is not (BoundMethod.Crown or BoundMethod.CrownInterval or BoundMethod.Interval)) throw new ArgumentException($"Unknown bound method {(int)Method}.", nameof(Method));
        if (Box is { } box && (double.IsNaN(box.Lower) || double.IsNaN(box.Upper) || box.Lower > box.Upper)) throw new ArgumentException($"The box [{box.Lower}, {box.Upper}] is empty.", nameof(Box));
    }
}

/// <summary>The certificate of one example.</summary>
/// <param name="Label">The true label.</param>
/// <param name="Prediction">The network's prediction on the clean example.</param>
/// <param name="Radius">
/// The largest radius found certified: no input within it (in <see cref="Norm"/>, inside the box) changes the
/// prediction. 0 when the example is misclassified. Within the relative tolerance of the largest radius the bound
/// method can certify.
/// </param>
/// <param name="Norm">The norm of <see cref="Radius"/>.</param>
/// <param name="Evaluations">Bound propagations the search used.</param>
/// <param name="WholeBox">The whole box is certified (the radius is the largest distance to a corner of the box).</param>
public readonly record struct CertifiedRadius(int Label, int Prediction, double Radius, PerturbationNorm Norm, int Evaluations, bool WholeBox = false)
{
    /// <summary>Whether the clean example is classified correctly.</summary>
    public bool Correct => Label == Prediction;

    /// <summary>Whether the example is classified correctly and certified at radius <paramref name="epsilon"/>.</summary>
    public bool CertifiedAt(double epsilon) => Correct && (Radius >= epsilon || WholeBox);
}
