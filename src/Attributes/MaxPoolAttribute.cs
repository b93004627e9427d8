using System;

namespace Intriguing;

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
