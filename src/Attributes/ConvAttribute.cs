using System;

namespace Intriguing;

/// <summary>
/// A 2-D convolution (cross-correlation, as in every deep-learning library) of a channels × height × width
/// activation with <c>filters</c> kernels of <c>channels × kernel × kernel</c> weights, plus a bias per filter:
/// <c>y[d, i, j] = b[d] + Σ_c Σ_u Σ_v W[d, c, u, v] · x[c, i·stride − padding + u, j·stride − padding + v]</c>.
/// </summary>
/// <remarks>
/// <para>Weights are stored <c>[filters][channels][kernel][kernel]</c>, row-major (PyTorch's layout), activations
/// channel-major per sample. The output is <c>filters × H′ × W′</c> with <c>H′ = (H + 2·padding − kernel) / stride + 1</c>;
/// when the stride does not divide <c>H + 2·padding − kernel</c> the last rows (columns) of the padded input are not
/// read, and the generator warns (INT017). Outside the input the padding is zero, or wraps around with
/// <see cref="Mode"/> = <see cref="Intriguing.Padding.Circular"/>.</para>
/// <para>The layer needs a 3-D input (an image <c>[Input(c, h, w)]</c>, or the output of a convolution or pooling
/// layer). Training adds <c>(λ/2)·‖W‖²</c> (biases are not decayed). Its Lipschitz constant is computed in the
/// Fourier domain: exact for circular padding, an upper bound for zero padding.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvAttribute : Attribute
{
    /// <summary>A convolution with <paramref name="filters"/> square kernels of side <paramref name="kernel"/>.</summary>
    /// <param name="filters">Number of output channels; must be positive.</param>
    /// <param name="kernel">Side of the square kernel; must be positive and fit the padded input.</param>
    /// <param name="stride">Step between output positions; must be positive. Default 1.</param>
    /// <param name="padding">Rows and columns added on each side; 0 ≤ padding &lt; kernel. Default 0.</param>
    public ConvAttribute(int filters, int kernel, int stride = 1, int padding = 0)
    {
        Filters = filters;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Side of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Rows and columns added on each side.</summary>
    public int Padding { get; }

    /// <summary>Zero padding (default) or circular padding: <c>Mode = Padding.Circular</c>.</summary>
    public global::Intriguing.Padding Mode { get; set; }

    /// <summary>Weight decay λ of the kernels (penalty (λ/2)·‖W‖²). Default 0; must be finite and ≥ 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Whether the layer has a bias per filter. Default <see langword="true"/>.</summary>
    public bool Bias { get; set; } = true;
}
