using System.ComponentModel;
using System.Numerics;
using Intriguing.Certification;

namespace Intriguing.Generated;

/// <summary>
/// For generated code only: not part of the supported API, hidden from IntelliSense. The steps of bound propagation
/// that belong to no layer kind: seeding the rows of a backward pass, evaluating them over the input region, and
/// storing what they give. Derivations in docs/certification.md.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class BoundKernels
{
    /// <summary>Iterations of the L2 dual for the bounds of hidden neurons (the margins get <see cref="MarginIterations"/>).</summary>
    public const int HiddenIterations = 6;

    /// <summary>Iterations of the L2 dual for the margins: enough to reach the exact minimum on MNIST inputs.</summary>
    public const int MarginIterations = 100;

    /// <summary>
    /// Rows <paramref name="start"/> … start + rows − 1 of the stacked identity [I; −I] of an activation of
    /// <paramref name="length"/> values: row g &lt; length is e_g (its lower bound is neuron g's), row g ≥ length is
    /// −e_(g−length) (minus its upper bound). Constants are set to zero.
    /// </summary>
    public static void SeedIdentity(Span<float> rows, Span<double> constants, int start, int count, int length)
    {
        rows.Slice(0, count * length).Clear();
        for (int r = 0; r < count; r++)
        {
            int g = start + r;
            rows[r * length + (g < length ? g : g - length)] = g < length ? 1f : -1f;
            constants[r] = 0;
        }
    }

    /// <summary>The margin rows e_label − e_j for every j ≠ label, in order of j; returns their number (length − 1).</summary>
    public static int SeedMargins(Span<float> rows, Span<double> constants, int label, int length)
    {
        CheckLabel(label, length);
        int count = length - 1;
        rows.Slice(0, count * length).Clear();
        for (int r = 0, j = 0; j < length; j++)
        {
            if (j == label) continue;
            rows[r * length + label] = 1f;
            rows[r * length + j] = -1f;
            constants[r] = 0;
            r++;
        }

        return count;
    }

    /// <summary>Throws unless 0 ≤ label &lt; classes.</summary>
    public static void CheckLabel(int label, int classes)
    {
        if ((uint)label >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(label), label, $"The label must be in 0…{classes - 1}.");
    }

    /// <summary>
    /// Writes into <see cref="BoundWorkspace.RowBounds"/> the lower bound over the workspace's region of each row's
    /// linear function a·x′ + c of the input: exact for L∞ (a box), the Lagrangian dual of the ball intersected with the
    /// box for L2 (exact once converged, a valid lower bound after any number of <paramref name="iterations"/>).
    /// </summary>
    public static void Concretize(BoundWorkspace bw, int count, int iterations)
    {
        ReadOnlySpan<float> x = bw.Input, lo = bw.Lower(0), hi = bw.Upper(0);
        int n = x.Length;
        Span<float> rows = bw.Rows(0, count);
        Span<double> constants = bw.Constants(count), result = bw.RowBounds(count);
        InputRegion region = bw.Region;
        for (int r = 0; r < count; r++)
        {
            ReadOnlySpan<float> a = rows.Slice(r * n, n);
            result[r] = constants[r] + (region.Norm == PerturbationNorm.LInfinity
                ? BoxMinimum(a, lo, hi)
                : BallBoxMinimum(a, x, lo, hi, region.Epsilon, iterations));
        }
    }

    /// <summary>min over lo ≤ x′ ≤ hi of a·x′.</summary>
    public static double BoxMinimum(ReadOnlySpan<float> a, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi)
    {
        int n = a.Length, i = 0;
        var acc = Vector<float>.Zero;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            var ai = new Vector<float>(a.Slice(i));
            acc += ai * Vector.ConditionalSelect(Vector.GreaterThanOrEqual(ai, Vector<float>.Zero), new Vector<float>(lo.Slice(i)), new Vector<float>(hi.Slice(i)));
        }

        double sum = Vector.Sum(acc);
        for (; i < n; i++) sum += a[i] >= 0 ? (double)a[i] * lo[i] : (double)a[i] * hi[i];
        return sum;
    }

    /// <summary>
    /// The step t = 1/μ of the dual of <see cref="BallBoxMinimum"/> (the minimiser moves each x_i by −a_i·t clipped to the
    /// box): 0 when a = 0 or ε = 0, +∞ when the box lies inside the ball (the box corner is the minimiser); with a·x and
    /// the box bound a·corner.
    /// </summary>
    private static double DualStep(ReadOnlySpan<float> a, ReadOnlySpan<float> x, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, double epsilon, int iterations, out double center, out double boxBound)
    {
        int n = a.Length, width = Vector<float>.Count;
        // One pass: a·x, ‖a‖², Σ cap², Σ |a|·cap, where cap_i is how far x_i can move against the sign of a_i.
        var vCenter = Vector<float>.Zero;
        var vNorm = Vector<float>.Zero;
        var vCap = Vector<float>.Zero;
        var vGain = Vector<float>.Zero;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var ai = new Vector<float>(a.Slice(i));
            var xi = new Vector<float>(x.Slice(i));
            var cap = Vector.ConditionalSelect(Vector.GreaterThan(ai, Vector<float>.Zero), xi - new Vector<float>(lo.Slice(i)), new Vector<float>(hi.Slice(i)) - xi);
            cap = Vector.ConditionalSelect(Vector.Equals(ai, Vector<float>.Zero), Vector<float>.Zero, cap);
            vCenter += ai * xi;
            vNorm += ai * ai;
            vCap += cap * cap;
            vGain += Vector.Abs(ai) * cap;
        }

        center = Vector.Sum(vCenter);
        double norm2 = Vector.Sum(vNorm), capSum2 = Vector.Sum(vCap), boxGain = Vector.Sum(vGain);
        int tail = i;
        for (; i < n; i++)
        {
            double ai = a[i];
            center += ai * x[i];
            if (ai == 0) continue;
            double cap = ai > 0 ? (double)x[i] - lo[i] : (double)hi[i] - x[i];
            norm2 += ai * ai;
            capSum2 += cap * cap;
            boxGain += Math.Abs(ai) * cap;
        }

        boxBound = center - boxGain;
        if (norm2 == 0) return 0;
        double eps2 = epsilon * epsilon;
        // The box lies inside the ball along every coordinate that matters: the box bound is the minimum.
        if (capSum2 <= eps2) return double.PositiveInfinity;
        if (epsilon == 0) return 0;

        // t = 1/μ: δ_i = −a_i t clipped to its cap. S(t) = Σ min(a_i² t², cap_i²) grows with t; the iteration
        // t ← sqrt((ε² − Σ_sat cap²) / Σ_unsat a²) starts below the root and never passes it.
        double t = epsilon / Math.Sqrt(norm2);
        for (int it = 0; it < iterations; it++)
        {
            var vt = new Vector<float>((float)t);
            var vFree = Vector<float>.Zero;
            var vSat = Vector<float>.Zero;
            for (i = 0; i < tail; i += width)
            {
                var ai = new Vector<float>(a.Slice(i));
                var xi = new Vector<float>(x.Slice(i));
                var cap = Vector.ConditionalSelect(Vector.GreaterThan(ai, Vector<float>.Zero), xi - new Vector<float>(lo.Slice(i)), new Vector<float>(hi.Slice(i)) - xi);
                var saturated = Vector.GreaterThanOrEqual(Vector.Abs(ai) * vt, cap);
                vSat += Vector.ConditionalSelect(saturated, cap * cap, Vector<float>.Zero);
                vFree += Vector.ConditionalSelect(saturated, Vector<float>.Zero, ai * ai);
            }

            double free = Vector.Sum(vFree), sat = Vector.Sum(vSat);
            for (i = tail; i < n; i++)
            {
                double ai = a[i];
                if (ai == 0) continue;
                double cap = ai > 0 ? (double)x[i] - lo[i] : (double)hi[i] - x[i];
                if (Math.Abs(ai) * t >= cap) sat += cap * cap;
                else free += ai * ai;
            }

            if (free <= 0) break;
            double next = Math.Sqrt(Math.Max(0, eps2 - sat) / free);
            if (!(next > t * (1 + 1e-6))) break;
            t = next;
        }

        return t;
    }

    /// <summary>
    /// A lower bound of min a·x′ over ‖x′ − x‖₂ ≤ ε and lo ≤ x′ ≤ hi (x inside the box), from the dual
    /// g(μ) = Σ_i min_{δ_i} (a_i δ_i + μ δ_i²/2) − μ ε²/2, valid for every μ &gt; 0, at the μ found by a monotone
    /// fixed-point iteration on the saturated coordinates (exact when it converges). Never below the box bound.
    /// </summary>
    public static double BallBoxMinimum(ReadOnlySpan<float> a, ReadOnlySpan<float> x, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, double epsilon, int iterations)
    {
        double t = DualStep(a, x, lo, hi, epsilon, iterations, out double center, out double boxBound);
        if (t == 0) return center;
        if (double.IsPositiveInfinity(t)) return boxBound;
        int n = a.Length, width = Vector<float>.Count, tail = n - (n % width), i;
        double eps2 = epsilon * epsilon;

        // g(μ) at μ = 1/t, in double from the clipped steps d_i = min(|a_i| t, cap_i).
        double mu = 1 / t;
        var vG = Vector<float>.Zero;
        var vT = new Vector<float>((float)t);
        var vHalfMu = new Vector<float>((float)(mu / 2));
        for (i = 0; i < tail; i += width)
        {
            var ai = new Vector<float>(a.Slice(i));
            var xi = new Vector<float>(x.Slice(i));
            var cap = Vector.ConditionalSelect(Vector.GreaterThan(ai, Vector<float>.Zero), xi - new Vector<float>(lo.Slice(i)), new Vector<float>(hi.Slice(i)) - xi);
            var abs = Vector.Abs(ai);
            var d = Vector.Min(abs * vT, cap);
            d = Vector.ConditionalSelect(Vector.Equals(ai, Vector<float>.Zero), Vector<float>.Zero, d);
            vG += d * (vHalfMu * d - abs);
        }

        double g = Vector.Sum(vG) - mu * eps2 / 2;
        for (i = tail; i < n; i++)
        {
            double ai = a[i];
            if (ai == 0) continue;
            double cap = ai > 0 ? (double)x[i] - lo[i] : (double)hi[i] - x[i];
            double abs = Math.Abs(ai);
            double d = Math.Min(abs * t, cap);
            g += -abs * d + mu * d * d / 2;
        }

        return Math.Max(center + g, boxBound);
    }

    /// <summary>
    /// Stores the row bounds of rows <paramref name="start"/> … of the stacked identity (see <see cref="SeedIdentity"/>)
    /// into the bounds of activation <paramref name="layer"/>, keeping the tighter of the new and the present bound.
    /// </summary>
    public static void StoreIdentityBounds(BoundWorkspace bw, int layer, int start, int count, int length)
    {
        Span<float> lo = bw.Lo(layer), hi = bw.Hi(layer);
        ReadOnlySpan<double> result = bw.RowBounds(count);
        for (int r = 0; r < count; r++)
        {
            int g = start + r;
            if (g < length)
            {
                float v = RoundDown(result[r]);
                if (v > lo[g]) lo[g] = v;
            }
            else
            {
                float v = RoundUp(-result[r]);
                if (v < hi[g - length]) hi[g - length] = v;
            }
        }
    }

    /// <summary>
    /// Stores the margin bounds of the rows made by <see cref="SeedMargins"/>, each raised to the interval margin
    /// lower(z_label) − upper(z_j) when that is tighter (CROWN is not always tighter than intervals on large regions);
    /// returns the smallest.
    /// </summary>
    public static double StoreMargins(BoundWorkspace bw, int label, int length)
    {
        double[] margins = bw.Margins;
        ReadOnlySpan<double> result = bw.RowBounds(length - 1);
        ReadOnlySpan<float> lo = bw.Lower(bw.LogitsLayer), hi = bw.Upper(bw.LogitsLayer);
        double min = double.PositiveInfinity;
        for (int r = 0, j = 0; j < length; j++)
        {
            if (j == label)
            {
                margins[j] = double.PositiveInfinity;
                continue;
            }

            margins[j] = Math.Max(result[r++], (double)lo[label] - hi[j]);
            min = Math.Min(min, margins[j]);
        }

        return min;
    }

    /// <summary>
    /// Raises the stored margin bounds to those of the rows made by <see cref="SeedMargins"/> where these are larger
    /// (every relaxation gives valid bounds, so the largest is kept); returns the smallest margin bound.
    /// </summary>
    public static double ImproveMargins(BoundWorkspace bw, int label, int length)
    {
        double[] margins = bw.Margins;
        ReadOnlySpan<double> result = bw.RowBounds(length - 1);
        double min = double.PositiveInfinity;
        for (int r = 0, j = 0; j < length; j++)
        {
            if (j == label) continue;
            margins[j] = Math.Max(margins[j], result[r++]);
            min = Math.Min(min, margins[j]);
        }

        return min;
    }

    /// <summary>The row of the last <see cref="Concretize"/> with the smallest bound (the first of equals).</summary>
    public static int WorstRow(BoundWorkspace bw, int count)
    {
        ReadOnlySpan<double> result = bw.RowBounds(count);
        int worst = 0;
        for (int r = 1; r < count; r++)
        {
            if (result[r] < result[worst]) worst = r;
        }

        return worst;
    }

    /// <summary>
    /// A point of the workspace's region where row <paramref name="row"/>'s linear function of the input (after a backward
    /// pass) is smallest: the box corner for L∞; for L2, the steps −a_i·t clipped to the box, t the dual step of
    /// <see cref="BallBoxMinimum"/>. Used to choose relaxations that are tight where the bound is attained.
    /// </summary>
    public static void Minimizer(BoundWorkspace bw, int row, int iterations, Span<float> point)
    {
        ReadOnlySpan<float> x = bw.Input, lo = bw.Lower(0), hi = bw.Upper(0);
        int n = x.Length;
        ReadOnlySpan<float> a = bw.Rows(0, row + 1).Slice(row * n, n);
        if (bw.Region.Norm == PerturbationNorm.LInfinity)
        {
            for (int i = 0; i < n; i++) point[i] = a[i] >= 0 ? lo[i] : hi[i];
            return;
        }

        // The bound's own dual step, so the point is where the bound of the last pass is attained: x_i moves by
        // −sign(a_i)·min(|a_i|·t, cap_i), which is x − a·t clipped to the box.
        double t = DualStep(a, x, lo, hi, bw.Region.Epsilon, iterations, out _, out _);
        if (double.IsPositiveInfinity(t))
        {
            for (int i = 0; i < n; i++) point[i] = a[i] > 0 ? lo[i] : a[i] < 0 ? hi[i] : x[i];
            return;
        }

        Span<float> p = point.Slice(0, n);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(a, (float)-t, x, p);
        System.Numerics.Tensors.TensorPrimitives.Max(p, lo, p);
        System.Numerics.Tensors.TensorPrimitives.Min(p, hi, p);
    }

    /// <summary>Interval margins lower(z_label) − upper(z_j); returns the smallest.</summary>
    public static double IntervalMargins(BoundWorkspace bw, int label, int layer)
    {
        ReadOnlySpan<float> lo = bw.Lower(layer), hi = bw.Upper(layer);
        CheckLabel(label, lo.Length);
        double[] margins = bw.Margins;
        double min = double.PositiveInfinity;
        for (int j = 0; j < lo.Length; j++)
        {
            margins[j] = j == label ? double.PositiveInfinity : (double)lo[label] - hi[j];
            min = Math.Min(min, margins[j]);
        }

        return min;
    }

    /// <summary>The largest float ≤ <paramref name="value"/>.</summary>
    public static float RoundDown(double value)
    {
        float f = (float)value;
        return f > value ? MathF.BitDecrement(f) : f;
    }

    /// <summary>The smallest float ≥ <paramref name="value"/>.</summary>
    public static float RoundUp(double value)
    {
        float f = (float)value;
        return f < value ? MathF.BitIncrement(f) : f;
    }
}
