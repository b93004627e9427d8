namespace Intriguing.Spectral;

/// <summary>
/// Lipschitz bounds (in the L2 norm) of the parameter-free layers of Szegedy et al. (2013), Sec. 4.3: max-pooling,
/// contrast normalisation <c>x/(ε + ‖x‖²)^γ</c> and AlexNet's local response normalisation, with the closed-form
/// Jacobians and a numerical search for the largest Jacobian norm that checks them.
/// </summary>
/// <remarks>
/// Each layer is piecewise C¹ on ℝⁿ, so its Lipschitz constant is the supremum of ‖J(x)‖₂ over the points where it
/// is differentiable; every bound below bounds that supremum.
/// </remarks>
public static class NonlinearLayerBounds
{
    /// <summary>
    /// The largest number of pooling windows that contain one input position, for windows of size_y × size_x moved
    /// by stride_y × stride_x over an H × W map padded by p on every side (output
    /// <c>(H + 2p − size)/stride + 1</c> rounded down per axis; padded positions hold −∞ and never win).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, the padding negative, or the window larger than the padded map.</exception>
    public static int MaxPoolCoverage(int height, int width, int sizeY, int sizeX, int strideY, int strideX, int padding = 0)
        => AxisCoverage(height, sizeY, strideY, padding, nameof(height)) * AxisCoverage(width, sizeX, strideX, padding, nameof(width));

    /// <summary>
    /// The Lipschitz constant of max-pooling (each channel on its own): <c>√(MaxPoolCoverage)</c> — 1 for
    /// non-overlapping windows (stride ≥ size), 2 for AlexNet's 3 × 3 windows at stride 2.
    /// </summary>
    /// <remarks>
    /// Where max-pooling is differentiable, row o of its Jacobian is the unit vector of the input that wins window o,
    /// so JᵀJ is diagonal with entry i the number of windows input i wins: ‖J‖₂ = √(max_i wins_i) ≤ √(max_i
    /// coverage_i). The bound is attained: make the input at the most covered position larger than all others.
    /// The paper's "≤ 1" holds only without overlap.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">As <see cref="MaxPoolCoverage"/>.</exception>
    public static double MaxPoolBound(int height, int width, int sizeY, int sizeX, int strideY, int strideX, int padding = 0)
        => Math.Sqrt(MaxPoolCoverage(height, width, sizeY, sizeX, strideY, strideX, padding));

    /// <summary>Square windows and strides: see <see cref="MaxPoolBound(int, int, int, int, int, int, int)"/>.</summary>
    public static double MaxPoolBound(int height, int width, int size, int stride, int padding = 0)
        => MaxPoolBound(height, width, size, size, stride, stride, padding);

    private static int AxisCoverage(int length, int size, int stride, int padding, string name)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(name, length, $"{name} must be at least 1.");
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "The window size must be at least 1.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be at least 1.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "The padding must be at least 0.");
        if (size > length + 2 * padding)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The window ({size}) is larger than the padded input ({length + 2 * padding}).");
        }

        int outputs = (length + 2 * padding - size) / stride + 1, best = 0;
        for (int i = 0; i < length; i++)
        {
            // Window o covers padded positions [o·stride, o·stride + size); input i sits at padded position i + p.
            int count = 0;
            for (int o = 0; o < outputs; o++)
            {
                int start = o * stride;
                if (i + padding >= start && i + padding < start + size) count++;
            }

            best = Math.Max(best, count);
        }

        return best;
    }

    /// <summary>
    /// The Lipschitz constant of contrast normalisation <c>f(x) = x/(ε + ‖x‖²)^γ</c> for any γ ≥ 0: exactly
    /// <c>ε^(−γ)</c>, attained at x = 0 (<see cref="Layers.ContrastNorm"/>'s bound).
    /// </summary>
    /// <remarks>
    /// <para>Proof (also in <c>docs/lipschitz.md</c>): with s = ε + ‖x‖², the Jacobian
    /// <c>J = s^(−γ)·(I − 2γ·x·xᵀ/s)</c> is symmetric, with eigenvalue s^(−γ) on x^⊥ and s^(−γ)·(1 − 2γu) along x,
    /// u = ‖x‖²/s ∈ [0, 1). Since s = ε/(1 − u), |eigenvalue| / ε^(−γ) is (1 − u)^γ on x^⊥ and (1 − u)^γ·|1 − 2γu|
    /// along x. Where 2γu ≤ 2 both are at most 1. Where 2γu &gt; 2 (only for γ &gt; 1),
    /// (1 − u)^γ·(2γu − 1) ≤ e^(−v)·(2v − 1) with v = γu, whose maximum over v is 2e^(−3/2) ≈ 0.45 &lt; 1. So
    /// ‖J‖₂ ≤ ε^(−γ), with equality at x = 0. Applied independently to groups of coordinates (each pixel's channel
    /// vector), the Jacobian is block-diagonal and the bound is the same.</para>
    /// <para><see cref="MaximizeJacobianNorm"/> checks it numerically (see the tests).</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">ε is not positive and finite, or γ is negative or not finite.</exception>
    public static double ContrastNormBound(double epsilon, double gamma)
    {
        CheckContrast(epsilon, gamma);
        return Layers.ContrastNorm.Bound(epsilon, gamma);
    }

    /// <summary>The forward map <c>x/(ε + ‖x‖²)^γ</c>.</summary>
    public static void ContrastNorm(ReadOnlySpan<double> x, double epsilon, double gamma, Span<double> y)
    {
        CheckLengths(x.Length, y.Length, x.Length);
        double s = epsilon + Dot(x, x), scale = Math.Pow(s, -gamma);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * scale;
    }

    /// <summary>The Jacobian of <see cref="ContrastNorm"/> at x, n × n row-major: <c>s^(−γ)·(I − 2γ·x·xᵀ/s)</c>, s = ε + ‖x‖².</summary>
    public static void ContrastNormJacobian(ReadOnlySpan<double> x, double epsilon, double gamma, Span<double> jacobian)
    {
        int n = x.Length;
        CheckLengths(n, jacobian.Length, n * n);
        double s = epsilon + Dot(x, x), scale = Math.Pow(s, -gamma), rank = 2 * gamma / s;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) jacobian[i * n + j] = scale * ((i == j ? 1 : 0) - rank * x[i] * x[j]);
        }
    }

    /// <summary>
    /// A bound of the Lipschitz constant of AlexNet's local response normalisation across channels,
    /// <c>b_c = a_c / (k + α·Σ_{j∈W(c)} a_j²)^β</c> with W(c) the (at most) <paramref name="size"/> channels centred
    /// on c: <c>k^(−β)·(1 + 2β·q·n^(3/4))</c>, q = β^β/(1 + β)^(1+β), n = size. For AlexNet (k = 2, n = 5, β = 0.75)
    /// this is ≈ 1.50. It does not depend on α.
    /// </summary>
    /// <remarks>
    /// <para>Derivation. With s_c = k + α·Σ_{W(c)} a_j², the Jacobian is J = D − E, D = diag(s_c^(−β)) and
    /// <c>E_cj = 2αβ·a_c·a_j·s_c^(−β−1)</c> for j ∈ W(c) (0 otherwise). ‖D‖₂ ≤ k^(−β). With t_c = α‖a_{W(c)}‖² and
    /// g(t) = t/(k + t)^(β+1) ≤ g(k/β) = k^(−β)·q: a row of E sums to
    /// 2αβ·|a_c|·s_c^(−β−1)·Σ_{W(c)}|a_j| ≤ 2β√n·g(t_c) ≤ 2β√n·k^(−β)·q (Cauchy–Schwarz and |a_c| ≤ ‖a_{W(c)}‖), and a
    /// column j has at most n entries, each ≤ 2β·g(t_c) since |a_c·a_j| ≤ ‖a_{W(c)}‖² — a column sum
    /// ≤ 2βn·k^(−β)·q. Hence ‖E‖₂ ≤ √(‖E‖₁·‖E‖_∞) ≤ 2β·q·n^(3/4)·k^(−β) and ‖J‖₂ ≤ ‖D‖₂ + ‖E‖₂. The layer acts on
    /// each pixel's channel vector separately, so the bound holds for the whole layer. It is not tight (the
    /// tests report the largest Jacobian norm a search finds).</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">k or β not positive and finite, or size less than 1.</exception>
    public static double LocalResponseNormBound(double k, double beta, int size)
    {
        CheckLrn(k, 1, beta, size);
        return Layers.LocalResponseNorm.Bound(size, k, beta);
    }

    /// <summary>The forward map of local response normalisation on one channel vector a (length C).</summary>
    public static void LocalResponseNorm(ReadOnlySpan<double> a, double k, double alpha, double beta, int size, Span<double> b)
    {
        CheckLrn(k, alpha, beta, size);
        CheckLengths(a.Length, b.Length, a.Length);
        for (int c = 0; c < a.Length; c++) b[c] = a[c] * Math.Pow(WindowSum(a, k, alpha, size, c), -beta);
    }

    /// <summary>The Jacobian of <see cref="LocalResponseNorm"/> at a, C × C row-major (see <see cref="LocalResponseNormBound"/>).</summary>
    public static void LocalResponseNormJacobian(ReadOnlySpan<double> a, double k, double alpha, double beta, int size, Span<double> jacobian)
    {
        CheckLrn(k, alpha, beta, size);
        int n = a.Length;
        CheckLengths(n, jacobian.Length, n * n);
        jacobian.Slice(0, n * n).Clear();
        for (int c = 0; c < n; c++)
        {
            double s = WindowSum(a, k, alpha, size, c);
            (int lo, int hi) = Window(n, size, c);
            double factor = -2 * alpha * beta * a[c] * Math.Pow(s, -beta - 1);
            for (int j = lo; j <= hi; j++) jacobian[c * n + j] = factor * a[j];
            jacobian[c * n + c] += Math.Pow(s, -beta);
        }
    }

    private static (int Lo, int Hi) Window(int n, int size, int c) => (Math.Max(0, c - (size - 1) / 2), Math.Min(n - 1, c + size / 2));

    private static double WindowSum(ReadOnlySpan<double> a, double k, double alpha, int size, int c)
    {
        (int lo, int hi) = Window(a.Length, size, c);
        double sum = 0;
        for (int j = lo; j <= hi; j++) sum += a[j] * a[j];
        return k + alpha * sum;
    }

    /// <summary>The Jacobian of a map ℝⁿ → ℝᵐ at x, written m × n row-major into the last argument.</summary>
    public delegate void JacobianFunction(ReadOnlySpan<double> x, Span<double> jacobian);

    /// <summary>
    /// Searches for the largest spectral norm of a Jacobian: random restarts (Gaussian points at scales spread
    /// log-uniformly over [<paramref name="minScale"/>, <paramref name="maxScale"/>], plus the origin) followed by
    /// gradient ascent on ‖J(x)‖₂ (central-difference gradient of the norm, normalised steps with backtracking).
    /// ‖J‖₂ is computed by the one-sided Jacobi SVD in double. A lower estimate of the Lipschitz constant: use it
    /// to check that a claimed bound is not exceeded, and to see how tight it is.
    /// </summary>
    /// <param name="dimension">n, the input length (at least 1).</param>
    /// <param name="outputs">m, the output length (at least 1).</param>
    /// <param name="jacobian">The Jacobian function.</param>
    /// <param name="restarts">Random starting points (at least 1).</param>
    /// <param name="steps">Ascent steps per start (at least 0).</param>
    /// <param name="minScale">Smallest scale of the starting points (positive).</param>
    /// <param name="maxScale">Largest scale of the starting points (at least minScale).</param>
    /// <param name="seed">Seed of the starting points.</param>
    /// <returns>The largest norm found and the point where it was found.</returns>
    public static (double Norm, double[] Point) MaximizeJacobianNorm(
        int dimension, int outputs, JacobianFunction jacobian, int restarts = 16, int steps = 40,
        double minScale = 1e-3, double maxScale = 1e3, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(jacobian);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1.");
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "outputs must be at least 1.");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), restarts, "restarts must be at least 1.");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 0.");
        if (!(minScale > 0 && maxScale >= minScale && double.IsFinite(maxScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(minScale), "Scales must satisfy 0 < minScale ≤ maxScale < ∞.");
        }

        double[] buffer = new double[outputs * dimension];
        double Norm(ReadOnlySpan<double> x)
        {
            jacobian(x, buffer);
            return JacobiSvd.SingularValues(buffer, outputs, dimension)[0];
        }

        var random = new SeededRandom(seed);
        double[] best = new double[dimension];
        double bestNorm = Norm(best);
        double[] x = new double[dimension], gradient = new double[dimension], trial = new double[dimension];
        for (int r = 0; r < restarts; r++)
        {
            double scale = minScale * Math.Pow(maxScale / minScale, random.NextDouble());
            for (int i = 0; i < dimension; i++) x[i] = random.NextGaussian() * scale / Math.Sqrt(dimension);
            double value = Norm(x), step = 0.1 * scale;
            for (int s = 0; s < steps && step > 1e-12 * scale; s++)
            {
                double gradientNorm = 0;
                for (int i = 0; i < dimension; i++)
                {
                    double h = 1e-6 * Math.Max(Math.Abs(x[i]), 1e-3 * scale), keep = x[i];
                    x[i] = keep + h;
                    double up = Norm(x);
                    x[i] = keep - h;
                    double down = Norm(x);
                    x[i] = keep;
                    gradient[i] = (up - down) / (2 * h);
                    gradientNorm += gradient[i] * gradient[i];
                }

                gradientNorm = Math.Sqrt(gradientNorm);
                if (!(gradientNorm > 0)) break;
                for (int i = 0; i < dimension; i++) trial[i] = x[i] + step * gradient[i] / gradientNorm;
                double next = Norm(trial);
                if (next > value)
                {
                    Array.Copy(trial, x, dimension);
                    value = next;
                    step *= 1.5;
                }
                else
                {
                    step *= 0.5;
                }
            }

            if (value > bestNorm)
            {
                bestNorm = value;
                Array.Copy(x, best, dimension);
            }
        }

        return (bestNorm, best);
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    private static void CheckLengths(int n, int actual, int expected)
    {
        if (actual < expected) throw new ArgumentException($"The destination holds {actual} values; {expected} are needed for n = {n}.");
    }

    private static void CheckContrast(double epsilon, double gamma)
    {
        if (!(epsilon > 0 && double.IsFinite(epsilon))) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive and finite.");
        if (!(gamma >= 0 && double.IsFinite(gamma))) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be non-negative and finite.");
    }

    private static void CheckLrn(double k, double alpha, double beta, int size)
    {
        if (!(k > 0 && double.IsFinite(k))) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive and finite.");
        if (!(alpha >= 0 && double.IsFinite(alpha))) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be non-negative and finite.");
        if (!(beta > 0 && double.IsFinite(beta))) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be positive and finite.");
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "The window size must be at least 1.");
    }
}
