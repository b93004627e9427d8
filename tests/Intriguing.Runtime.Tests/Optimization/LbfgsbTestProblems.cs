using Intriguing.Optimization;

namespace Intriguing.Runtime.Tests.Optimization;

/// <summary>A test problem: objective, starting point and optional bounds.</summary>
public sealed record LbfgsbTestProblem(string Name, Objective Objective, double[] X0, double[]? Lower, double[]? Upper)
{
    public int N => X0.Length;

    public override string ToString() => Name;
}

/// <summary>
/// Moré–Garbow–Hillstrom problems (ACM TOMS 7, 1981) and two convex quadratics, identical to
/// <c>bench/reference/lbfgsb_problems.py</c> (same formulas, starting points and bounds) so that results can be
/// compared with SciPy's L-BFGS-B. Linked into the benchmark project as well.
/// </summary>
public static class LbfgsbTestProblems
{
    public static IReadOnlyList<LbfgsbTestProblem> All { get; } = Create();

    public static LbfgsbTestProblem Get(string name) => All.Single(p => p.Name == name);

    private static List<LbfgsbTestProblem> Create()
    {
        const double Inf = double.PositiveInfinity;
        return
        [
            new("rosenbrock_2", Rosenbrock, [-1.2, 1.0], null, null),
            new("rosenbrock_2_box", Rosenbrock, [-1.2, 1.0], [-2.0, -2.0], [0.5, 2.0]),
            new("rosenbrock_100", Rosenbrock, Tile([-1.2, 1.0], 100), null, null),
            new("rosenbrock_1000_box", Rosenbrock, Tile([-1.2, 1.0], 1000), Fill(1000, -2.0), Tile([0.8, 2.0], 1000)),
            new("rosenbrock_10000", Rosenbrock, Tile([-1.2, 1.0], 10000), null, null),
            new("powell_4", Powell, [3.0, -1.0, 0.0, 1.0], null, null),
            new("powell_100_box", Powell, Tile([3.0, -1.0, 0.0, 1.0], 100),
                Tile([0.1, -Inf, -Inf, -Inf], 100), Tile([Inf, -0.1, Inf, Inf], 100)),
            new("beale", Beale, [1.0, 1.0], null, null),
            new("beale_box", Beale, [1.0, 1.0], [-4.5, -4.5], [4.5, 0.4]),
            new("wood", Wood, [-3.0, -1.0, -3.0, -1.0], null, null),
            new("wood_box", Wood, [-3.0, -1.0, -3.0, -1.0], Fill(4, 0.0), [0.9, 10.0, 0.9, 10.0]),
            new("trigonometric_10", Trigonometric, Fill(10, 0.1), null, null),
            new("trigonometric_100_box", Trigonometric, Fill(100, 0.01), Fill(100, 0.0056), Fill(100, 1.0)),
            new("helical_valley", HelicalValley, [-1.0, 0.0, 0.0], null, null),
            new("helical_valley_box", HelicalValley, [-1.0, 0.0, 0.0], [-10.0, -10.0, 0.1], [10.0, 10.0, 10.0]),
            new("brown_badly_scaled", BrownBadlyScaled, [1.0, 1.0], null, null),
            new("quadratic_diagonal_10000_box", DiagonalQuadratic, new double[10000], Fill(10000, -1.0), Fill(10000, 1.0)),
            new("quadratic_tridiagonal_200_box", TridiagonalQuadratic, new double[200], Fill(200, -0.3), Fill(200, 0.3)),
            new("attack_like_784_box", AttackLike, AttackImage(), Fill(784, 0.0), Fill(784, 1.0)),
        ];
    }

    public static double[] Tile(double[] pattern, int n)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++)
            x[i] = pattern[i % pattern.Length];
        return x;
    }

    public static double[] Fill(int n, double value)
    {
        var x = new double[n];
        Array.Fill(x, value);
        return x;
    }

    /// <summary>Extended Rosenbrock: Σ 100(x₂ᵢ₊₁ − x₂ᵢ²)² + (1 − x₂ᵢ)².</summary>
    public static double Rosenbrock(ReadOnlySpan<double> x, Span<double> g)
    {
        double f = 0;
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            double a = x[i], b = x[i + 1];
            double t = b - a * a;
            f += 100.0 * t * t + (1.0 - a) * (1.0 - a);
            g[i] = -400.0 * a * t - 2.0 * (1.0 - a);
            g[i + 1] = 200.0 * t;
        }

        return f;
    }

    /// <summary>Extended Powell singular function.</summary>
    public static double Powell(ReadOnlySpan<double> x, Span<double> g)
    {
        double f = 0;
        for (int i = 0; i + 3 < x.Length; i += 4)
        {
            double a = x[i] + 10.0 * x[i + 1];
            double b = x[i + 2] - x[i + 3];
            double c = x[i + 1] - 2.0 * x[i + 2];
            double e = x[i] - x[i + 3];
            double c3 = c * c * c, e3 = e * e * e;
            f += a * a + 5.0 * b * b + c3 * c + 10.0 * e3 * e;
            g[i] = 2.0 * a + 40.0 * e3;
            g[i + 1] = 20.0 * a + 4.0 * c3;
            g[i + 2] = 10.0 * b - 8.0 * c3;
            g[i + 3] = -10.0 * b - 40.0 * e3;
        }

        return f;
    }

    /// <summary>Beale function.</summary>
    public static double Beale(ReadOnlySpan<double> x, Span<double> g)
    {
        double x1 = x[0], x2 = x[1];
        double f = 0, g1 = 0, g2 = 0;
        ReadOnlySpan<double> y = [1.5, 2.25, 2.625];
        for (int k = 1; k <= 3; k++)
        {
            double t = 1.0 - Math.Pow(x2, k);
            double r = y[k - 1] - x1 * t;
            f += r * r;
            g1 += 2.0 * r * (-t);
            g2 += 2.0 * r * x1 * k * Math.Pow(x2, k - 1);
        }

        g[0] = g1;
        g[1] = g2;
        return f;
    }

    /// <summary>Wood function.</summary>
    public static double Wood(ReadOnlySpan<double> x, Span<double> g)
    {
        double x1 = x[0], x2 = x[1], x3 = x[2], x4 = x[3];
        double f = 100.0 * Sq(x2 - x1 * x1) + Sq(1.0 - x1) + 90.0 * Sq(x4 - x3 * x3) + Sq(1.0 - x3)
            + 10.1 * (Sq(x2 - 1.0) + Sq(x4 - 1.0)) + 19.8 * (x2 - 1.0) * (x4 - 1.0);
        g[0] = -400.0 * x1 * (x2 - x1 * x1) - 2.0 * (1.0 - x1);
        g[1] = 200.0 * (x2 - x1 * x1) + 20.2 * (x2 - 1.0) + 19.8 * (x4 - 1.0);
        g[2] = -360.0 * x3 * (x4 - x3 * x3) - 2.0 * (1.0 - x3);
        g[3] = 180.0 * (x4 - x3 * x3) + 20.2 * (x4 - 1.0) + 19.8 * (x2 - 1.0);
        return f;
    }

    /// <summary>Trigonometric function: rᵢ = n − Σcos xⱼ + i(1 − cos xᵢ) − sin xᵢ.</summary>
    public static double Trigonometric(ReadOnlySpan<double> x, Span<double> g)
    {
        int n = x.Length;
        double sumCos = 0;
        for (int j = 0; j < n; j++)
            sumCos += Math.Cos(x[j]);
        double f = 0, sumR = 0;
        for (int i = 0; i < n; i++)
        {
            double r = n - sumCos + (i + 1) * (1.0 - Math.Cos(x[i])) - Math.Sin(x[i]);
            f += r * r;
            sumR += r;
            g[i] = r; // temporarily
        }

        for (int i = 0; i < n; i++)
        {
            double s = Math.Sin(x[i]), c = Math.Cos(x[i]);
            g[i] = 2.0 * s * sumR + 2.0 * g[i] * ((i + 1) * s - c);
        }

        return f;
    }

    /// <summary>Helical valley function (x₁ ≠ 0).</summary>
    public static double HelicalValley(ReadOnlySpan<double> x, Span<double> g)
    {
        double x1 = x[0], x2 = x[1], x3 = x[2];
        double theta = Math.Atan(x2 / x1) / (2.0 * Math.PI) + (x1 < 0 ? 0.5 : 0.0);
        double r2 = x1 * x1 + x2 * x2;
        double r = Math.Sqrt(r2);
        double a = x3 - 10.0 * theta, b = r - 1.0;
        double dth1 = -x2 / (2.0 * Math.PI * r2), dth2 = x1 / (2.0 * Math.PI * r2);
        g[0] = 200.0 * a * (-10.0 * dth1) + 200.0 * b * x1 / r;
        g[1] = 200.0 * a * (-10.0 * dth2) + 200.0 * b * x2 / r;
        g[2] = 200.0 * a + 2.0 * x3;
        return 100.0 * (a * a + b * b) + x3 * x3;
    }

    /// <summary>Brown badly scaled function.</summary>
    public static double BrownBadlyScaled(ReadOnlySpan<double> x, Span<double> g)
    {
        double x1 = x[0], x2 = x[1];
        double a = x1 - 1e6, b = x2 - 2e-6, c = x1 * x2 - 2.0;
        g[0] = 2.0 * a + 2.0 * c * x2;
        g[1] = 2.0 * b + 2.0 * c * x1;
        return a * a + b * b + c * c;
    }

    /// <summary>Data of ½ Σ aᵢ (xᵢ − cᵢ)²: aᵢ = 1 + i mod 100, cᵢ = 2 (i ≡ 0 mod 4), −3 (i ≡ 2), (i mod 7 − 3)/4.</summary>
    public static (double A, double C) DiagonalQuadraticData(int i) =>
        (1.0 + i % 100, (i % 4) switch { 0 => 2.0, 2 => -3.0, _ => ((i % 7) - 3) / 4.0 });

    public static double DiagonalQuadratic(ReadOnlySpan<double> x, Span<double> g)
    {
        double f = 0;
        for (int i = 0; i < x.Length; i++)
        {
            var (a, c) = DiagonalQuadraticData(i);
            double r = x[i] - c;
            f += 0.5 * a * r * r;
            g[i] = a * r;
        }

        return f;
    }

    /// <summary>Tridiagonal quadratic ½xᵀAx − bᵀx, A = tridiag(−1, 2.5, −1), bᵢ = 0.15·(i mod 9 − 4).</summary>
    public const double TridiagonalDiagonal = 2.5;
    public const double TridiagonalOffDiagonal = -1.0;

    public static double TridiagonalB(int i) => ((i % 9) - 4) * 0.15;

    public static double TridiagonalQuadratic(ReadOnlySpan<double> x, Span<double> g)
    {
        int n = x.Length;
        double f = 0;
        for (int i = 0; i < n; i++)
        {
            double ax = TridiagonalDiagonal * x[i];
            if (i > 0)
                ax += TridiagonalOffDiagonal * x[i - 1];
            if (i + 1 < n)
                ax += TridiagonalOffDiagonal * x[i + 1];
            f += 0.5 * x[i] * ax - TridiagonalB(i) * x[i];
            g[i] = ax - TridiagonalB(i);
        }

        return f;
    }

    private const int AttackClasses = 10;
    private const int AttackTarget = 3;
    private const double AttackC = 0.05;

    public static double AttackWeight(int k, int j) => (((7 * k + 13 * j) % 29) - 14) / 56.0;

    public static double[] AttackImage()
    {
        var x0 = new double[784];
        for (int j = 0; j < x0.Length; j++)
            x0[j] = (j * 37 % 101) / 100.0;
        return x0;
    }

    private static readonly double[] AttackX0 = AttackImage();

    /// <summary>
    /// The shape of the box-constrained adversarial attack on a 784-pixel image: c‖x − x₀‖² plus the
    /// cross-entropy of softmax(Wx + b) for a target class, with a fixed pseudo-random linear "network" W.
    /// </summary>
    public static double AttackLike(ReadOnlySpan<double> x, Span<double> g)
    {
        int n = x.Length;
        Span<double> z = stackalloc double[AttackClasses];
        double zmax = double.NegativeInfinity;
        for (int k = 0; k < AttackClasses; k++)
        {
            double s = (k % 3 - 1) * 0.5;
            for (int j = 0; j < n; j++)
                s += AttackWeight(k, j) * x[j];
            z[k] = s;
            zmax = Math.Max(zmax, s);
        }

        double sum = 0;
        for (int k = 0; k < AttackClasses; k++)
        {
            z[k] -= zmax;
            sum += Math.Exp(z[k]);
        }

        double f = Math.Log(sum) - z[AttackTarget];
        for (int j = 0; j < n; j++)
        {
            double r = x[j] - AttackX0[j];
            f += AttackC * r * r;
            g[j] = 2.0 * AttackC * r;
        }

        for (int k = 0; k < AttackClasses; k++)
        {
            double p = Math.Exp(z[k]) / sum - (k == AttackTarget ? 1.0 : 0.0);
            for (int j = 0; j < n; j++)
                g[j] += AttackWeight(k, j) * p;
        }

        return f;
    }

    private static double Sq(double v) => v * v;
}
