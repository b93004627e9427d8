using BenchmarkDotNet.Attributes;
using Intriguing.Optimization;
using Intriguing.Runtime.Tests.Optimization;

namespace Intriguing.Benchmarks.Optimization;

/// <summary>
/// One full L-BFGS-B minimisation per invocation with a reused solver (the adversarial-attack usage pattern).
/// Run: <c>dotnet run -c Release -- --filter '*Lbfgsb*'</c>. For the side-by-side table with SciPy use
/// <c>bench/reference/lbfgsb_compare.sh</c>.
/// </summary>
[MemoryDiagnoser]
public class LbfgsbBenchmarks
{
    private LbfgsbTestProblem _problem = null!;
    private LbfgsbSolver _solver = null!;
    private double[] _x = null!;

    [Params("rosenbrock_100", "rosenbrock_1000_box", "rosenbrock_10000", "trigonometric_100_box",
        "quadratic_diagonal_10000_box", "wood_box", "attack_like_784_box")]
    public string Problem { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _problem = LbfgsbTestProblems.Get(Problem);
        _solver = new LbfgsbSolver(_problem.N);
        _x = new double[_problem.N];
    }

    [Benchmark]
    public double Minimize()
    {
        _problem.X0.CopyTo(_x, 0);
        return _solver.Minimize(_problem.Objective, _x, _problem.Lower, _problem.Upper).Value;
    }
}
