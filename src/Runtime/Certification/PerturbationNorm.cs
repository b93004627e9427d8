namespace Intriguing.Certification;

/// <summary>The norm of a perturbation set: the L2 ball or the L∞ ball (a box) around an input.</summary>
public enum PerturbationNorm
{
    /// <summary>‖δ‖₂ ≤ ε.</summary>
    L2,

    /// <summary>‖δ‖∞ ≤ ε: every value moves by at most ε.</summary>
    LInfinity,
}
