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
