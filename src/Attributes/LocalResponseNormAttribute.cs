using System;

namespace Intriguing;

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
