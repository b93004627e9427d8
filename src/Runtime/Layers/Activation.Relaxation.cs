using System.Runtime.InteropServices;
using Intriguing.Generated;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Intriguing.Layers;

public static partial class Activation
{
    // The linear relaxations of CROWN (Zhang et al. 2018, Sec. 3.2): for a neuron with pre-activation in [l, u], lines
    // a_L·z + b_L ≤ f(z) ≤ a_U·z + b_U on [l, u]. They are stored in one array of 4n values: lower slopes, lower
    // intercepts, upper slopes, upper intercepts. Derivations and soundness arguments in docs/certification.md.

    /// <summary>Interval bounds of the sigmoid (monotone): [σ(lo), σ(hi)].</summary>
    public static void SigmoidInterval(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> outLo, Span<float> outHi)
    {
        for (int i = 0; i < lo.Length; i++)
        {
            outLo[i] = Generated.BoundKernels.RoundDown(Sigma(lo[i]));
            outHi[i] = Generated.BoundKernels.RoundUp(Sigma(hi[i]));
        }
    }

    /// <summary>Interval bounds of tanh (monotone): [tanh(lo), tanh(hi)].</summary>
    public static void TanhInterval(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> outLo, Span<float> outHi)
    {
        for (int i = 0; i < lo.Length; i++)
        {
            outLo[i] = Generated.BoundKernels.RoundDown(Math.Tanh(lo[i]));
            outHi[i] = Generated.BoundKernels.RoundUp(Math.Tanh(hi[i]));
        }
    }

    /// <summary>Interval bounds of the ReLU: [max(0, lo), max(0, hi)].</summary>
    public static void ReLUInterval(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> outLo, Span<float> outHi)
    {
        TensorPrimitives.Max(lo, 0f, outLo);
        TensorPrimitives.Max(hi, 0f, outHi);
    }

    /// <summary>The CROWN relaxation of every sigmoid neuron from its pre-activation bounds (4n values, see the class).</summary>
    public static void SigmoidRelax(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> relaxation) => SShapedRelax(lo, hi, relaxation, tanh: false);

    /// <summary>The CROWN relaxation of every tanh neuron from its pre-activation bounds (4n values).</summary>
    public static void TanhRelax(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> relaxation) => SShapedRelax(lo, hi, relaxation, tanh: true);

    /// <summary>
    /// The CROWN relaxation of every ReLU neuron (4n values): the zero or identity line where the sign is known; for
    /// l &lt; 0 &lt; u, the chord above and the adaptive line below (slope 1 if u ≥ −l, else 0).
    /// </summary>
    public static void ReLURelax(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> relaxation)
    {
        int n = lo.Length;
        Span<float> ls = relaxation.Slice(0, n), li = relaxation.Slice(n, n), us = relaxation.Slice(2 * n, n), ui = relaxation.Slice(3 * n, n);
        for (int i = 0; i < n; i++)
        {
            double l = lo[i], u = hi[i];
            if (u <= 0)
            {
                ls[i] = 0; li[i] = 0; us[i] = 0; ui[i] = 0;
            }
            else if (l >= 0)
            {
                ls[i] = 1; li[i] = 0; us[i] = 1; ui[i] = 0;
            }
            else
            {
                double slope = u / (u - l);
                us[i] = (float)slope;
                // The chord's intercept −l·u/(u − l), rounded up and computed from the rounded slope so the line stays above.
                ui[i] = Generated.BoundKernels.RoundUp(Math.Max(-us[i] * l, u - us[i] * u));
                ls[i] = u >= -l ? 1 : 0;
                li[i] = 0;
            }
        }
    }

    /// <summary>
    /// One step of a backward pass through a relaxed activation: row entries λ ≥ 0 take the lower line, λ &lt; 0 the
    /// upper one (which gives a lower bound of λ·f(z)); the intercepts go into the row constants.
    /// </summary>
    public static void BackSubstitute(ReadOnlySpan<float> above, ReadOnlySpan<float> relaxation, Span<float> below, Span<double> constants, int rows, int n)
        => RowStep(above, relaxation, 0, below, constants, rows, n);

    /// <summary>
    /// <see cref="BackSubstitute"/> for windowed rows (see <c>BoundWorkspace.Window</c>) over an activation of channels ×
    /// height × width values: only the window of activation <paramref name="above"/> is read and written below, and
    /// the window below is the same.
    /// </summary>
    public static void BackSubstituteWindow(Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<float> relaxation, int rows, int channels, int height, int width)
        => WindowStep(bw, above, below, relaxation, 0, rows, channels, height, width);

    /// <summary>
    /// <see cref="BackSubstitute"/> with a relaxation of its own for every row: row r takes the 4n values at
    /// <paramref name="relaxations"/>[4n·r …] (the per-row lines of optimised slopes, <see cref="Generated.SlopeKernels"/>).
    /// </summary>
    public static void BackSubstituteRows(ReadOnlySpan<float> above, ReadOnlySpan<float> relaxations, Span<float> below, Span<double> constants, int rows, int n)
        => RowStep(above, relaxations, 4 * n, below, constants, rows, n);

    /// <summary>The step over whole rows; row r reads its relaxation at <paramref name="stride"/>·r (0: one for every row).</summary>
    private static void RowStep(ReadOnlySpan<float> above, ReadOnlySpan<float> relaxations, int stride, Span<float> below, Span<double> constants, int rows, int n)
    {
        if (n == 0) return;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> relaxation = relaxations.Slice(stride * r, 4 * n);
            ReadOnlySpan<float> a = above.Slice(r * n, n), ls = relaxation.Slice(0, n), li = relaxation.Slice(n, n), us = relaxation.Slice(2 * n, n), ui = relaxation.Slice(3 * n, n);
            Span<float> b = below.Slice(r * n, n);
            constants[r] += Segment(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(ls), ref MemoryMarshal.GetReference(li), ref MemoryMarshal.GetReference(us), ref MemoryMarshal.GetReference(ui), ref MemoryMarshal.GetReference(b), n);
        }
    }

    /// <summary><see cref="BackSubstituteWindow"/> with a relaxation of its own for every row (see <see cref="BackSubstituteRows"/>).</summary>
    public static void BackSubstituteWindowRows(Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<float> relaxations, int rows, int channels, int height, int width)
        => WindowStep(bw, above, below, relaxations, 4 * channels * height * width, rows, channels, height, width);

    /// <summary>The windowed step; row r reads its relaxation at <paramref name="stride"/>·r (0: one for every row).</summary>
    private static void WindowStep(Certification.BoundWorkspace bw, int above, int below, ReadOnlySpan<float> relaxations, int stride, int rows, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(bw);
        int n = channels * height * width;
        ReadOnlySpan<int> window = bw.Window(above);
        window.CopyTo(bw.Window(below));
        ReadOnlySpan<float> a = bw.Rows(above, rows);
        Span<float> b = bw.Rows(below, rows);
        Span<double> constants = bw.Constants(rows);
        (int span, int lines) = Generated.BoundKernels.WindowRuns(window, width);
        if (span <= 0 || lines <= 0) return;

        // Largest index read or written below: row rows − 1, channel channels − 1, line lines − 1, value span − 1.
        int last = ((channels - 1) * height + window[0] + lines - 1) * width + window[2] + span;
        NetworkGuard.Length(relaxations.Slice(0, n), last, nameof(relaxations));
        NetworkGuard.Length(a, (rows - 1) * n + last, "rows above");
        NetworkGuard.Length(b, (rows - 1) * n + last, "rows below");
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> relaxation = relaxations.Slice(stride * r, 4 * n);
            ReadOnlySpan<float> ls = relaxation.Slice(0, n), li = relaxation.Slice(n, n), us = relaxation.Slice(2 * n, n), ui = relaxation.Slice(3 * n, n);
            double c = 0;
            for (int ch = 0; ch < channels; ch++)
            {
                for (int y = 0; y < lines; y++)
                {
                    int at = (ch * height + window[0] + y) * width + window[2];
                    c += Segment(ref Unsafe.AsRef(in a[r * n + at]), ref Unsafe.AsRef(in ls[at]), ref Unsafe.AsRef(in li[at]), ref Unsafe.AsRef(in us[at]), ref Unsafe.AsRef(in ui[at]), ref b[r * n + at], span);
                }
            }

            constants[r] += c;
        }
    }

    /// <summary>One stretch of a row (n values): b = λ·slope (lower line for λ ≥ 0, upper for λ &lt; 0); returns Σ λ·intercept.</summary>
    private static double Segment(ref float a, ref float ls, ref float li, ref float us, ref float ui, ref float b, int n)
    {
        int width = System.Numerics.Vector<float>.Count;
        var acc = System.Numerics.Vector<float>.Zero;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var lambda = System.Numerics.Vector.LoadUnsafe(ref a, (nuint)i);
            var positive = System.Numerics.Vector.GreaterThanOrEqual(lambda, System.Numerics.Vector<float>.Zero);
            var slope = System.Numerics.Vector.ConditionalSelect(positive, System.Numerics.Vector.LoadUnsafe(ref ls, (nuint)i), System.Numerics.Vector.LoadUnsafe(ref us, (nuint)i));
            var intercept = System.Numerics.Vector.ConditionalSelect(positive, System.Numerics.Vector.LoadUnsafe(ref li, (nuint)i), System.Numerics.Vector.LoadUnsafe(ref ui, (nuint)i));
            System.Numerics.Vector.StoreUnsafe(lambda * slope, ref b, (nuint)i);
            acc += lambda * intercept;
        }

        double c = System.Numerics.Vector.Sum(acc);
        for (; i < n; i++)
        {
            // The side by a mask rather than a branch: the sign of λ is unpredictable.
            float lambda = Unsafe.Add(ref a, i);
            bool positive = lambda >= 0;
            int mask = -Unsafe.As<bool, byte>(ref positive);
            float slope = Select(mask, Unsafe.Add(ref ls, i), Unsafe.Add(ref us, i));
            float intercept = Select(mask, Unsafe.Add(ref li, i), Unsafe.Add(ref ui, i));
            Unsafe.Add(ref b, i) = lambda * slope;
            c += (double)lambda * intercept;
        }

        return c;
    }

    /// <summary><paramref name="whenSet"/> where <paramref name="mask"/> is all ones, else <paramref name="otherwise"/> (mask 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Select(int mask, float whenSet, float otherwise)
    {
        int other = BitConverter.SingleToInt32Bits(otherwise);
        return BitConverter.Int32BitsToSingle(other ^ ((BitConverter.SingleToInt32Bits(whenSet) ^ other) & mask));
    }

    private static double Sigma(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>
    /// The sigmoid relaxation with every tangent touching at <paramref name="touch"/> (clipped to the range where the
    /// tangent stays a valid bound; chords as in <see cref="SigmoidRelax"/>): as valid as CROWN's choice, and tight at the
    /// point where a bound is attained (the slopes α-CROWN optimises, chosen at the minimiser instead of by gradient steps).
    /// </summary>
    public static void SigmoidRetouch(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, ReadOnlySpan<float> touch, Span<float> relaxation) => SShapedRelax(lo, hi, relaxation, tanh: false, touch);

    /// <summary>The tanh relaxation with every tangent touching at <paramref name="touch"/> (see <see cref="SigmoidRetouch"/>).</summary>
    public static void TanhRetouch(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, ReadOnlySpan<float> touch, Span<float> relaxation) => SShapedRelax(lo, hi, relaxation, tanh: true, touch);

    /// <summary>
    /// The ReLU relaxation with the lower slope of every unstable neuron (l &lt; 0 &lt; u) chosen at <paramref name="touch"/>:
    /// 1 where the pre-activation there is positive, else 0 (both valid; the chord above as in <see cref="ReLURelax"/>).
    /// </summary>
    public static void ReLURetouch(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, ReadOnlySpan<float> touch, Span<float> relaxation)
    {
        ReLURelax(lo, hi, relaxation);
        int n = lo.Length;
        Span<float> ls = relaxation.Slice(0, n);
        for (int i = 0; i < n; i++)
        {
            if (lo[i] < 0 && hi[i] > 0) ls[i] = touch[i] > 0 ? 1 : 0;
        }
    }

    private static void SShapedRelax(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> relaxation, bool tanh, ReadOnlySpan<float> touch = default)
    {
        int n = lo.Length;
        Span<float> ls = relaxation.Slice(0, n), li = relaxation.Slice(n, n), us = relaxation.Slice(2 * n, n), ui = relaxation.Slice(3 * n, n);
        for (int i = 0; i < n; i++)
        {
            var (a, b, c, d) = SShaped(lo[i], hi[i], tanh, touch.IsEmpty ? double.NaN : touch[i]);
            (ls[i], li[i]) = RoundedLine(a, b, lo[i], hi[i], lower: true);
            (us[i], ui[i]) = RoundedLine(c, d, lo[i], hi[i], lower: false);
        }
    }

    internal static double Value(double z, bool tanh) => tanh ? Math.Tanh(z) : Sigma(z);

    internal static double Slope(double z, bool tanh) => ValueAndSlope(z, tanh).Slope;

    /// <summary>
    /// The line slope·z + intercept on [<paramref name="l"/>, <paramref name="u"/>] with a float slope: the intercept moves by
    /// (exact − rounded slope)·z, largest at an end of the range, and is rounded outwards (down for a lower line).
    /// </summary>
    internal static (float Slope, float Intercept) RoundedLine(double slope, double intercept, double l, double u, bool lower)
    {
        float rounded = (float)slope;
        double at = intercept + (slope - rounded) * l, bt = intercept + (slope - rounded) * u;
        return (rounded, lower ? Generated.BoundKernels.RoundDown(Math.Min(at, bt)) : Generated.BoundKernels.RoundUp(Math.Max(at, bt)));
    }

    /// <summary>f(z) and f′(z) from one exponential.</summary>
    internal static (double Value, double Slope) ValueAndSlope(double z, bool tanh)
    {
        double f = Value(z, tanh);
        return (f, tanh ? 1 - f * f : f * (1 - f));
    }

    /// <summary>f″(z): σ′(z)(1 − 2σ(z)) for the sigmoid, −2 tanh(z)(1 − tanh²(z)) for tanh.</summary>
    internal static double Curvature(double z, bool tanh)
    {
        if (tanh)
        {
            double t = Math.Tanh(z);
            return -2 * t * (1 - t * t);
        }

        double s = Sigma(z);
        return s * (1 - s) * (1 - 2 * s);
    }

    /// <summary>
    /// Lower line (a, b) and upper line (c, d) of an S-shaped function (convex below 0, concave above) on [l, u]:
    /// chord and tangent at the midpoint on one side of 0; across 0, the chord where it is valid, else the tangent
    /// through the far end point, its touching point found by bisection on the side that keeps the line valid.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="touch"/> point (not NaN), every tangent touches there instead, clipped to where it stays a
    /// valid bound: [l, u] on one side of 0; across 0, [l, d_L] below and [d_U, u] above, d_L and d_U the touching
    /// points of the tangents through the far end points (any tangent between them and the end is valid: its value at
    /// the far end moves monotonically away from the function).
    /// </remarks>
    internal static (double A, double B, double C, double D) SShaped(double l, double u, bool tanh, double touch = double.NaN)
    {
        double fl = Value(l, tanh), fu = Value(u, tanh);
        if (!(u - l > 1e-6))
        {
            // A tiny interval (a point at ε = 0): the tangent at the midpoint, shifted by the largest second-order
            // error max|f″|·(u − l)²/8 (max|σ″| < 0.1, max|tanh″| < 0.77), so that the lines carry the gradient.
            double m = 0.5 * (l + u), s = Slope(m, tanh), c = Value(m, tanh) - s * m;
            double e = (tanh ? 0.77 : 0.1) * (u - l) * (u - l) / 8 + 1e-15;
            return (s, c - e, s, c + e);
        }

        double k = (fu - fl) / (u - l);
        double chordB = fl - k * l;
        bool touching = !double.IsNaN(touch);
        if (u <= 0)
        {
            // Convex: tangent below, chord above.
            double m = touching ? Math.Clamp(touch, l, u) : 0.5 * (l + u), s = Slope(m, tanh);
            return (s, Value(m, tanh) - s * m, k, chordB);
        }

        if (l >= 0)
        {
            // Concave: chord below, tangent above.
            double m = touching ? Math.Clamp(touch, l, u) : 0.5 * (l + u), s = Slope(m, tanh);
            return (k, chordB, s, Value(m, tanh) - s * m);
        }

        double lowerA, lowerB, upperA, upperB;
        if (k <= Slope(u, tanh))
        {
            upperA = k;
            upperB = chordB;
        }
        else
        {
            double b = UpperTouchStart(l, u, tanh);
            double t = touching ? Math.Clamp(touch, b, u) : b, s = Slope(t, tanh);
            upperA = s;
            upperB = Value(t, tanh) - s * t;
        }

        if (k <= Slope(l, tanh))
        {
            lowerA = k;
            lowerB = chordB;
        }
        else
        {
            double a = LowerTouchEnd(l, u, tanh);
            double t = touching ? Math.Clamp(touch, l, a) : a, s = Slope(t, tanh);
            lowerA = s;
            lowerB = Value(t, tanh) - s * t;
        }

        return (lowerA, lowerB, upperA, upperB);
    }

    /// <summary>
    /// Across 0 (l &lt; 0 &lt; u, the chord not valid above): d_U ∈ [0, u], the touching point of the tangent through (l, f(l)),
    /// found by bisection keeping the end where the tangent at l is ≥ f(l), so every tangent at [d_U, u] is a valid upper line.
    /// </summary>
    internal static double UpperTouchStart(double l, double u, bool tanh)
    {
        double fl = Value(l, tanh), a = 0, b = u;
        for (int it = 0; it < 24; it++)
        {
            double m = 0.5 * (a + b);
            if (Value(m, tanh) + Slope(m, tanh) * (l - m) >= fl) b = m;
            else a = m;
        }

        return b;
    }

    /// <summary>Across 0 (the chord not valid below): d_L ∈ [l, 0], the touching point of the tangent through (u, f(u)); every tangent at [l, d_L] is a valid lower line.</summary>
    internal static double LowerTouchEnd(double l, double u, bool tanh)
    {
        double fu = Value(u, tanh), a = l, b = 0;
        for (int it = 0; it < 24; it++)
        {
            double m = 0.5 * (a + b);
            if (Value(m, tanh) + Slope(m, tanh) * (u - m) <= fu) a = m;
            else b = m;
        }

        return a;
    }
}
