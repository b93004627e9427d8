using System.Diagnostics;
using System.Globalization;
using Intriguing.Optimization;
using Intriguing.Runtime.Tests.Optimization;

namespace Intriguing.Benchmarks.Optimization;

/// <summary>
/// <c>dotnet run -c Release -- lbfgsb-table</c>: per test problem, f*, ‖x*‖, evaluations, iterations and the best
/// wall time of repeated full minimisations (after a 0.2 s warm-up, at least 3 runs and 0.3 s, like
/// <c>lbfgsb_scipy.py</c>), as a
/// whitespace-separated table that <c>bench/reference/lbfgsb_compare.sh</c> joins with SciPy's.
/// </summary>
public static class LbfgsbTable
{
    public static void Run()
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{"problem",-32} {"n",6} {"f*",24} {"|x*|",12} {"nfev",6} {"nit",6} {"time (ms)",10}");
        foreach (var problem in LbfgsbTestProblems.All)
        {
            var solver = new LbfgsbSolver(problem.N);
            double[] x = new double[problem.N];
            problem.X0.CopyTo(x, 0);
            var result = solver.Minimize(problem.Objective, x, problem.Lower, problem.Upper);
            double norm = Math.Sqrt(x.Sum(v => v * v));

            // Warm-up so that tiered JIT has produced optimized code before timing.
            var warm = Stopwatch.StartNew();
            for (int run = 0; run < 20 || warm.Elapsed.TotalSeconds < 0.2; run++)
            {
                problem.X0.CopyTo(x, 0);
                solver.Minimize(problem.Objective, x, problem.Lower, problem.Upper);
            }

            double best = double.PositiveInfinity;
            var total = Stopwatch.StartNew();
            for (int run = 0; run < 3 || total.Elapsed.TotalSeconds < 0.3; run++)
            {
                problem.X0.CopyTo(x, 0);
                long start = Stopwatch.GetTimestamp();
                solver.Minimize(problem.Objective, x, problem.Lower, problem.Upper);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            Console.WriteLine(string.Format(inv, "{0,-32} {1,6} {2,24:E16} {3,12:F6} {4,6} {5,6} {6,10:F3}",
                problem.Name, problem.N, result.Value, norm, result.Evaluations, result.Iterations, best));
        }
    }
}
