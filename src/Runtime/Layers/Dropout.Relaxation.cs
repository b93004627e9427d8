namespace Intriguing.Layers;

public static partial class Dropout
{
    /// <summary>Interval bounds at inference, where dropout is the identity.</summary>
    public static void IntervalForward(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> outLo, Span<float> outHi)
    {
        lo.CopyTo(outLo);
        hi.CopyTo(outHi);
    }

    /// <summary>One step of a backward pass at inference: the rows pass unchanged.</summary>
    public static void BackSubstitute(ReadOnlySpan<float> above, Span<float> below, int rows, int units) => above.Slice(0, rows * units).CopyTo(below);
}
