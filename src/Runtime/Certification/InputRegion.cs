namespace Intriguing.Certification;

/// <summary>
/// The set of inputs a bound holds for: every x′ with ‖x′ − x‖ ≤ <paramref name="Epsilon"/> in
/// <paramref name="Norm"/> that also lies in the box [<paramref name="BoxLower"/>, <paramref name="BoxUpper"/>]
/// (for MNIST pixels, [0, 1]).
/// </summary>
/// <param name="Norm">The perturbation norm.</param>
/// <param name="Epsilon">The radius, ≥ 0.</param>
/// <param name="BoxLower">The smallest value of every input (may be −∞).</param>
/// <param name="BoxUpper">The largest value of every input (may be +∞).</param>
public readonly record struct InputRegion(PerturbationNorm Norm, double Epsilon, double BoxLower = 0, double BoxUpper = 1)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless ε is finite and ≥ 0 and the box is not empty.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Epsilon) || Epsilon < 0) throw new ArgumentException($"The radius must be finite and ≥ 0, not {Epsilon}.", nameof(Epsilon));
        if (double.IsNaN(BoxLower) || double.IsNaN(BoxUpper) || BoxLower > BoxUpper) throw new ArgumentException($"The input box [{BoxLower}, {BoxUpper}] is empty.", nameof(BoxLower));
        if (Norm is not (PerturbationNorm.L2 or PerturbationNorm.LInfinity)) throw new ArgumentException($"Unknown norm {(int)Norm}.", nameof(Norm));
    }
}
