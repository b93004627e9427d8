using System;

namespace Intriguing;

/// <summary>
/// The paper's contrast normalisation <c>y = x / (ε + ‖x‖²)^γ</c>, where the norm is taken across the channels at
/// each spatial position: <c>‖x‖² = Σ_c x[c, i, j]²</c> (for a flat activation, over all its values).
/// </summary>
/// <remarks>
/// Its Jacobian at one position is <c>s^(−γ)·(I − 2γ·x·xᵀ / s)</c> with <c>s = ε + ‖x‖²</c>, whose norm is at most
/// <c>ε^(−γ)</c> when γ ≤ 1 (attained at x = 0): the paper's bound, which the summary quotes for γ ≤ 1. For γ &gt; 1 the
/// bound is <c>sup_t (ε + t)^(−γ)·|1 − 2γ·t / (ε + t)|</c> over t ≥ 0.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ContrastNormAttribute : Attribute
{
    /// <summary>Contrast normalisation with offset <paramref name="epsilon"/> and exponent <paramref name="gamma"/>.</summary>
    /// <param name="epsilon">ε &gt; 0. Default 1.</param>
    /// <param name="gamma">γ ≥ 0. Default 0.5 (division by the norm, smoothed by ε).</param>
    public ContrastNormAttribute(double epsilon = 1, double gamma = 0.5)
    {
        Epsilon = epsilon;
        Gamma = gamma;
    }

    /// <summary>The offset ε.</summary>
    public double Epsilon { get; }

    /// <summary>The exponent γ.</summary>
    public double Gamma { get; }
}
