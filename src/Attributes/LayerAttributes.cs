using System;

namespace Intriguing;

/// <summary>
/// A fully connected layer <c>y = W·x + b</c> with <c>W</c> of shape <c>units × inputs</c> (row-major, one row
/// per output unit) and bias <c>b</c> of length <c>units</c>. A multi-dimensional input is flattened first.
/// Its place in the stack is the order of application in source.
/// </summary>
/// <remarks>
/// Training adds the weight decay penalty <c>(λ/2)·‖W‖²</c> (biases are not decayed). The layer's Lipschitz
/// constant is the largest singular value ‖W‖₂.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>A dense layer with <paramref name="units"/> outputs.</summary>
    /// <param name="units">Number of output units; must be positive.</param>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Number of output units.</summary>
    public int Units { get; }

    /// <summary>Weight decay λ of this layer's weights (penalty (λ/2)·‖W‖²). Default 0; must be finite and ≥ 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Whether the layer has a bias vector. Default <see langword="true"/>.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>The logistic sigmoid <c>σ(x) = 1 / (1 + e^(−x))</c>, elementwise. Lipschitz constant 1/4; output in (0, 1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : Attribute
{
}

/// <summary>The rectified linear unit <c>max(0, x)</c>, elementwise. Lipschitz constant 1; output ≥ 0.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : Attribute
{
}

/// <summary>The hyperbolic tangent, elementwise. Lipschitz constant 1; output in (−1, 1).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : Attribute
{
}

/// <summary>
/// The soft-max <c>p_i = e^(x_i) / Σ_j e^(x_j)</c>, computed stably (the maximum is subtracted first).
/// It must be the last layer; a network ending in soft-max is trained with cross-entropy against labels.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : Attribute
{
}

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
