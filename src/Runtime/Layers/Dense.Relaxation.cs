using System.Numerics;
using System.Numerics.Tensors;
using Intriguing.Generated;

namespace Intriguing.Layers;

public static partial class Dense
{
    /// <summary>
    /// Interval bounds of y = W·x + b for lo ≤ x ≤ hi (exact for a box): y = W·m + b ± |W|·r with m, r the box's centre
    /// and radius. <paramref name="mid"/> and <paramref name="radius"/> are scratch of the input's length.
    /// </summary>
    public static void IntervalForward(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi,
        Span<float> outLo, Span<float> outHi, Span<float> mid, Span<float> radius, int outputs, int inputs)
    {
        NetworkGuard.Length(weights, outputs * inputs, nameof(weights));
        Centre(lo, hi, mid, radius, inputs);
        for (int j = 0; j < outputs; j++)
        {
            ReadOnlySpan<float> row = weights.Slice(j * inputs, inputs);
            double c = TensorPrimitives.Dot(row, mid.Slice(0, inputs)) + (bias.IsEmpty ? 0 : bias[j]);
            double r = AbsDot(row, radius.Slice(0, inputs));
            outLo[j] = BoundKernels.RoundDown(c - r);
            outHi[j] = BoundKernels.RoundUp(c + r);
        }
    }

    /// <summary>
    /// One step of a backward pass through y = W·x + b: rows Λ over y become rows Λ·W over x, and each row's constant
    /// gains Λ·b. Rows are <paramref name="rows"/> × outputs and <paramref name="rows"/> × inputs, row-major.
    /// </summary>
    public static void BackSubstitute(ReadOnlySpan<float> above, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> below, Span<double> constants, int rows, int outputs, int inputs)
    {
        if (!bias.IsEmpty)
        {
            for (int r = 0; r < rows; r++) constants[r] += TensorPrimitives.Dot(above.Slice(r * outputs, outputs), bias.Slice(0, outputs));
        }

        Gemm.MultiplyAB(above, weights, below, rows, inputs, outputs);
    }

    /// <summary>
    /// Rows of the stacked identity [I; −I] over y (see <c>BoundKernels.SeedIdentity</c>) carried through this layer at
    /// once: row g is ±(row of W) over x with constant ±b_g, which saves the product with the identity.
    /// </summary>
    public static void SeedIdentity(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> below, Span<double> constants, int start, int count, int outputs, int inputs)
    {
        for (int r = 0; r < count; r++)
        {
            int g = start + r;
            int unit = g < outputs ? g : g - outputs;
            ReadOnlySpan<float> row = weights.Slice(unit * inputs, inputs);
            Span<float> target = below.Slice(r * inputs, inputs);
            if (g < outputs) row.CopyTo(target);
            else TensorPrimitives.Negate(row, target);
            constants[r] = bias.IsEmpty ? 0 : g < outputs ? bias[unit] : -bias[unit];
        }
    }

    /// <summary>
    /// <see cref="SeedIdentity"/> over the units listed by <c>BoundKernels.PositionOrder</c>: row g is +(row of W) for
    /// even g and −(row of W) for odd g, of unit order[⌊g/2⌋], with constant ±b.
    /// </summary>
    public static void SeedOrdered(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> below, Span<double> constants, ReadOnlySpan<int> order, int start, int count, int inputs)
    {
        for (int r = 0; r < count; r++)
        {
            int g = start + r, unit = order[g >> 1];
            ReadOnlySpan<float> row = weights.Slice(unit * inputs, inputs);
            Span<float> target = below.Slice(r * inputs, inputs);
            bool lower = (g & 1) == 0;
            if (lower) row.CopyTo(target);
            else TensorPrimitives.Negate(row, target);
            constants[r] = bias.IsEmpty ? 0 : lower ? bias[unit] : -bias[unit];
        }
    }

    /// <summary>The margin rows e_label − e_j (j ≠ label) over y carried through this layer: W_label − W_j over x, constant b_label − b_j.</summary>
    public static int SeedMargins(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> below, Span<double> constants, int label, int outputs, int inputs)
    {
        BoundKernels.CheckLabel(label, outputs);
        ReadOnlySpan<float> own = weights.Slice(label * inputs, inputs);
        for (int r = 0, j = 0; j < outputs; j++)
        {
            if (j == label) continue;
            TensorPrimitives.Subtract(own, weights.Slice(j * inputs, inputs), below.Slice(r * inputs, inputs));
            constants[r] = bias.IsEmpty ? 0 : (double)bias[label] - bias[j];
            r++;
        }

        return outputs - 1;
    }

    /// <summary>The centre and radius of the box [lo, hi].</summary>
    internal static void Centre(ReadOnlySpan<float> lo, ReadOnlySpan<float> hi, Span<float> mid, Span<float> radius, int length)
    {
        for (int i = 0; i < length; i++)
        {
            mid[i] = 0.5f * (lo[i] + hi[i]);
            // Rounded so that [mid − radius, mid + radius] still holds the box.
            radius[i] = MathF.BitIncrement(MathF.Max(hi[i] - mid[i], mid[i] - lo[i]));
        }
    }

    /// <summary>Σ |w_i|·r_i.</summary>
    internal static float AbsDot(ReadOnlySpan<float> w, ReadOnlySpan<float> r)
    {
        int n = w.Length, i = 0;
        var acc = Vector<float>.Zero;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            acc += Vector.Abs(new Vector<float>(w.Slice(i))) * new Vector<float>(r.Slice(i));
        }

        float sum = Vector.Sum(acc);
        for (; i < n; i++) sum += MathF.Abs(w[i]) * r[i];
        return sum;
    }
}
