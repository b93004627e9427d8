namespace Intriguing.Layers;

public static partial class MaxPooling
{
    /// <summary>
    /// Interval bounds and the relaxation of every window from its input bounds: output bounds [max lo, max hi]; the
    /// winner j* (largest lower bound) gives the lower line y ≥ x_j*; the upper line is y = x_j* when j* dominates
    /// (lo_j* ≥ hi_j for every other j), else the constant max hi.
    /// </summary>
    public static void Relax(LayerGeometry g, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> outLo, Span<float> outHi, Span<int> winner, Span<bool> exact)
    {
        ArgumentNullException.ThrowIfNull(g);
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride;
        int oh = g.OutputHeight, ow = g.OutputWidth;
        int o = 0;
        for (int ch = 0; ch < c; ch++)
        {
            int plane = ch * h * w;
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++, o++)
                {
                    int first = plane + i * stride * w + j * stride;
                    int best = first;
                    float maxLo = float.NegativeInfinity, maxHi = float.NegativeInfinity;
                    for (int u = 0; u < k; u++)
                    {
                        for (int v = 0; v < k; v++)
                        {
                            int at = first + u * w + v;
                            if (lo[at] > maxLo)
                            {
                                maxLo = lo[at];
                                best = at;
                            }

                            if (hi[at] > maxHi) maxHi = hi[at];
                        }
                    }

                    float otherHi = float.NegativeInfinity;
                    for (int u = 0; u < k; u++)
                    {
                        for (int v = 0; v < k; v++)
                        {
                            int at = first + u * w + v;
                            if (at != best && hi[at] > otherHi) otherHi = hi[at];
                        }
                    }

                    outLo[o] = maxLo;
                    outHi[o] = maxHi;
                    winner[o] = best;
                    exact[o] = maxLo >= otherHi;
                }
            }
        }
    }

    /// <summary>
    /// One step of a backward pass through the relaxed pooling: an entry λ ≥ 0 (or any entry of a dominated window)
    /// goes to the winner's input; an entry λ &lt; 0 of an undecided window adds λ·max hi to the row's constant.
    /// </summary>
    public static void BackSubstitute(LayerGeometry g, ReadOnlySpan<float> above, Span<float> below, ReadOnlySpan<int> winner, ReadOnlySpan<bool> exact, ReadOnlySpan<float> outHi, Span<double> constants, int rows)
    {
        ArgumentNullException.ThrowIfNull(g);
        int inLength = g.InputLength, outLength = g.OutputLength;
        below.Slice(0, rows * inLength).Clear();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = above.Slice(r * outLength, outLength);
            Span<float> b = below.Slice(r * inLength, inLength);
            double c = 0;
            for (int o = 0; o < outLength; o++)
            {
                float lambda = a[o];
                if (lambda >= 0 || exact[o]) b[winner[o]] += lambda;
                else c += (double)lambda * outHi[o];
            }

            constants[r] += c;
        }
    }
    /// <summary>
    /// <see cref="BackSubstitute"/> for windowed rows (see <c>BoundWorkspace.Window</c>): reads the window of activation
    /// <paramref name="above"/> (the pooling's output) and writes the window it reads from below.
    /// </summary>
    public static void BackSubstituteWindow(LayerGeometry g, Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<int> winner, ReadOnlySpan<bool> exact, int rows)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(bw);
        int inLength = g.InputLength, outLength = g.OutputLength, oh = g.OutputHeight, ow = g.OutputWidth;
        ReadOnlySpan<int> window = bw.Window(above);
        Span<int> inWindow = bw.Window(below);
        Generated.BoundKernels.InputWindow(window, inWindow, g.Kernel, g.Stride, g.Padding, g.InputHeight, g.InputWidth);
        ReadOnlySpan<float> outHi = bw.Upper(above);
        ReadOnlySpan<float> aRows = bw.Rows(above, rows);
        Span<float> bRows = bw.Rows(below, rows);
        Span<double> constants = bw.Constants(rows);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = aRows.Slice(r * outLength, outLength);
            Span<float> b = bRows.Slice(r * inLength, inLength);
            Generated.BoundKernels.ClearWindow(b, inWindow, g.InputChannels, g.InputHeight, g.InputWidth);
            double c = 0;
            for (int ch = 0; ch < g.OutputChannels; ch++)
            {
                for (int y = window[0]; y < window[1]; y++)
                {
                    for (int x = window[2]; x < window[3]; x++)
                    {
                        int o = (ch * oh + y) * ow + x;
                        float lambda = a[o];
                        if (lambda >= 0 || exact[o]) b[winner[o]] += lambda;
                        else c += (double)lambda * outHi[o];
                    }
                }
            }

            constants[r] += c;
        }
    }

    /// <summary>
    /// The relaxed pooling run forward on <paramref name="rows"/> samples, each with the lines its backward row selects
    /// (as <see cref="BackSubstitute"/>): y = x_winner where the row's entry is ≥ 0 or the window is dominated, else
    /// the constant max hi. The reverse of the backward step, for the gradient of a bound (<see cref="Generated.SlopeKernels"/>).
    /// </summary>
    public static void RelaxedForward(LayerGeometry g, ReadOnlySpan<float> above, ReadOnlySpan<float> input, Span<float> output, ReadOnlySpan<int> winner, ReadOnlySpan<bool> exact, ReadOnlySpan<float> outHi, int rows)
    {
        ArgumentNullException.ThrowIfNull(g);
        int inLength = g.InputLength, outLength = g.OutputLength;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = above.Slice(r * outLength, outLength), x = input.Slice(r * inLength, inLength);
            Span<float> y = output.Slice(r * outLength, outLength);
            for (int o = 0; o < outLength; o++) y[o] = a[o] >= 0 || exact[o] ? x[winner[o]] : outHi[o];
        }
    }
}
