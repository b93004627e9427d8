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
    /// <summary>
    /// <see cref="BackSubstitute"/> for windowed rows (see <c>BoundWorkspace.Window</c>) over an activation of channels ×
    /// height × width values: copies the window of activation <paramref name="above"/>, which is also the window below.
    /// </summary>
    public static void BackSubstituteWindow(Certification.BoundWorkspace bw, int above, int below, int rows, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(bw);
        int n = channels * height * width;
        ReadOnlySpan<int> window = bw.Window(above);
        window.CopyTo(bw.Window(below));
        ReadOnlySpan<float> a = bw.Rows(above, rows);
        Span<float> b = bw.Rows(below, rows);
        (int span, int lines) = Generated.BoundKernels.WindowRuns(window, width);
        for (int r = 0; r < rows; r++)
        {
            for (int ch = 0; ch < channels; ch++)
            {
                for (int y = 0; y < lines; y++)
                {
                    int at = r * n + (ch * height + window[0] + y) * width + window[2];
                    a.Slice(at, span).CopyTo(b.Slice(at, span));
                }
            }
        }
    }
}
