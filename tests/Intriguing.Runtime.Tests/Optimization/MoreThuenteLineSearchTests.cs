using Intriguing.Optimization;

namespace Intriguing.Runtime.Tests.Optimization;

/// <summary>The Moré–Thuente search on the first two test functions of Moré and Thuente (1994), Table 1–2.</summary>
public sealed class MoreThuenteLineSearchTests
{
    private static (double F, double G) Phi1(double a) // −a/(a² + 2)
    {
        const double beta = 2.0;
        double den = a * a + beta;
        return (-a / den, (a * a - beta) / (den * den));
    }

    private static (double F, double G) Phi2(double a) // (a + 0.004)⁵ − 2(a + 0.004)⁴
    {
        double t = a + 0.004;
        return (Math.Pow(t, 5) - 2 * Math.Pow(t, 4), 5 * Math.Pow(t, 4) - 8 * Math.Pow(t, 3));
    }

    [Theory]
    [InlineData(1, 1e-3, 0.1, 1e-3)]
    [InlineData(1, 1e-3, 0.1, 1e-1)]
    [InlineData(1, 1e-3, 0.1, 1e1)]
    [InlineData(1, 1e-3, 0.1, 1e3)]
    [InlineData(2, 0.1, 0.1, 1e-3)]
    [InlineData(2, 0.1, 0.1, 1e-1)]
    [InlineData(2, 0.1, 0.1, 1e1)]
    [InlineData(2, 0.1, 0.1, 1e3)]
    public void FindsAStepSatisfyingTheStrongWolfeConditions(int function, double ftol, double gtol, double stp0)
    {
        Func<double, (double F, double G)> phi = function == 1 ? Phi1 : Phi2;
        var (f0, g0) = phi(0);
        var search = new MoreThuenteLineSearch();
        var task = search.Start(f0, g0, stp0, ftol, gtol, 1e-10, 0, 1e10); // xtol as in the paper's tests
        int evaluations = 0;
        double f = f0, g = g0;
        while (task == LineSearchTask.Evaluate)
        {
            Assert.True(++evaluations <= 30, "too many evaluations");
            (f, g) = phi(search.Step);
            task = search.Next(f, g, 1e10);
        }

        Assert.Equal(LineSearchTask.Converged, task);
        double stp = search.Step;
        Assert.True(f <= f0 + ftol * stp * g0, $"sufficient decrease fails at {stp}");
        Assert.True(Math.Abs(g) <= gtol * Math.Abs(g0), $"curvature condition fails at {stp}");
        Assert.InRange(evaluations, 1, 12);
    }

    [Fact]
    public void RejectsAnAscentDirection()
    {
        var search = new MoreThuenteLineSearch();
        Assert.Equal(LineSearchTask.Error, search.Start(0, 1.0, 1, 1e-3, 0.9, 0.1, 0, 10));
    }
}
