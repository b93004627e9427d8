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
