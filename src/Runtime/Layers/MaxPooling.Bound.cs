using System.Globalization;

namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class MaxPooling
{
    /// <summary>
    /// The largest number of windows (side <paramref name="size"/>, stride <paramref name="stride"/>, <paramref name="count"/>
    /// of them along an axis) that contain one position: min(⌈size/stride⌉, count). A position i lies in window o iff
    /// o·stride ∈ (i − size, i], an interval of length size that holds at most ⌈size/stride⌉ multiples of the stride;
    /// position (m − 1)·stride, m = min(⌈size/stride⌉, count), lies in windows 0 … m − 1.
    /// </summary>
    internal static int AxisCover(int size, int stride, int count) => (int)System.Math.Min(((long)size + stride - 1) / stride, count);

    /// <summary>The Lipschitz constant of max-pooling whose most covered input lies in <paramref name="cover"/> windows: √cover.</summary>
    internal static double Bound(int cover) => System.Math.Sqrt(cover);

    /// <summary>The summary's text of the bound.</summary>
    internal static string BoundText(int cover) => cover <= 1
        ? "1 (non-overlapping)"
        : "√" + cover.ToString(CultureInfo.InvariantCulture) + " (≤ " + cover.ToString(CultureInfo.InvariantCulture) + " windows per input)";
}
