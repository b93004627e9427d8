using Intriguing.Optimization;

namespace Intriguing.Runtime.Tests.Optimization;

/// <summary>
/// Each test problem against SciPy 1.10's L-BFGS-B (Fortran L-BFGS-B 3.0) with the same options (m = 10,
/// pgtol = 1e-5, factr = 1e7, maxls = 20, plus a few rows with other m, pgtol, factr): same optimum, and no more
/// than SciPy's evaluations + 10 %.
/// </summary>
public sealed class LbfgsbScipyComparisonTests
{
    public static TheoryData<string> FixtureRows()
    {
        var data = new TheoryData<string>();
        foreach (string name in ScipyFixture.Results.Keys)
            data.Add(name);
        return data;
    }

    [Fact]
    public void EveryTestProblemHasAFixtureRowWithDefaultOptions()
    {
        var defaults = LbfgsbOptions.Default;
        foreach (var p in LbfgsbTestProblems.All)
        {
            Assert.True(ScipyFixture.Results.TryGetValue(p.Name, out var row), $"no SciPy result for {p.Name}");
            Assert.Equal((defaults.HistorySize, defaults.ProjectedGradientTolerance, defaults.ReductionFactor),
                (row.M, row.Pgtol, row.Factr));
            Assert.Equal(p.N, row.N);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureRows))]
    public void SameOptimumAndNoMoreEvaluationsThanScipy(string name)
    {
        var reference = ScipyFixture.Results[name];
        var problem = LbfgsbTestProblems.Get(reference.Problem);
        double[] x = (double[])problem.X0.Clone();
        var solver = new LbfgsbSolver(problem.N, new LbfgsbOptions
        {
            HistorySize = reference.M,
            ProjectedGradientTolerance = reference.Pgtol,
            ReductionFactor = reference.Factr,
        });
        var result = solver.Minimize(problem.Objective, x, problem.Lower, problem.Upper);

        Console.WriteLine($"{name}: f={result.Value:R} (scipy {reference.F:R}) evals={result.Evaluations} (scipy {reference.Nfev}) " +
            $"iters={result.Iterations} (scipy {reference.Nit}) {result.StopReason}");
        Assert.True(result.Converged, $"{name}: stopped with {result.StopReason}");
        double fTol = 1e-6 * Math.Max(1.0, Math.Abs(reference.F));
        Assert.True(Math.Abs(result.Value - reference.F) <= fTol,
            $"{name}: f = {result.Value:R}, SciPy f = {reference.F:R}");
        double xScale = Math.Max(1.0, reference.X.Max(Math.Abs));
        for (int i = 0; i < reference.X.Length; i++)
        {
            Assert.True(Math.Abs(x[i] - reference.X[i]) <= 1e-3 * xScale,
                $"{name}: x[{i}] = {x[i]:R}, SciPy {reference.X[i]:R}");
        }

        Assert.True(result.Evaluations <= (int)Math.Floor(1.1 * reference.Nfev),
            $"{name}: {result.Evaluations} evaluations, SciPy {reference.Nfev}");
    }
}
