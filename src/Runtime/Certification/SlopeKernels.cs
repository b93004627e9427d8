using System.ComponentModel;
using Intriguing.Layers;

namespace Intriguing.Generated;

/// <summary>For generated code only: the activation whose relaxation <see cref="SlopeKernels"/> optimises.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum SlopeFunction
{
    /// <summary>The sigmoid: lower and upper tangent points.</summary>
    Sigmoid,

    /// <summary>tanh: lower and upper tangent points.</summary>
    Tanh,

    /// <summary>The ReLU: the lower slope of unstable neurons.</summary>
    ReLU,
}

/// <summary>
/// For generated code only: not part of the supported API, hidden from IntelliSense. Projected gradient ascent on the
/// bounds over the activations' relaxation parameters, one set per row of a backward pass (α-CROWN, Xu et al. 2021):
/// sigmoid and tanh tangent points within the ranges where the tangent stays a valid bound, the ReLU's lower slope
/// α ∈ [0, 1]. Derivation in docs/certification.md ("Optimised slopes").
/// </summary>
/// <remarks>
/// Layouts for an activation of n neurons and R rows: ranges 4n floats (lower tangent's range from, to; upper's from,
/// to; <c>NaN</c> where the line is fixed: a chord, an exact line or a point); parameters and gradients R × 2n (row r:
/// n lower, n upper), each parameter θ ∈ [0, 1] the fraction of its range; lines R × 4n (a relaxation per row, as
/// <see cref="Activation.SigmoidRelax"/>); moments 2 × R × 2n doubles (Adam's first and second moments).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SlopeKernels
{
    /// <summary>Adam's step on a parameter θ ∈ [0, 1] (the fraction of its range).</summary>
    public const float Rate = 0.03f;

    /// <summary>The ranges of every neuron's free parameters from its pre-activation bounds (see the class).</summary>
    public static void Ranges(SlopeFunction function, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> ranges)
    {
        int n = lo.Length;
        Span<float> lowFrom = ranges.Slice(0, n), lowTo = ranges.Slice(n, n), upFrom = ranges.Slice(2 * n, n), upTo = ranges.Slice(3 * n, n);
        bool tanh = function == SlopeFunction.Tanh;
        for (int i = 0; i < n; i++)
        {
            double l = lo[i], u = hi[i];
            lowFrom[i] = lowTo[i] = upFrom[i] = upTo[i] = float.NaN;
            if (function == SlopeFunction.ReLU)
            {
                if (l < 0 && u > 0)
                {
                    lowFrom[i] = 0;
                    lowTo[i] = 1;
                }

                continue;
            }

            if (!(u - l > 1e-6)) continue;
            double k = (Activation.Value(u, tanh) - Activation.Value(l, tanh)) / (u - l);
            if (u <= 0)
            {
                // Convex: any tangent of [l, u] lies below.
                lowFrom[i] = lo[i];
                lowTo[i] = hi[i];
            }
            else if (l >= 0)
            {
                upFrom[i] = lo[i];
                upTo[i] = hi[i];
            }
            else
            {
                // Across 0: the tangents between the far end's touching point and the near end (rounded towards the near
                // end, which keeps them valid); none where the chord is the line.
                if (k > Activation.Slope(u, tanh))
                {
                    upFrom[i] = BoundKernels.RoundUp(Activation.UpperTouchStart(l, u, tanh));
                    upTo[i] = hi[i];
                }

                if (k > Activation.Slope(l, tanh))
                {
                    lowFrom[i] = lo[i];
                    lowTo[i] = BoundKernels.RoundDown(Activation.LowerTouchEnd(l, u, tanh));
                }
            }
        }
    }

    /// <summary>
    /// Starting parameters of <paramref name="rows"/> rows: each row's tangents touch at its own pre-activations
    /// <paramref name="touch"/> (R × n, clipped to the ranges), each ReLU slope is 1 where they are positive, else 0;
    /// clears the moments.
    /// </summary>
    public static void Start(SlopeFunction function, ReadOnlySpan<float> ranges, ReadOnlySpan<float> touch, Span<float> parameters, Span<double> moments, int rows)
    {
        int n = ranges.Length / 4;
        for (int r = 0; r < rows; r++)
        {
            Span<float> p = parameters.Slice(2 * n * r, 2 * n);
            ReadOnlySpan<float> z = touch.Slice(n * r, n);
            for (int i = 0; i < n; i++)
            {
                if (function == SlopeFunction.ReLU)
                {
                    p[i] = z[i] > 0 ? 1 : 0;
                    p[n + i] = 0;
                    continue;
                }

                p[i] = Fraction(z[i], ranges[i], ranges[n + i]);
                p[n + i] = Fraction(z[i], ranges[2 * n + i], ranges[3 * n + i]);
            }
        }

        moments.Slice(0, 4 * n * rows).Clear();
    }

    private static float Fraction(float z, float from, float to) => to > from ? Math.Clamp((z - from) / (to - from), 0f, 1f) : 0f;

    /// <summary>
    /// The lines of every row at its parameters (R × 4n): tangents at the parameters' points, slopes rounded to floats and
    /// intercepts moved outwards as in <see cref="Activation.SigmoidRelax"/>; fixed lines copied from <paramref name="relaxation"/>.
    /// </summary>
    public static void Lines(SlopeFunction function, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, ReadOnlySpan<float> ranges, ReadOnlySpan<float> parameters, ReadOnlySpan<float> relaxation, Span<float> lines, int rows)
    {
        int n = lo.Length;
        bool tanh = function == SlopeFunction.Tanh;
        for (int r = 0; r < rows; r++)
        {
            Span<float> line = lines.Slice(4 * n * r, 4 * n);
            ReadOnlySpan<float> p = parameters.Slice(2 * n * r, 2 * n);
            relaxation.Slice(0, 4 * n).CopyTo(line);
            for (int i = 0; i < n; i++)
            {
                float lowFrom = ranges[i], upFrom = ranges[2 * n + i];
                if (function == SlopeFunction.ReLU)
                {
                    // α·z ≤ ReLU(z) for every α ∈ [0, 1].
                    if (!float.IsNaN(lowFrom))
                    {
                        line[i] = Math.Clamp(p[i], 0f, 1f);
                        line[n + i] = 0;
                    }

                    continue;
                }

                if (!float.IsNaN(lowFrom))
                {
                    (line[i], line[n + i]) = Tangent(Point(lowFrom, ranges[n + i], p[i]), lo[i], hi[i], tanh, lower: true);
                }

                if (!float.IsNaN(upFrom))
                {
                    (line[2 * n + i], line[3 * n + i]) = Tangent(Point(upFrom, ranges[3 * n + i], p[n + i]), lo[i], hi[i], tanh, lower: false);
                }
            }
        }
    }

    private static double Point(float from, float to, float fraction) => Math.Clamp(from + (double)fraction * (to - from), from, to);

    /// <summary>The tangent at t as a float slope and an intercept moved outwards by the slope's rounding error over [l, u].</summary>
    private static (float Slope, float Intercept) Tangent(double t, double l, double u, bool tanh, bool lower)
    {
        (double f, double s) = Activation.ValueAndSlope(t, tanh);
        return Activation.RoundedLine(s, f - s * t, l, u, lower);
    }

    /// <summary>
    /// The relaxed activation run forward on <paramref name="rows"/> samples (R × n), each with the line its backward row
    /// <paramref name="above"/> selects (lower where the entry is ≥ 0, as <see cref="Activation.BackSubstituteRows"/>).
    /// </summary>
    public static void RelaxedForward(ReadOnlySpan<float> above, ReadOnlySpan<float> lines, ReadOnlySpan<float> input, Span<float> output, int rows, int n)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> line = lines.Slice(4 * n * r, 4 * n), a = above.Slice(n * r, n), z = input.Slice(n * r, n);
            Span<float> y = output.Slice(n * r, n);
            for (int i = 0; i < n; i++)
            {
                y[i] = a[i] >= 0 ? line[i] * z[i] + line[n + i] : line[2 * n + i] * z[i] + line[3 * n + i];
            }
        }
    }

    /// <summary>
    /// The gradient of each row's bound with respect to its parameters (R × 2n), from the row above the activation
    /// <paramref name="above"/> (λ) and the relaxed network's pre-activations at the row's minimiser <paramref name="input"/>
    /// (ẑ): λ·f″(t)·(ẑ − t)·(to − from) for a tangent at t the row selects, λ·ẑ for a ReLU slope, 0 elsewhere.
    /// </summary>
    public static void Gradient(SlopeFunction function, ReadOnlySpan<float> above, ReadOnlySpan<float> input, ReadOnlySpan<float> ranges, ReadOnlySpan<float> parameters, Span<float> gradient, int rows)
    {
        int n = ranges.Length / 4;
        bool tanh = function == SlopeFunction.Tanh;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> a = above.Slice(n * r, n), z = input.Slice(n * r, n), p = parameters.Slice(2 * n * r, 2 * n);
            Span<float> g = gradient.Slice(2 * n * r, 2 * n);
            for (int i = 0; i < n; i++)
            {
                double lambda = a[i];
                g[i] = g[n + i] = 0;
                float lowFrom = ranges[i], upFrom = ranges[2 * n + i];
                if (lambda >= 0 && !float.IsNaN(lowFrom))
                {
                    if (function == SlopeFunction.ReLU)
                    {
                        g[i] = (float)(lambda * z[i]);
                    }
                    else
                    {
                        float to = ranges[n + i];
                        double t = Point(lowFrom, to, p[i]);
                        g[i] = (float)(lambda * Activation.Curvature(t, tanh) * (z[i] - t) * (to - lowFrom));
                    }
                }
                else if (lambda < 0 && !float.IsNaN(upFrom))
                {
                    float to = ranges[3 * n + i];
                    double t = Point(upFrom, to, p[n + i]);
                    g[n + i] = (float)(lambda * Activation.Curvature(t, tanh) * (z[i] - t) * (to - upFrom));
                }
            }
        }
    }

    /// <summary>
    /// One projected Adam step of ascent (β₁ = 0.9, β₂ = 0.999; <paramref name="step"/> counts from 1): θ ← clip(θ + rate·m̂ / √v̂, 0, 1).
    /// </summary>
    public static void Ascend(Span<float> parameters, ReadOnlySpan<float> gradient, Span<double> moments, int step, float rate)
    {
        int count = parameters.Length;
        Span<double> m = moments.Slice(0, count), v = moments.Slice(count, count);
        double c1 = 1 - Math.Pow(0.9, step), c2 = 1 - Math.Pow(0.999, step);
        for (int i = 0; i < count; i++)
        {
            double g = gradient[i];
            m[i] = 0.9 * m[i] + 0.1 * g;
            v[i] = 0.999 * v[i] + 0.001 * g * g;
            if (m[i] == 0 || v[i] == 0) continue;
            double move = rate * (m[i] / c1) / Math.Sqrt(v[i] / c2);
            parameters[i] = (float)Math.Clamp(parameters[i] + move, 0, 1);
        }
    }
}
