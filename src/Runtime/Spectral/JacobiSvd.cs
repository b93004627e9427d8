using System.Numerics.Tensors;

namespace Intriguing.Spectral;

/// <summary>
/// Singular value decomposition of small dense matrices by one-sided Jacobi rotations (Hestenes), in double.
/// Slow (O(min(m,n)²·max(m,n)) per sweep, typically 6–12 sweeps) but simple and highly accurate: it serves as the
/// exact reference for <see cref="OperatorNorm"/> and suits matrices up to a few hundred on a side.
/// </summary>
/// <remarks>
/// <para>
/// For m ≥ n the columns of a working copy of A are rotated in pairs until every pair is orthogonal to working
/// accuracy: for columns a_p, a_q with α = ‖a_p‖², β = ‖a_q‖², γ = a_p·a_q the rotation with
/// ζ = (β − α)/(2γ), t = sign(ζ)/(|ζ| + √(1 + ζ²)), c = 1/√(1 + t²), s = c·t makes them orthogonal
/// (Rutishauser's formulas, the small-angle root). The same rotations applied to the identity give V; the column
/// norms are the singular values and the normalised columns are U. For m &lt; n the method runs on Aᵀ and swaps
/// U and V.
/// </para>
/// <para>
/// The stopping test |γ| ≤ √m·ε·√(α·β) is relative to each pair, so the columns of U are orthogonal to working
/// accuracy even for tiny singular values, and each singular value carries an absolute error of a small multiple of
/// ε·‖A‖ (relative accuracy for matrices with well-conditioned scaled columns, Demmel–Veselić 1992).
/// Sweeps visit the pairs in a fixed cyclic order, so results are deterministic.
/// </para>
/// </remarks>
public static class JacobiSvd
{
    private const int MaxSweeps = 100;

    /// <summary>The singular values of a row-major rows × cols matrix, in descending order.</summary>
    /// <param name="matrix">The entries, row after row (at least rows·cols values).</param>
    /// <param name="rows">The number of rows, at least 0.</param>
    /// <param name="cols">The number of columns, at least 0.</param>
    /// <returns>min(rows, cols) singular values, largest first.</returns>
    /// <exception cref="ArgumentException">The sizes are negative, the matrix is too short, or holds NaN or infinity.</exception>
    public static double[] SingularValues(ReadOnlySpan<double> matrix, int rows, int cols)
        => Decompose(matrix, rows, cols, computeVectors: false).SingularValues;

    /// <summary>The singular values of a row-major single-precision rows × cols matrix, in descending order.</summary>
    /// <param name="matrix">The entries, row after row (at least rows·cols values); converted exactly to double.</param>
    /// <param name="rows">The number of rows, at least 0.</param>
    /// <param name="cols">The number of columns, at least 0.</param>
    /// <returns>min(rows, cols) singular values, largest first.</returns>
    /// <exception cref="ArgumentException">The sizes are negative, the matrix is too short, or holds NaN or infinity.</exception>
    public static double[] SingularValues(ReadOnlySpan<float> matrix, int rows, int cols)
    {
        DenseMatrixChecks.Check(matrix.Length, rows, cols);
        double[] copy = new double[rows * cols];
        for (int i = 0; i < copy.Length; i++) copy[i] = matrix[i];
        return SingularValues(copy, rows, cols);
    }

    /// <summary>The thin singular value decomposition A = U·diag(s)·Vᵀ of a row-major rows × cols matrix.</summary>
    /// <param name="matrix">The entries, row after row (at least rows·cols values).</param>
    /// <param name="rows">The number of rows, at least 0.</param>
    /// <param name="cols">The number of columns, at least 0.</param>
    /// <param name="computeVectors">Whether to compute U and V (otherwise only the singular values).</param>
    /// <returns>The decomposition, singular values in descending order.</returns>
    /// <exception cref="ArgumentException">The sizes are negative, the matrix is too short, or holds NaN or infinity.</exception>
    /// <exception cref="InvalidOperationException">The rotations did not converge in 100 sweeps (not expected).</exception>
    public static SingularValueDecomposition Decompose(ReadOnlySpan<double> matrix, int rows, int cols, bool computeVectors = true)
    {
        DenseMatrixChecks.Check(matrix.Length, rows, cols);
        if (rows * cols > 0 && !TensorPrimitives.IsFiniteAll(matrix.Slice(0, rows * cols)))
        {
            throw new ArgumentException("The matrix holds NaN or infinity.", nameof(matrix));
        }

        // Work on the tall orientation: columns of length `len`, `count` = min(rows, cols) of them, each contiguous.
        bool transposed = rows < cols;
        int len = transposed ? cols : rows;
        int count = transposed ? rows : cols;
        double[] work = new double[len * count];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                // Column c of the tall matrix: A's column j (not transposed) or A's row i (transposed).
                if (transposed) work[i * len + j] = matrix[i * cols + j];
                else work[j * len + i] = matrix[i * cols + j];
            }
        }

        double[]? rot = null;
        if (computeVectors)
        {
            rot = new double[count * count];
            for (int i = 0; i < count; i++) rot[i * count + i] = 1;
        }

        int sweeps = Orthogonalize(work, len, count, rot);

        // Singular values are the column norms; order them descending (stable, so ties keep column order).
        double[] norms = new double[count];
        for (int c = 0; c < count; c++) norms[c] = TensorPrimitives.Norm(work.AsSpan(c * len, len));
        int[] order = new int[count];
        for (int c = 0; c < count; c++) order[c] = c;
        Array.Sort(order, (x, y) => norms[x] != norms[y] ? norms[y].CompareTo(norms[x]) : x.CompareTo(y));
        double[] s = new double[count];
        for (int i = 0; i < count; i++) s[i] = norms[order[i]];
        if (!computeVectors) return new SingularValueDecomposition(rows, cols, s, null, null, sweeps);

        // Tall side: normalised columns (completed where the singular value is zero). Short side: the rotations.
        double[] tall = new double[len * count];   // column-major, column i for s[i]
        for (int i = 0; i < count; i++)
        {
            if (s[i] > 0)
            {
                TensorPrimitives.Divide(work.AsSpan(order[i] * len, len), s[i], tall.AsSpan(i * len, len));
            }
        }

        CompleteOrthonormal(tall, len, count, s);

        double[] tallRowMajor = new double[len * count];
        double[] shortRowMajor = new double[count * count];
        for (int i = 0; i < count; i++)
        {
            for (int r = 0; r < len; r++) tallRowMajor[r * count + i] = tall[i * len + r];
            for (int r = 0; r < count; r++) shortRowMajor[r * count + i] = rot![order[i] * count + r];
        }

        return transposed
            ? new SingularValueDecomposition(rows, cols, s, shortRowMajor, tallRowMajor, sweeps)
            : new SingularValueDecomposition(rows, cols, s, tallRowMajor, shortRowMajor, sweeps);
    }

    /// <summary>
    /// Cyclic one-sided Jacobi on the `count` contiguous columns of length `len` in <paramref name="work"/>;
    /// rotations are accumulated into the columns of <paramref name="rot"/> when given. Returns the sweeps taken.
    /// </summary>
    private static int Orthogonalize(double[] work, int len, int count, double[]? rot)
    {
        double threshold = Math.Sqrt(len) * 2.220446049250313e-16;
        for (int sweep = 1; sweep <= MaxSweeps; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < count - 1; p++)
            {
                Span<double> ap = work.AsSpan(p * len, len);
                for (int q = p + 1; q < count; q++)
                {
                    Span<double> aq = work.AsSpan(q * len, len);
                    double alpha = TensorPrimitives.Dot(ap, ap);
                    double beta = TensorPrimitives.Dot(aq, aq);
                    double gamma = TensorPrimitives.Dot(ap, aq);
                    if (alpha == 0 || beta == 0 || Math.Abs(gamma) <= threshold * Math.Sqrt(alpha) * Math.Sqrt(beta))
                    {
                        continue;
                    }

                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    // t = sign(ζ)/(|ζ| + √(1 + ζ²)), written to avoid overflow of ζ² for huge ζ.
                    double t = Math.Abs(zeta) < 1e150
                        ? Math.CopySign(1, zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta))
                        : 0.5 / zeta;
                    double c = 1 / Math.Sqrt(1 + t * t);
                    double sn = c * t;
                    Rotate(ap, aq, c, sn);
                    if (rot is not null)
                    {
                        Rotate(rot.AsSpan(p * count, count), rot.AsSpan(q * count, count), c, sn);
                    }
                }
            }

            if (!rotated) return sweep;
        }

        throw new InvalidOperationException($"One-sided Jacobi did not converge in {MaxSweeps} sweeps.");
    }

    /// <summary>(x, y) ← (c·x − s·y, s·x + c·y).</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i], yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }

    /// <summary>
    /// Fills the columns of <paramref name="q"/> whose singular value is zero with unit vectors orthogonal to all
    /// other columns (Gram–Schmidt, twice, on the standard basis vectors in order). A basis vector is accepted when
    /// its orthogonal part has norm at least 0.5/√len; with at most len − 1 other columns the squared norms of those
    /// parts sum to at least 1 over all len basis vectors, so one always qualifies.
    /// </summary>
    private static void CompleteOrthonormal(double[] q, int len, int count, double[] s)
    {
        int nextBasis = 0;
        double acceptance = 0.5 / Math.Sqrt(len);
        for (int i = 0; i < count; i++)
        {
            if (s[i] > 0) continue;
            Span<double> w = q.AsSpan(i * len, len);
            while (true)
            {
                w.Clear();
                w[nextBasis++] = 1;
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int j = 0; j < count; j++)
                    {
                        if (j == i || (s[j] <= 0 && j > i)) continue;
                        Span<double> qj = q.AsSpan(j * len, len);
                        TensorPrimitives.MultiplyAdd(qj, -TensorPrimitives.Dot(qj, w), w, w);
                    }
                }

                double norm = TensorPrimitives.Norm(w);
                if (norm >= acceptance)
                {
                    TensorPrimitives.Divide(w, norm, w);
                    break;
                }
            }
        }
    }
}
