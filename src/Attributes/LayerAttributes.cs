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

/// <summary>
/// How a <see cref="ConvAttribute"/> treats positions outside its input (<c>Mode = Padding.Circular</c>). The runtime
/// describes the same choice with <c>Intriguing.PaddingMode</c> in a layer's geometry.
/// </summary>
public enum Padding
{
    /// <summary>Zeros outside the input (the usual convolution).</summary>
    Zero,

    /// <summary>The input wraps around (a circular, or periodic, convolution), index <c>i</c> reads <c>i mod n</c>.</summary>
    Circular,
}

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

/// <summary>
/// Max-pooling over <c>size × size</c> windows moved by <c>stride</c>, channel by channel:
/// <c>y[c, i, j] = max_{0 ≤ u, v &lt; size} x[c, i·stride + u, j·stride + v]</c>. Windows may overlap (stride &lt; size).
/// </summary>
/// <remarks>
/// No padding; the output is <c>C × H′ × W′</c> with <c>H′ = (H − size) / stride + 1</c> (INT017 warns when the stride
/// does not divide <c>H − size</c>). The gradient goes to the first maximum of each window. Lipschitz constant 1 for
/// non-overlapping windows; with overlap, √m where m is the largest number of windows that contain one input.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : Attribute
{
    /// <summary>Non-overlapping pooling: windows of <paramref name="size"/> × <paramref name="size"/>, stride <paramref name="size"/>.</summary>
    /// <param name="size">Side of the window; must be positive.</param>
    public MaxPoolAttribute(int size)
        : this(size, size)
    {
    }

    /// <summary>Pooling over <paramref name="size"/> × <paramref name="size"/> windows moved by <paramref name="stride"/>.</summary>
    /// <param name="size">Side of the window; must be positive.</param>
    /// <param name="stride">Step between windows; must be positive.</param>
    public MaxPoolAttribute(int size, int stride)
    {
        Size = size;
        Stride = stride;
    }

    /// <summary>Side of the window.</summary>
    public int Size { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }
}

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

/// <summary>
/// AlexNet's local response normalisation across channels:
/// <c>y[c] = x[c] / (k + α · Σ_{c′ = c − ⌊n/2⌋}^{c + ⌊n/2⌋} x[c′]²)^β</c> at each spatial position, the sum clipped
/// to the existing channels. As in Krizhevsky et al. (2012), α multiplies the sum itself (PyTorch's
/// <c>LocalResponseNorm</c> divides α by n).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LocalResponseNormAttribute : Attribute
{
    /// <summary>Local response normalisation; the defaults are AlexNet's (n = 5, k = 2, α = 10⁻⁴, β = 0.75).</summary>
    /// <param name="size">Channels in the window, n; odd and positive.</param>
    /// <param name="k">Offset k &gt; 0.</param>
    /// <param name="alpha">Scale α ≥ 0.</param>
    /// <param name="beta">Exponent β ≥ 0.</param>
    public LocalResponseNormAttribute(int size = 5, double k = 2, double alpha = 1e-4, double beta = 0.75)
    {
        Size = size;
        K = k;
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>Channels in the window, n.</summary>
    public int Size { get; }

    /// <summary>The offset k.</summary>
    public double K { get; }

    /// <summary>The scale α.</summary>
    public double Alpha { get; }

    /// <summary>The exponent β.</summary>
    public double Beta { get; }
}
