namespace Intriguing.Spectral;

/// <summary>
/// The largest singular value θ of the k×k upper bidiagonal Lanczos matrix B (diagonal α₀…α_{k−1},
/// superdiagonal β₀…β_{k−2}) and the residual of the matching Ritz pair of the full operator.
/// </summary>
/// <remarks>
/// <para>
/// Works on the Golub–Kahan tridiagonal T: the 2k×2k symmetric matrix with zero diagonal and off-diagonal
/// (α₀, β₀, α₁, β₁, …, β_{k−2}, α_{k−1}), a perfect-shuffle permutation of [0 B; Bᵀ 0]. Its eigenvalues are ±σᵢ(B),
/// and its eigenvector for σ interleaves the right and left singular vectors (q₀, p₀, q₁, p₁, …)/√2. Working on T
/// avoids forming BᵀB, which would square the condition number.
/// </para>
/// <para>
/// θ comes from bisection with Sturm counts (accurate to a few ulps of ‖T‖), the eigenvector x from inverse
/// iteration with a partially pivoted tridiagonal LU. The small residual s = ‖T·x − θ·x‖ is measured, not assumed,
/// so an inaccurate x (for example inside a cluster of Ritz values) only makes the reported residual larger.
/// </para>
/// <para>Cost O(k) per call; all storage is allocated once for the largest k.</para>
/// </remarks>
internal sealed class BidiagonalRitz
{
    private const int BisectionSteps = 120;
    private const int InverseIterations = 3;
    private readonly double[] _e;
    private readonly double[] _e2;
    private readonly double[] _x;
    private readonly double[] _d;
    private readonly double[] _dl;
    private readonly double[] _du;
    private readonly double[] _du2;
    private readonly bool[] _swapped;

    public BidiagonalRitz(int maxK)
    {
        int n = 2 * maxK;
        _e = new double[n];
        _e2 = new double[n];
        _x = new double[n];
        _d = new double[n];
        _dl = new double[n];
        _du = new double[n];
        _du2 = new double[n];
        _swapped = new bool[n];
    }

    /// <summary>
    /// Returns θ = σ_max(B) and sets <paramref name="residual"/> to ρ = √2·(s + |coupling|·|x_{2k−1}|), where
    /// <paramref name="coupling"/> is β_k, the norm that links step k to the next Lanczos vector.
    /// </summary>
    /// <remarks>
    /// With unit x, W = diag(U_k, V_{k+1}) orthonormal and H = [0 A; Aᵀ 0] (suitably permuted),
    /// <c>H·W·x − θ·W·x = W·(T·x − θ·x) + β_k·x_{2k−1}·(0; v_{k+1})</c>, so ρ/√2 bounds ‖H·w − θ·w‖ for the unit
    /// vector w = W·x, and H has an eigenvalue (±σᵢ(A), or 0) within ρ/√2 of θ. ρ itself is the residual
    /// ‖(A·v − θ·u; Aᵀ·u − θ·v)‖ of the unit singular pair (u, v) = √2·(U_k·p, V_k·q).
    /// </remarks>
    /// <param name="alpha">The diagonal of B.</param>
    /// <param name="beta">The superdiagonal of B (the first k − 1 values are used).</param>
    /// <param name="k">The order of B.</param>
    /// <param name="coupling">β_k, the norm linking step k to the next Lanczos vector.</param>
    /// <param name="residual">ρ for the top Ritz pair.</param>
    /// <param name="lowerHint">A value believed to be at most θ (the previous step's θ: B_{k−1} is the leading block
    /// of B_k, so by interlacing its largest singular value is at most B_k's). Checked by a Sturm count.</param>
    /// <param name="upperHint">A value believed to be at least θ; checked by a Sturm count, and replaced by the
    /// Gershgorin bound when wrong. Hints only shorten the bisection; they never change its answer's validity.</param>
    public double Compute(ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta, int k, double coupling, out double residual, double lowerHint = 0, double upperHint = double.PositiveInfinity)
    {
        int n = 2 * k;
        Span<double> e = _e.AsSpan(0, n - 1);
        for (int j = 0; j < k; j++)
        {
            e[2 * j] = alpha[j];
            if (j < k - 1) e[2 * j + 1] = beta[j];
        }

        // Gershgorin: every eigenvalue lies in [−g, g].
        double g = 0;
        for (int i = 0; i < n; i++)
        {
            double left = i > 0 ? Math.Abs(e[i - 1]) : 0;
            double right = i < n - 1 ? Math.Abs(e[i]) : 0;
            g = Math.Max(g, left + right);
        }

        if (g == 0)
        {
            residual = 0;
            return 0;
        }

        // Work on T/g, whose eigenvalues lie in [−1, 1].
        double invG = 1 / g;
        for (int i = 0; i < n - 1; i++) e[i] *= invG;

        Span<double> e2 = _e2.AsSpan(0, n - 1);
        for (int i = 0; i < n - 1; i++) e2[i] = e[i] * e[i];
        double theta = LargestEigenvalue(e2, n, lowerHint * invG, upperHint * invG);
        double smallResidual = TopEigenvector(e, n, theta, _x.AsSpan(0, n));
        residual = Math.Sqrt(2) * g * (smallResidual + Math.Abs(coupling) * invG * Math.Abs(_x[n - 1]));
        return theta * g;
    }

    /// <summary>The number of eigenvalues of the zero-diagonal tridiagonal (squared off-diagonal e2) smaller than λ.</summary>
    private static int CountBelow(ReadOnlySpan<double> e2, int n, double lambda)
    {
        // LDLᵀ of T − λI: q₀ = −λ, qᵢ = −λ − e²ᵢ₋₁ / qᵢ₋₁; Sylvester's law of inertia counts the negative qᵢ.
        const double PivotMin = 1e-300;
        int count = 0;
        double q = -lambda;
        if (Math.Abs(q) < PivotMin) q = -PivotMin;
        if (q < 0) count++;
        for (int i = 1; i < n; i++)
        {
            q = -lambda - e2[i - 1] / q;
            if (Math.Abs(q) < PivotMin) q = -PivotMin;
            if (q < 0) count++;
        }

        return count;
    }

    private static double LargestEigenvalue(ReadOnlySpan<double> e2, int n, double lowerHint, double upperHint)
    {
        // Invariant: λ_max ∈ [lo, hi]; the Gershgorin bound makes every eigenvalue of T/g at most 1.
        // count(x) == n means every eigenvalue is below x. Stops at a relative width of 2ε.
        double lo = 0, hi = 1 + 1e-15;
        double tryLo = lowerHint * (1 - 1e-15);
        if (tryLo > 0 && tryLo < hi && CountBelow(e2, n, tryLo) < n) lo = tryLo;
        double tryHi = upperHint * (1 + 1e-15);
        if (tryHi > lo && tryHi < hi && CountBelow(e2, n, tryHi) == n) hi = tryHi;

        for (int step = 0; step < BisectionSteps && hi - lo > 4.5e-16 * hi; step++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            if (CountBelow(e2, n, mid) == n) hi = mid;
            else lo = mid;
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// Inverse iteration for the eigenvector of the largest eigenvalue θ; returns ‖T·x − θ·x‖ for the unit x left
    /// in <paramref name="x"/>.
    /// </summary>
    private double TopEigenvector(ReadOnlySpan<double> e, int n, double theta, Span<double> x)
    {
        // LU of T − θI with partial pivoting (as LAPACK dgttrf): U has diagonal d, super-diagonals du and du2.
        Span<double> d = _d.AsSpan(0, n), dl = _dl.AsSpan(0, n), du = _du.AsSpan(0, n), du2 = _du2.AsSpan(0, n);
        Span<bool> swapped = _swapped.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            d[i] = -theta;
            dl[i] = i < n - 1 ? e[i] : 0;
            du[i] = i < n - 1 ? e[i] : 0;
            du2[i] = 0;
            swapped[i] = false;
        }

        for (int i = 0; i < n - 1; i++)
        {
            if (Math.Abs(d[i]) >= Math.Abs(dl[i]))
            {
                // No interchange: eliminate dl[i] with pivot d[i].
                double fact = d[i] != 0 ? dl[i] / d[i] : 0;
                dl[i] = fact;
                d[i + 1] -= fact * du[i];
            }
            else
            {
                // Interchange rows i and i + 1.
                double fact = d[i] / dl[i];
                d[i] = dl[i];
                dl[i] = fact;
                double temp = du[i];
                du[i] = d[i + 1];
                d[i + 1] = temp - fact * d[i + 1];
                if (i < n - 2)
                {
                    du2[i] = du[i + 1];
                    du[i + 1] = -fact * du[i + 1];
                }

                swapped[i] = true;
            }
        }

        // T − θI is singular to working accuracy; a zero pivot is replaced by ε (‖T‖ ≤ 1 here), the usual
        // inverse-iteration perturbation, which changes x by O(ε / gap).
        const double TinyPivot = 2.220446049250313e-16;
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(d[i]) < TinyPivot) d[i] = d[i] < 0 ? -TinyPivot : TinyPivot;
        }

        // The top eigenvector of a tridiagonal with non-negative off-diagonal is non-negative (Perron–Frobenius),
        // so the all-ones start vector is never orthogonal to it.
        x.Fill(1 / Math.Sqrt(n));
        for (int iteration = 0; iteration < InverseIterations; iteration++)
        {
            for (int i = 0; i < n - 1; i++)
            {
                if (!swapped[i])
                {
                    x[i + 1] -= dl[i] * x[i];
                }
                else
                {
                    double temp = x[i];
                    x[i] = x[i + 1];
                    x[i + 1] = temp - dl[i] * x[i];
                }
            }

            x[n - 1] /= d[n - 1];
            if (n > 1) x[n - 2] = (x[n - 2] - du[n - 2] * x[n - 1]) / d[n - 2];
            for (int i = n - 3; i >= 0; i--)
            {
                x[i] = (x[i] - du[i] * x[i + 1] - du2[i] * x[i + 2]) / d[i];
            }

            double norm = 0;
            for (int i = 0; i < n; i++) norm = Math.FusedMultiplyAdd(x[i], x[i], norm);
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) x[i] /= norm;
        }

        // ‖T·x − θ·x‖ with T's zero diagonal.
        double r2 = 0;
        for (int i = 0; i < n; i++)
        {
            double ti = (i > 0 ? e[i - 1] * x[i - 1] : 0) + (i < n - 1 ? e[i] * x[i + 1] : 0) - theta * x[i];
            r2 = Math.FusedMultiplyAdd(ti, ti, r2);
        }

        return Math.Sqrt(r2);
    }
}
