using Intriguing.Optimization;

namespace Intriguing.Runtime.Tests.Optimization;

public sealed class LbfgsbSolverTests
{
    private static readonly LbfgsbOptions Tight = new() { ProjectedGradientTolerance = 1e-10, ReductionFactor = 10 };

    public static TheoryData<string> ProblemNames()
    {
        var data = new TheoryData<string>();
        foreach (var p in LbfgsbTestProblems.All)
            data.Add(p.Name);
        return data;
    }

    public static TheoryData<string> BoundedProblemNames()
    {
        var data = new TheoryData<string>();
        foreach (var p in LbfgsbTestProblems.All.Where(p => p.Lower is not null))
            data.Add(p.Name);
        return data;
    }

    // ---- the test problems themselves ------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ProblemNames))]
    public void ProblemGradientMatchesCentralDifferences(string name)
    {
        var problem = LbfgsbTestProblems.Get(name);
        int n = Math.Min(problem.N, 300); // the formulas are the same for every block; keep the test fast
        var rng = new SeededRandom(17);
        double[] x = new double[problem.N];
        for (int i = 0; i < x.Length; i++)
            x[i] = problem.X0[i] + 0.3 * (rng.NextDouble() - 0.5) + 0.1; // avoid x₁ = 0 (helical valley)
        double[] g = new double[problem.N];
        double[] scratch = new double[problem.N];
        problem.Objective(x, g);
        for (int i = 0; i < n; i++)
        {
            double h = 1e-6 * Math.Max(1.0, Math.Abs(x[i]));
            double xi = x[i];
            x[i] = xi + h;
            double fPlus = problem.Objective(x, scratch);
            x[i] = xi - h;
            double fMinus = problem.Objective(x, scratch);
            x[i] = xi;
            double fd = (fPlus - fMinus) / (2 * h);
            double scale = Math.Max(1.0, Math.Max(Math.Abs(fPlus), Math.Abs(fMinus)));
            Assert.True(Math.Abs(fd - g[i]) <= 1e-6 * scale + 1e-5 * Math.Abs(g[i]),
                $"{name}: g[{i}] = {g[i]:R}, central difference {fd:R}");
        }
    }

    // ---- known optima ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("rosenbrock_2", 1.0, 1.0)]
    [InlineData("rosenbrock_100", 1.0, 1.0)]
    [InlineData("rosenbrock_10000", 1.0, 1.0)]
    [InlineData("beale", 3.0, 0.5)]
    public void UnconstrainedReachesKnownMinimizer(string name, double even, double odd)
    {
        var problem = LbfgsbTestProblems.Get(name);
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, Tight);
        Assert.True(result.Converged, result.StopReason.ToString());
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(i % 2 == 0 ? even : odd, x[i], 1e-6);
    }

    [Fact]
    public void HelicalValleyReachesKnownMinimizer()
    {
        var problem = LbfgsbTestProblems.Get("helical_valley");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, Tight);
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.Equal(1.0, x[0], 1e-6);
        Assert.Equal(0.0, x[1], 1e-6);
        Assert.Equal(0.0, x[2], 1e-6);
    }

    [Fact]
    public void BoxedRosenbrockReachesTheBoundaryMinimizer()
    {
        // With x₂ᵢ ≤ 0.8 the pair minimum is at x₂ᵢ = 0.8 (the constrained 1-D minimum of (1 − a)² + 0 with
        // b = a²), x₂ᵢ₊₁ = 0.64, f = 500 · 0.04 = 20.
        var problem = LbfgsbTestProblems.Get("rosenbrock_1000_box");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, problem.Lower, problem.Upper, Tight);
        Assert.True(result.Converged, result.StopReason.ToString());
        for (int i = 0; i < x.Length; i += 2)
        {
            Assert.Equal(0.8, x[i]);
            Assert.Equal(0.64, x[i + 1], 1e-8);
        }

        Assert.Equal(20.0, result.Value, 1e-9);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(37)]
    [InlineData(10000)]
    public void SeparableQuadraticWithHalfTheBoundsActiveMatchesClosedForm(int n)
    {
        // min ½ Σ aᵢ (xᵢ − cᵢ)² on [−1, 1]ⁿ: xᵢ* = clamp(cᵢ, −1, 1); cᵢ ∈ {2, −3} (outside) for even i. The objective
        // is written as Σ ½aᵢ[(xᵢ − cᵢ)² − (xᵢ* − cᵢ)²] = Σ ½aᵢ(xᵢ − xᵢ*)(xᵢ + xᵢ* − 2cᵢ) (same minimiser) so that
        // f is not dominated by rounding near the optimum. At a point with projected gradient norm p every free
        // component satisfies |aᵢ(xᵢ − xᵢ*)| ≤ p, which is the bound asserted.
        double[] x = new double[n];
        double[] lower = LbfgsbTestProblems.Fill(n, -1.0), upper = LbfgsbTestProblems.Fill(n, 1.0);
        double[] star = new double[n];
        for (int i = 0; i < n; i++)
            star[i] = Math.Clamp(LbfgsbTestProblems.DiagonalQuadraticData(i).C, -1.0, 1.0);
        Objective shifted = (p, g) =>
        {
            double f = 0;
            for (int i = 0; i < p.Length; i++)
            {
                var (a, c) = LbfgsbTestProblems.DiagonalQuadraticData(i);
                f += 0.5 * a * (p[i] - star[i]) * (p[i] + star[i] - 2 * c);
                g[i] = a * (p[i] - c);
            }

            return f;
        };
        var result = Lbfgsb.Minimize(shifted, x, lower, upper,
            new LbfgsbOptions { ProjectedGradientTolerance = 1e-9, ReductionFactor = 0 });
        Assert.Equal(LbfgsbStopReason.ConvergedProjectedGradient, result.StopReason);
        int active = 0;
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(star[i]) == 1.0)
            {
                active++;
                Assert.Equal(star[i], x[i]); // exactly on the bound
            }
            else
            {
                double a = LbfgsbTestProblems.DiagonalQuadraticData(i).A;
                Assert.True(Math.Abs(x[i] - star[i]) <= result.ProjectedGradientNorm / a * (1 + 1e-12),
                    $"x[{i}] = {x[i]:R}, expected {star[i]:R}");
            }
        }

        Assert.Equal((n + 1) / 2, active);
        Assert.True(result.ProjectedGradientNorm <= 1e-9);
    }

    [Fact]
    public void TridiagonalQuadraticMatchesProjectedGaussSeidel()
    {
        // Reference: projected Gauss–Seidel on ½xᵀAx − bᵀx, l ≤ x ≤ u, which converges for symmetric positive
        // definite A; iterated until the update is below 1e-15.
        var problem = LbfgsbTestProblems.Get("quadratic_tridiagonal_200_box");
        int n = problem.N;
        double[] reference = new double[n];
        for (int sweep = 0; sweep < 100000; sweep++)
        {
            double change = 0;
            for (int i = 0; i < n; i++)
            {
                double r = LbfgsbTestProblems.TridiagonalB(i);
                if (i > 0)
                    r -= LbfgsbTestProblems.TridiagonalOffDiagonal * reference[i - 1];
                if (i + 1 < n)
                    r -= LbfgsbTestProblems.TridiagonalOffDiagonal * reference[i + 1];
                double v = Math.Clamp(r / LbfgsbTestProblems.TridiagonalDiagonal, problem.Lower![i], problem.Upper![i]);
                change = Math.Max(change, Math.Abs(v - reference[i]));
                reference[i] = v;
            }

            if (change < 1e-15)
                break;
        }

        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, problem.Lower, problem.Upper, Tight);
        Assert.True(result.Converged, result.StopReason.ToString());
        int active = reference.Count(v => Math.Abs(v) == 0.3);
        Assert.InRange(active, n / 4, 3 * n / 4);
        for (int i = 0; i < n; i++)
            Assert.Equal(reference[i], x[i], 1e-9);
    }

    // ---- the box ---------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(BoundedProblemNames))]
    public void IteratesAndEvaluationPointsStayInsideTheBox(string name)
    {
        var problem = LbfgsbTestProblems.Get(name);
        double[] lower = problem.Lower!, upper = problem.Upper!;
        int outside = 0, callbacks = 0;
        Objective checkedObjective = (x, g) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                if (!(x[i] >= lower[i] && x[i] <= upper[i]))
                    outside++;
            }

            return problem.Objective(x, g);
        };
        LbfgsbCallback callback = (in LbfgsbProgress p) =>
        {
            callbacks++;
            for (int i = 0; i < p.X.Length; i++)
            {
                if (!(p.X[i] >= lower[i] && p.X[i] <= upper[i]))
                    outside++;
            }

            return true;
        };
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(checkedObjective, x, lower, upper, callback: callback);
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.Equal(result.Iterations, callbacks);
        Assert.Equal(0, outside);
        for (int i = 0; i < x.Length; i++)
            Assert.InRange(x[i], lower[i], upper[i]);
    }

    [Fact]
    public void StartingPointOutsideTheBoxIsProjected()
    {
        double[] x = [5.0, -7.0, 0.25];
        double[] lower = [-1.0, -1.0, -1.0], upper = [1.0, 1.0, 1.0];
        var seen = new List<double[]>();
        var result = Lbfgsb.Minimize((p, g) =>
        {
            seen.Add(p.ToArray());
            double f = 0;
            for (int i = 0; i < p.Length; i++)
            {
                f += (p[i] - 0.5) * (p[i] - 0.5);
                g[i] = 2 * (p[i] - 0.5);
            }

            return f;
        }, x, lower, upper);
        Assert.Equal([1.0, -1.0, 0.25], seen[0]);
        Assert.True(result.Converged);
        Assert.All(x, v => Assert.Equal(0.5, v, 1e-6));
    }

    [Fact]
    public void FixedVariablesStayFixed()
    {
        double[] x = [0.0, 3.0, 0.0];
        double[] lower = [-5.0, 3.0, -5.0], upper = [5.0, 3.0, 5.0];
        var result = Lbfgsb.Minimize(LbfgsbTestProblems.HelicalValley, x, lower, upper);
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.Equal(3.0, x[1]);
    }

    // ---- NaN, exceptions, cancellation -----------------------------------------------------------------------

    [Fact]
    public void NonFiniteValuesMakeTheLineSearchBackOff()
    {
        // f = Σ xᵢ − log xᵢ is NaN for x < 0 and +∞ at 0; the minimiser is xᵢ = 1. From x = 20 the second
        // (quasi-Newton) step overshoots far into x < 0.
        int nonFinite = 0;
        double[] x = [20.0, 12.0, 30.0];
        var result = Lbfgsb.Minimize((p, g) =>
        {
            double f = 0;
            for (int i = 0; i < p.Length; i++)
            {
                f += p[i] - Math.Log(p[i]);
                g[i] = 1 - 1 / p[i];
            }

            if (!double.IsFinite(f))
                nonFinite++;
            return f;
        }, x, Tight);
        Assert.True(nonFinite > 0, "the test did not exercise a non-finite value");
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.All(x, v => Assert.Equal(1.0, v, 1e-6));
    }

    [Fact]
    public void InjectedNaNAndInfinityAreSurvived()
    {
        // Every 4th evaluation returns NaN, +∞ or −∞ (with a NaN gradient); the solver must still reach (1, 1).
        int calls = 0, injected = 0;
        double[] x = [-1.2, 1.0];
        var result = Lbfgsb.Minimize((p, g) =>
        {
            calls++;
            double f = LbfgsbTestProblems.Rosenbrock(p, g);
            if (calls > 1 && calls % 4 == 0)
            {
                injected++;
                g[0] = double.NaN;
                return (calls / 4 % 3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };
            }

            return f;
        }, x, Tight);
        Assert.True(injected >= 3);
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.Equal(1.0, x[0], 1e-5);
        Assert.Equal(1.0, x[1], 1e-5);
        Assert.True(double.IsFinite(result.Value));
    }

    [Fact]
    public void NonFiniteStartingValueIsAbnormal()
    {
        double[] x = [-1.0];
        var result = Lbfgsb.Minimize((p, g) =>
        {
            g[0] = 1;
            return Math.Log(p[0]);
        }, x);
        Assert.Equal(LbfgsbStopReason.Abnormal, result.StopReason);
        Assert.Equal(1, result.Evaluations);
        Assert.Equal(0, result.Iterations);
    }

    [Fact]
    public void ThrowingObjectiveIsWrappedWithIterationAndSolverStaysReusable()
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_100");
        var solver = new LbfgsbSolver(problem.N);
        int calls = 0;
        double[] lastAccepted = new double[problem.N];
        double[] x = (double[])problem.X0.Clone();
        var error = Assert.Throws<LbfgsbObjectiveException>(() => solver.Minimize((p, g) =>
        {
            if (++calls == 12)
                throw new InvalidOperationException("boom");
            return problem.Objective(p, g);
        }, x, callback: (in LbfgsbProgress p) =>
        {
            p.X.CopyTo(lastAccepted);
            return true;
        }));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(12, error.Evaluation);
        Assert.True(error.Iteration >= 1);
        Assert.Contains("iteration " + error.Iteration, error.Message);
        Assert.Equal(lastAccepted, x); // x is left at the last accepted iterate

        // The same solver then gives exactly what a fresh solver gives.
        double[] again = (double[])problem.X0.Clone();
        var reused = solver.Minimize(problem.Objective, again);
        double[] fresh = (double[])problem.X0.Clone();
        var reference = new LbfgsbSolver(problem.N).Minimize(problem.Objective, fresh);
        Assert.Equal(reference, reused);
        Assert.Equal(fresh, again);
    }

    [Fact]
    public void ThrowAtTheStartingPointReportsIterationZero()
    {
        double[] x = [1.0];
        var error = Assert.Throws<LbfgsbObjectiveException>(() =>
            Lbfgsb.Minimize((_, _) => throw new ArithmeticException("bad"), x));
        Assert.Equal(0, error.Iteration);
        Assert.Equal(1, error.Evaluation);
        Assert.Equal(1.0, x[0]);
    }

    [Fact]
    public void OperationCanceledFromTheObjectivePropagatesUnwrapped()
    {
        double[] x = [1.0];
        Assert.Throws<OperationCanceledException>(() =>
            Lbfgsb.Minimize((_, _) => throw new OperationCanceledException(), x));
    }

    [Fact]
    public void CancellationStopsAtTheLastAcceptedIterate()
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_100");
        using var cts = new CancellationTokenSource();
        double[] atCancel = new double[problem.N];
        double fAtCancel = 0;
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, callback: (in LbfgsbProgress p) =>
        {
            if (p.Iteration == 3)
            {
                cts.Cancel();
                p.X.CopyTo(atCancel);
                fAtCancel = p.Value;
            }

            return true;
        }, cancellationToken: cts.Token);
        Assert.Equal(LbfgsbStopReason.Cancelled, result.StopReason);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(atCancel, x);
        Assert.Equal(fAtCancel, result.Value);
    }

    [Fact]
    public void AlreadyCancelledTokenEvaluatesNothing()
    {
        double[] x = [1.0, 2.0];
        int calls = 0;
        var result = Lbfgsb.Minimize((p, g) =>
        {
            calls++;
            return LbfgsbTestProblems.Rosenbrock(p, g);
        }, x, cancellationToken: new CancellationToken(canceled: true));
        Assert.Equal(LbfgsbStopReason.Cancelled, result.StopReason);
        Assert.Equal(0, calls);
        Assert.Equal([1.0, 2.0], x);
    }

    // ---- every stop reason -----------------------------------------------------------------------------------

    [Fact]
    public void StopsOnProjectedGradient()
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_100");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x);
        Assert.Equal(LbfgsbStopReason.ConvergedProjectedGradient, result.StopReason);
        Assert.True(result.ProjectedGradientNorm <= 1e-5);
        Assert.True(result.Converged);
    }

    [Fact]
    public void StopsOnRelativeReduction()
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_2");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, new LbfgsbOptions { ProjectedGradientTolerance = 0 });
        Assert.Equal(LbfgsbStopReason.ConvergedRelativeReduction, result.StopReason);
        Assert.True(result.Converged);
    }

    [Fact]
    public void StopsOnMaxIterations()
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_100");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, new LbfgsbOptions { MaxIterations = 5 });
        Assert.Equal(LbfgsbStopReason.MaxIterations, result.StopReason);
        Assert.Equal(5, result.Iterations);
        Assert.False(result.Converged);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(20)]
    public void StopsOnMaxEvaluationsWithoutExceedingThem(int maxEvaluations)
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_2");
        int calls = 0;
        double fAccepted = double.NaN;
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize((p, g) =>
        {
            calls++;
            return problem.Objective(p, g);
        }, x, new LbfgsbOptions { MaxEvaluations = maxEvaluations }, (in LbfgsbProgress p) =>
        {
            fAccepted = p.Value;
            return true;
        });
        Assert.Equal(LbfgsbStopReason.MaxEvaluations, result.StopReason);
        Assert.Equal(calls, result.Evaluations);
        Assert.True(calls <= maxEvaluations);
        if (result.Iterations > 0)
            Assert.Equal(fAccepted, result.Value);
        Assert.Equal(result.Value, problem.Objective(x, new double[2]));
    }

    [Fact]
    public void StopsWhenTheCallbackAsks()
    {
        var problem = LbfgsbTestProblems.Get("wood");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, callback: (in LbfgsbProgress p) => p.Iteration < 4);
        Assert.Equal(LbfgsbStopReason.CallbackStop, result.StopReason);
        Assert.Equal(4, result.Iterations);
    }

    [Fact]
    public void StopsOnLineSearchFailure()
    {
        // The gradient is off by a constant: along −g̃ the true f rises, so no step satisfies the Wolfe
        // conditions even from the steepest-descent restart.
        double[] x = [0.0, 0.0];
        var result = Lbfgsb.Minimize((p, g) =>
        {
            g[0] = 2 * p[0] - 1;
            g[1] = 2 * p[1] - 1;
            return p[0] * p[0] + p[1] * p[1];
        }, x, new LbfgsbOptions { MaxLineSearchSteps = 5 });
        Assert.Equal(LbfgsbStopReason.LineSearchFailure, result.StopReason);
        Assert.Equal([0.0, 0.0], x); // back at the last accepted iterate
        Assert.Equal(0.0, result.Value);
    }

    [Fact]
    public void LineSearchFailureWithHistoryRestartsFromSteepestDescentFirst()
    {
        // After 10 evaluations the reported gradient gains a constant error, so line searches start to fail. With
        // correction pairs in memory a failure only clears the memory and retries (Fortran: restart from
        // steepest descent); the solver gives up only when that retry fails too, so more evaluations than one
        // line search (5) are spent after the last accepted iterate.
        int calls = 0, callsAtLastIterate = 0;
        double[] x = [-1.2, 1.0];
        var result = Lbfgsb.Minimize((p, g) =>
        {
            calls++;
            double f = LbfgsbTestProblems.Rosenbrock(p, g);
            if (calls > 10)
            {
                g[0] += 50;
                g[1] -= 50;
            }

            return f;
        }, x, new LbfgsbOptions { MaxLineSearchSteps = 5 }, (in LbfgsbProgress p) =>
        {
            callsAtLastIterate = p.Evaluations;
            return true;
        });
        Assert.Equal(LbfgsbStopReason.LineSearchFailure, result.StopReason);
        Assert.True(result.Iterations >= 5);
        Assert.InRange(calls - callsAtLastIterate, 6, 10);
    }

    // ---- allocation and argument checks ----------------------------------------------------------------------

    [Fact]
    public void RepeatedMinimisationsAllocateNothing()
    {
        var problem = LbfgsbTestProblems.Get("rosenbrock_1000_box");
        var solver = new LbfgsbSolver(problem.N);
        double[] x = (double[])problem.X0.Clone();
        Objective objective = LbfgsbTestProblems.Rosenbrock;
        solver.Minimize(objective, x, problem.Lower, problem.Upper); // warm-up (JIT)
        LbfgsbResult result = default;
        long allocated = AllocationProbe.BytesAllocated(() =>
        {
            problem.X0.CopyTo(x, 0);
            result = solver.Minimize(objective, x, problem.Lower, problem.Upper);
        });
        Assert.True(result.Converged);
        Assert.True(result.Iterations > 10);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        var solver = new LbfgsbSolver(2);
        Objective f = LbfgsbTestProblems.Rosenbrock;
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => solver.Minimize(f, new double[3])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => solver.Minimize(f, new[] { double.NaN, 0 })).ParamName);
        Assert.Equal("lower", Assert.Throws<ArgumentException>(() =>
            solver.Minimize(f, new double[2], new double[1], default)).ParamName);
        Assert.Equal("upper", Assert.Throws<ArgumentException>(() =>
            solver.Minimize(f, new double[2], default, new double[3])).ParamName);
        Assert.Equal("lower", Assert.Throws<ArgumentException>(() =>
            solver.Minimize(f, new double[2], new[] { 1.0, 0 }, new[] { 0.0, 0 })).ParamName);
        Assert.Equal("lower", Assert.Throws<ArgumentException>(() =>
            solver.Minimize(f, new double[2], new[] { double.NaN, 0 }, default)).ParamName);
        Assert.Equal("upper", Assert.Throws<ArgumentException>(() =>
            solver.Minimize(f, new double[2], default, new[] { double.NegativeInfinity, 0 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => solver.Minimize(null!, new double[2]));
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => new LbfgsbSolver(0)).ParamName);
        Assert.Equal("HistorySize", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LbfgsbSolver(2, new LbfgsbOptions { HistorySize = 0 })).ParamName);
        Assert.Equal("ProjectedGradientTolerance", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LbfgsbSolver(2, new LbfgsbOptions { ProjectedGradientTolerance = double.NaN })).ParamName);
        Assert.Equal("ReductionFactor", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LbfgsbSolver(2, new LbfgsbOptions { ReductionFactor = -1 })).ParamName);
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LbfgsbSolver(2, new LbfgsbOptions { MaxIterations = 0 })).ParamName);
        Assert.Equal("MaxEvaluations", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LbfgsbSolver(2, new LbfgsbOptions { MaxEvaluations = 0 })).ParamName);
        Assert.Equal("MaxLineSearchSteps", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LbfgsbSolver(2, new LbfgsbOptions { MaxLineSearchSteps = 0 })).ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(30)]
    public void OtherHistorySizesConverge(int m)
    {
        // m = 1 and m = 3 wrap the circular history many times; m = 30 exceeds the iteration count.
        var problem = LbfgsbTestProblems.Get("rosenbrock_1000_box");
        double[] x = (double[])problem.X0.Clone();
        var result = Lbfgsb.Minimize(problem.Objective, x, problem.Lower, problem.Upper,
            Tight with { HistorySize = m });
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.Equal(20.0, result.Value, 1e-8);
    }

    [Fact]
    public void InfiniteBoundsAreTheSameAsNoBounds()
    {
        var problem = LbfgsbTestProblems.Get("trigonometric_10");
        double[] a = (double[])problem.X0.Clone(), b = (double[])problem.X0.Clone();
        var free = Lbfgsb.Minimize(problem.Objective, a);
        var infinite = Lbfgsb.Minimize(problem.Objective, b, LbfgsbTestProblems.Fill(10, double.NegativeInfinity),
            LbfgsbTestProblems.Fill(10, double.PositiveInfinity));
        Assert.Equal(free, infinite);
        Assert.Equal(a, b);
    }

    [Fact]
    public void OneSolverPerThreadGivesTheSequentialResults()
    {
        // No shared mutable state between solver instances: running every problem on 4 threads, each with its own
        // reused solvers, reproduces the sequential results bit for bit.
        var problems = LbfgsbTestProblems.All.Where(p => p.N <= 1000).ToArray();
        var sequential = problems.Select(p =>
        {
            double[] x = (double[])p.X0.Clone();
            return (Result: new LbfgsbSolver(p.N).Minimize(p.Objective, x, p.Lower, p.Upper), X: x);
        }).ToArray();

        var parallel = new (LbfgsbResult Result, double[] X)[problems.Length * 4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            var solvers = new Dictionary<int, LbfgsbSolver>();
            for (int round = 0; round < problems.Length; round++)
            {
                int i = (round + thread) % problems.Length;
                var p = problems[i];
                if (!solvers.TryGetValue(p.N, out var solver))
                    solvers[p.N] = solver = new LbfgsbSolver(p.N);
                double[] x = (double[])p.X0.Clone();
                parallel[thread * problems.Length + i] = (solver.Minimize(p.Objective, x, p.Lower, p.Upper), x);
            }
        });

        for (int t = 0; t < 4; t++)
        {
            for (int i = 0; i < problems.Length; i++)
            {
                Assert.Equal(sequential[i].Result, parallel[t * problems.Length + i].Result);
                Assert.Equal(sequential[i].X, parallel[t * problems.Length + i].X);
            }
        }
    }
}
