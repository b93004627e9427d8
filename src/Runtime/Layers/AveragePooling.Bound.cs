using System.Globalization;

namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class AveragePooling
{
    /// <summary>
    /// The Lipschitz constant (L2) of average pooling with <paramref name="size"/> × <paramref name="size"/> windows at
    /// <paramref name="stride"/>, <paramref name="rows"/> × <paramref name="columns"/> of them per channel: the layer is
    /// linear, A = A_h ⊗ A_w per channel, so ‖A‖₂ = ‖A_h‖₂·‖A_w‖₂ (‖A_axis‖₂² from <see cref="AxisSquaredNorm"/>), rounded up.
    /// </summary>
    internal static double Bound(int size, int stride, int rows, int columns)
        => System.Math.Sqrt(AxisSquaredNorm(size, stride, rows) * AxisSquaredNorm(size, stride, columns)) * (1 + 1e-12);

    /// <summary>
    /// ‖A‖₂² of one axis's averaging matrix: <paramref name="count"/> windows of <paramref name="size"/> positions,
    /// <paramref name="stride"/> apart, A[o, o·stride + u] = 1/size. Exact to about 1e-13, not below the true value
    /// by more than rounding (the caller rounds up).
    /// </summary>
    /// <remarks>
    /// ‖A‖₂² = ρ(T) for T = A·Aᵀ, which is symmetric, non-negative and banded: T[i, j] = max(0, size − |i − j|·stride) / size².
    /// Without overlap T = I/size and ‖A‖₂² = 1/size. Otherwise T is irreducible, and for every positive x the
    /// Collatz–Wielandt bracket min_i (Tx)_i/x_i ≤ ρ(T) ≤ max_i (Tx)_i/x_i holds. Power iteration from the Perron vector of
    /// the tridiagonal case, sin(π(i + 1)/(count + 1)) (exact when only neighbouring windows overlap), narrows the bracket
    /// until it is 1e-13 wide or 20,000 steps have run; the upper end is returned.
    /// </remarks>
    internal static double AxisSquaredNorm(int size, int stride, int count)
    {
        int band = (size - 1) / stride; // the largest |i − j| at which two windows overlap
        if (band == 0 || count <= 1) return 1.0 / size;
        band = System.Math.Min(band, count - 1);
        double[] x = new double[count], tx = new double[count];
        for (int i = 0; i < count; i++) x[i] = System.Math.Sin(System.Math.PI * (i + 1) / (count + 1));
        double upper = double.PositiveInfinity;
        for (int step = 0; step < 20_000; step++)
        {
            double lower = double.PositiveInfinity, largest = 0;
            upper = 0;
            for (int i = 0; i < count; i++)
            {
                double sum = 0;
                int first = System.Math.Max(0, i - band), last = System.Math.Min(count - 1, i + band);
                for (int j = first; j <= last; j++) sum += (size - System.Math.Abs(i - j) * stride) * x[j];
                tx[i] = sum / ((double)size * size);
                double ratio = tx[i] / x[i];
                lower = System.Math.Min(lower, ratio);
                upper = System.Math.Max(upper, ratio);
                largest = System.Math.Max(largest, tx[i]);
            }

            if (upper - lower <= 1e-13 * upper) break;
            for (int i = 0; i < count; i++) x[i] = tx[i] / largest;
        }

        return upper;
    }

    /// <summary>The summary's text of the bound, with its value.</summary>
    internal static string BoundText(int size, int stride, int rows, int columns)
    {
        string value = Bound(size, stride, rows, columns).ToString("G4", CultureInfo.InvariantCulture);
        return stride >= size ? "1/size = " + value + " (non-overlapping)" : "‖A_h‖₂·‖A_w‖₂ = " + value + " (exact, separable)";
    }
}
