namespace Intriguing.Layers;

public static partial class AveragePooling
{
    /// <summary>Interval bounds (exact: the weights are non-negative): the pooling of the lower and of the upper bounds.</summary>
    public static void IntervalForward(LayerGeometry g, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> outLo, Span<float> outHi)
    {
        Forward(g, lo, outLo, 1);
        Forward(g, hi, outHi, 1);
    }

    /// <summary>One step of a backward pass: the pooling is linear, so the rows go through its transpose.</summary>
    public static void BackSubstitute(LayerGeometry g, ReadOnlySpan<float> above, Span<float> below, int rows) => Backward(g, above, below, rows);
}
