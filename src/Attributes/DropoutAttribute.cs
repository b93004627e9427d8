using System;

namespace Intriguing;

/// <summary>
/// Inverted dropout with drop probability <c>p</c>, elementwise: a training-time regulariser only.
/// </summary>
/// <remarks>
/// <para>Every inference pass (<c>Forward</c>, <c>ForwardTo</c>, <c>ForwardFrom</c>, <c>LossAndLayerGradient</c>, and
/// so the attacks and analyses) is the identity. The training objective <c>LossAndGradient</c> applies a mask when
/// its workspace is in training mode (<c>NetworkWorkspace.Training</c>, which the trainer sets): each unit is kept
/// with probability 1 − p and scaled by 1/(1 − p), so the expected activation equals the inference activation.</para>
/// <para>The mask bit of a unit is a counter-based hash of (workspace seed, training step, sample index, layer, unit),
/// so masks are reproducible for a seed and do not depend on how a batch is split over threads.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Dropout with drop probability <paramref name="p"/>.</summary>
    /// <param name="p">Probability of dropping a unit in training; 0 ≤ p &lt; 1.</param>
    public DropoutAttribute(double p) => P = p;

    /// <summary>Probability of dropping a unit in training.</summary>
    public double P { get; }
}
