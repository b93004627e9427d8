using System.Numerics.Tensors;

namespace Intriguing.Spectral;

/// <summary>
/// Golub–Kahan–Lanczos bidiagonalisation with full reorthogonalisation, in double: the engine behind
/// <see cref="OperatorNorm"/>. See there for the method and what the bound means.
/// </summary>
internal static class GolubKahanLanczos
{
    /// <summary>
    /// A step's norm below this fraction of the largest norm seen so far counts as zero: the Krylov space is then
    /// invariant (up to a perturbation of that size, which is added to the error estimate).
    /// </summary>
    internal const double BreakdownTolerance = 1.0 / (1L << 40); // ≈ 9.1e-13

    /// <summary>Relative rounding allowance per unit of (k + √(m + n)); see <see cref="RoundingAllowance"/>.</summary>
    internal const double RoundingUnit = 1.0 / (1L << 44); // ≈ 5.7e-14 = 256 ε

    /// <summary>
    /// A model, not a proof, of the rounding in θ: the computed B_k differs from U_kᵀ·A·V_k by about
    /// ε·σ₁·(k + √(m+n)) (loss of orthogonality of order k·ε, matrix–vector products of order √n·ε with double
    /// accumulation); 256 times that is allowed.
    /// </summary>
    internal static double RoundingAllowance(double theta, int k, int m, int n)
        => RoundingUnit * (k + Math.Sqrt((double)m + n)) * theta;

    /// <summary>
    /// Runs <see cref="SpectralNormOptions.IndependentStarts"/> independent iterations and combines them: the
    /// largest estimate (each is a lower bound) and the largest upper bound (the bound fails only if every run fails).
    /// </summary>
    public static SpectralNormResult Run<TOperator>(scoped ref TOperator op, SpectralNormOptions options)
        where TOperator : ILinearOperator, allows ref struct
    {
        options.Validate();
        int m = op.OutputLength, n = op.InputLength;
        if (m < 0) throw new ArgumentException($"The operator's OutputLength is {m}; it must be at least 0.", nameof(op));
        if (n < 0) throw new ArgumentException($"The operator's InputLength is {n}; it must be at least 0.", nameof(op));
        if (m == 0 || n == 0) return new SpectralNormResult(0, 0, 0, 0, true);

        SpectralNormResult combined = RunOnce(ref op, options, options.Seed);
        for (int start = 1; start < options.IndependentStarts; start++)
        {
            SpectralNormResult next = RunOnce(ref op, options, SeededRandom.Derive(options.Seed, (ulong)start));
            double estimate = Math.Max(combined.Estimate, next.Estimate);
            double upper = Math.Max(combined.UpperBound, next.UpperBound);
            combined = new SpectralNormResult(
                estimate, upper, upper - estimate, combined.Iterations + next.Iterations, combined.Converged && next.Converged);
        }

        return combined;
    }

    private static SpectralNormResult RunOnce<TOperator>(scoped ref TOperator op, SpectralNormOptions options, ulong seed)
        where TOperator : ILinearOperator, allows ref struct
    {
        int m = op.OutputLength, n = op.InputLength;

        // Beyond min(m, n) + 1 steps one side of the Krylov space is exhausted and a breakdown is certain.
        int maxK = (int)Math.Min(options.MaxIterations, Math.Min((long)m, n) + 1);
        double tolerance = options.RelativeTolerance;
        double margin = options.EffectiveSafetyMargin;

        var v = new KrylovBasis(n);
        var u = new KrylovBasis(m);
        double[] alpha = new double[maxK];
        double[] beta = new double[maxK];
        double[] residuals = new double[maxK];
        double[] coefficients = new double[maxK + 1];
        var ritz = new BidiagonalRitz(maxK);

        // Deterministic Gaussian start vector: its direction is uniform on the sphere, so its component along the
        // top right singular vector is non-zero with probability 1 (a structured start such as all-ones can be
        // exactly orthogonal to it, e.g. for difference operators).
        Span<double> v0 = v.Append();
        var random = new SeededRandom(seed);
        for (int i = 0; i < n; i++) v0[i] = random.NextGaussian();
        TensorPrimitives.Divide(v0, TensorPrimitives.Norm(v0), v0);

        double scale = 0;        // the largest norm seen; the yardstick for breakdown
        double dropped = 0;      // norms set to zero at a breakdown, added to the error estimate
        double theta = 0;
        int k = 0;
        bool invariant = false, converged = false;

        for (int j = 0; j < maxK; j++)
        {
            k = j + 1;

            // u_j = A·v_j − β_{j−1}·u_{j−1}, reorthogonalised against u_0 … u_{j−1}; α_j = ‖u_j‖.
            Span<double> uj = u.Append();
            op.Apply(v[j], uj);
            if (j > 0) TensorPrimitives.MultiplyAdd(u[j - 1], -beta[j - 1], uj, uj);
            scale = Math.Max(scale, TensorPrimitives.Norm(uj));
            u.Orthogonalize(uj, j, coefficients);
            double a = TensorPrimitives.Norm(uj);
            if (!(a > BreakdownTolerance * scale))
            {
                // A·V_{j+1} ⊂ span(U_j): the pair of subspaces is invariant. With α_j = 0 the last row of B is zero,
                // so the top left singular vector has p_j = 0 and the residual vanishes whatever comes next.
                CheckFinite(a, "Apply");
                alpha[j] = 0;
                dropped += a;
                theta = ritz.Compute(alpha, beta, k, 0, out residuals[j], theta);
                invariant = true;
                break;
            }

            alpha[j] = a;
            TensorPrimitives.Divide(uj, a, uj);

            // v_{j+1} = Aᵀ·u_j − α_j·v_j, reorthogonalised against v_0 … v_j; β_j = ‖v_{j+1}‖.
            Span<double> vNext = v.Append();
            op.ApplyAdjoint(uj, vNext);
            TensorPrimitives.MultiplyAdd(v[j], -a, vNext, vNext);
            scale = Math.Max(scale, TensorPrimitives.Norm(vNext));
            v.Orthogonalize(vNext, j + 1, coefficients);
            double b = TensorPrimitives.Norm(vNext);
            CheckFinite(b, "ApplyAdjoint");
            beta[j] = b;
            theta = ritz.Compute(alpha, beta, k, b, out residuals[j], theta, j > 0 ? theta + 2 * residuals[j - 1] : double.PositiveInfinity);

            if (!(b > BreakdownTolerance * scale))
            {
                // Aᵀ·U_{j+1} ⊂ span(V_{j+1}): invariant. The residual above already uses the true, tiny β_j.
                invariant = true;
                break;
            }

            TensorPrimitives.Divide(vNext, b, vNext);

            if (WindowedResidual(residuals, k, options.ResidualWindowFraction) + RoundingAllowance(theta, k, m, n) + margin * theta
                <= tolerance * theta)
            {
                converged = true;
                break;
            }
        }

        double error;
        if (invariant)
        {
            // An invariant Krylov space that contains the start vector contains its component along every singular
            // direction, so θ is σ₁ itself (the window and the cluster margin are not needed).
            error = residuals[k - 1] + dropped + RoundingAllowance(theta, k, m, n);
            converged = true;
        }
        else
        {
            error = WindowedResidual(residuals, k, options.ResidualWindowFraction) + RoundingAllowance(theta, k, m, n) + margin * theta;
        }

        // Round up so that the rounding of the sum itself cannot make the bound low (an exact zero stays zero).
        double sum = theta + error;
        double upper = sum == 0 ? 0 : double.BitIncrement(sum);
        return new SpectralNormResult(theta, upper, error, k, converged);
    }

    /// <summary>The largest residual of the last ⌈fraction·k⌉ steps (at least the latest).</summary>
    private static double WindowedResidual(ReadOnlySpan<double> residuals, int k, double fraction)
    {
        int window = Math.Max(1, (int)Math.Ceiling(fraction * k));
        double max = 0;
        for (int i = k - window; i < k; i++) max = Math.Max(max, residuals[i]);
        return max;
    }

    private static void CheckFinite(double value, string method)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidOperationException($"The operator's {method} produced a non-finite value (NaN or infinity); check the operator and its data.");
        }
    }
}
