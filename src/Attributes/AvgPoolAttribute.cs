using System;

namespace Intriguing;

/// <summary>
/// Average pooling over <c>size × size</c> windows moved by <c>stride</c>, channel by channel:
/// <c>y[c, i, j] = (1/size²) Σ_{0 ≤ u, v &lt; size} x[c, i·stride + u, j·stride + v]</c>. Windows may overlap (stride &lt; size).
/// </summary>
/// <remarks>
/// No padding; the output is <c>C × H′ × W′</c> with <c>H′ = (H − size) / stride + 1</c> (INT017 warns when the stride
/// does not divide <c>H − size</c>). The layer is linear; its Lipschitz constant is its operator norm
/// ‖A_h‖₂·‖A_w‖₂ (the 2-D averaging is the Kronecker product of one averaging matrix per axis): 1/size without
/// overlap, at most 1 with any overlap, computed exactly for the layer's shape.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute : Attribute
{
    /// <summary>Non-overlapping average pooling: windows of <paramref name="size"/> × <paramref name="size"/>, stride <paramref name="size"/>.</summary>
    /// <param name="size">Side of the window; must be positive.</param>
    public AvgPoolAttribute(int size)
        : this(size, size)
    {
    }

    /// <summary>Average pooling over <paramref name="size"/> × <paramref name="size"/> windows moved by <paramref name="stride"/>.</summary>
    /// <param name="size">Side of the window; must be positive.</param>
    /// <param name="stride">Step between windows; must be positive.</param>
    public AvgPoolAttribute(int size, int stride)
    {
        Size = size;
        Stride = stride;
    }

    /// <summary>Side of the window.</summary>
    public int Size { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }
}
