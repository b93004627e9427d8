using Intriguing.Adversarial;
using Intriguing.Data;

namespace Intriguing.Runtime.Tests.Adversarial;

public class AttackTests
{
    private const int Inputs = 20, Classes = 10, Examples = 12;

    private static readonly LinearSoftmax s_model = new(Inputs, Classes, seed: 7);
    private static readonly Dataset s_data = s_model.Examples(Examples, seed: 11);
    private static readonly int[] s_all = Enumerable.Range(0, Examples).ToArray();

    // Two classes: the adversarial region is one half-space, so the closed form is the only local minimum.
    private static readonly LinearSoftmax s_binary = new(Inputs, 2, seed: 5);
    private static readonly Dataset s_binaryData = s_binary.Examples(Examples, seed: 13);

    private static IAttack Make(string name) => name switch
    {
        "deepfool-l2" => new DeepFool(),
        "deepfool-linf" => new DeepFool(new DeepFoolOptions { Norm = AttackNorm.LInf }),
        "ddn" => new Ddn(),
        "fmn-l2" => new Fmn(),
        "fmn-linf" => new Fmn(new FmnOptions { Norm = AttackNorm.LInf }),
        "cw-l2" => new CarliniWagner(new CarliniWagnerOptions { Steps = 200 }),
        "lbfgs" => new LbfgsMinimumNormAttack(),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> MinimumNormAttacks => ["deepfool-l2", "deepfool-linf", "ddn", "fmn-l2", "fmn-linf", "cw-l2", "lbfgs"];

    public static TheoryData<string> BatchedAttacks => ["fgsm", "fgm-l2", "pgd-linf", "pgd-l2", "deepfool-l2", "deepfool-linf", "ddn", "fmn-l2", "fmn-linf", "cw-l2"];

    private static IAttack MakeAny(string name, double epsilon = 0.05) => name switch
    {
        "fgsm" => new Fgsm(new FgsmOptions { Epsilon = epsilon }),
        "fgm-l2" => new Fgsm(new FgsmOptions { Norm = AttackNorm.L2, Epsilon = 4 * epsilon }),
        "pgd-linf" => new Pgd(new PgdOptions { Epsilon = epsilon, Restarts = 2, Seed = 5 }),
        "pgd-l2" => new Pgd(new PgdOptions { Norm = AttackNorm.L2, Epsilon = 4 * epsilon, Restarts = 2, Seed = 5 }),
        "cw-l2" => new CarliniWagner(new CarliniWagnerOptions { Steps = 100, BinarySteps = 5, InitialConst = 1 }),
        _ => Make(name),
    };

    /// <summary>Checks a result against the model in double precision: in the box, classified as claimed, distortions recomputed.</summary>
    private static void Verify(LinearSoftmax model, AttackResult r, Dataset data, int expectedIndex, int? target = null)
    {
        Assert.Equal(expectedIndex, r.Index);
        ReadOnlySpan<float> x0 = data.Sample(r.Index);
        Assert.True(r.Success, $"{r.Attack} failed on example {r.Index}");
        Assert.All(r.Adversarial, v => Assert.InRange(v, 0f, 1f));
        int predicted = model.Predict(r.Adversarial);
        Assert.Equal(predicted, r.Predicted);
        if (target is { } t) Assert.Equal(t, predicted);
        else Assert.NotEqual(data.Labels[r.Index], predicted);
        double l2 = 0, linf = 0;
        for (int i = 0; i < x0.Length; i++)
        {
            double d = (double)r.Adversarial[i] - x0[i];
            l2 += d * d;
            linf = Math.Max(linf, Math.Abs(d));
        }

        Assert.Equal(Math.Sqrt(l2), r.L2, 12);
        Assert.Equal(linf, r.LInf, 12);
        Assert.Equal(Math.Sqrt(l2 / x0.Length), r.Distortion, 12);
    }

    [Fact]
    public void The_closed_form_minimiser_lies_inside_the_box_so_the_box_does_not_bind()
    {
        // Precondition of the optimality tests: the unconstrained minimiser of every example is inside [0, 1].
        foreach (bool l2 in new[] { true, false })
        {
            for (int e = 0; e < Examples; e++)
            {
                float[] best = s_model.Minimiser(s_data.Sample(e), s_data.Labels[e], l2);
                Assert.All(best, v => Assert.InRange(v, 0.01f, 0.99f));
                Assert.NotEqual(s_data.Labels[e], s_model.Predict(best.Select((v, i) => v + (1e-3f * (v - s_data.Sample(e)[i]))).ToArray()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(MinimumNormAttacks))]
    public void Minimum_norm_attacks_come_within_one_percent_of_the_exact_minimum_and_never_below(string name)
    {
        LinearSoftmax model = s_binary;
        Dataset data = s_binaryData;
        foreach (bool l2 in new[] { true, false })
        {
            for (int e = 0; e < Examples; e++) Assert.All(model.Minimiser(data.Sample(e), data.Labels[e], l2), v => Assert.InRange(v, 0.01f, 0.99f));
        }

        IAttack attack = Make(name);
        AttackResult[] results = attack.Run(model, data, s_all, execution: new AttackExecution { BatchSize = 5, Threads = 2 });
        Assert.Equal(Examples, results.Length);
        for (int e = 0; e < Examples; e++)
        {
            AttackResult r = results[e];
            Verify(model, r, data, e);
            Assert.Equal(attack.Name, r.Attack);
            double exact = model.MinimumDistortion(data.Sample(e), data.Labels[e], attack.Norm == AttackNorm.L2).Distance;
            double found = r.Norm(attack.Norm);
            Assert.True(found >= exact, $"{name}, example {e}: {found} is below the exact minimum {exact}");
            Assert.True(found <= 1.01 * exact, $"{name}, example {e}: {found} is more than 1% above the exact minimum {exact}");
            Assert.True(r.Gradients > 0);
        }
    }

    [Theory]
    [InlineData(AttackNorm.L2)]
    [InlineData(AttackNorm.LInf)]
    public void With_ten_classes_no_attack_goes_below_the_exact_minimum_and_their_minimum_comes_within_one_percent(AttackNorm norm)
    {
        // Ten classes: the adversarial region is a union of half-spaces; attacks that follow the runner-up label can
        // stop on a farther half-space than the nearest one, but none may cross below the exact minimum.
        string[] names = norm == AttackNorm.L2 ? ["deepfool-l2", "ddn", "fmn-l2", "cw-l2", "lbfgs"] : ["deepfool-linf", "fmn-linf"];
        EnsembleRun run = new EnsembleAttack(norm, names.Select(Make).ToArray()).RunEach(s_model, s_data, s_all, execution: new AttackExecution { BatchSize = 5, Threads = 2 });
        for (int e = 0; e < Examples; e++)
        {
            double exact = s_model.MinimumDistortion(s_data.Sample(e), s_data.Labels[e], norm == AttackNorm.L2).Distance;
            foreach (AttackResult[] member in run.ByMember)
            {
                Verify(s_model, member[e], s_data, e);
                Assert.True(member[e].Norm(norm) >= exact, $"{member[e].Attack}, example {e}: {member[e].Norm(norm)} is below the exact minimum {exact}");
            }

            Assert.InRange(run.Best[e].Norm(norm), exact, 1.01 * exact);
        }
    }

    [Theory]
    [MemberData(nameof(BatchedAttacks))]
    public void Results_do_not_depend_on_the_batch_size_or_the_thread_count(string name)
    {
        IAttack attack = MakeAny(name);
        AttackResult[] reference = attack.Run(s_model, s_data, s_all, execution: new AttackExecution { BatchSize = 1, Threads = 1 });
        Assert.Contains(reference, r => r.Success);
        foreach ((int batch, int threads) in new[] { (3, 1), (5, 2), (12, 2), (64, 1) })
        {
            AttackResult[] other = attack.Run(s_model, s_data, s_all, execution: new AttackExecution { BatchSize = batch, Threads = threads });
            for (int e = 0; e < Examples; e++)
            {
                Assert.Equal(reference[e].Success, other[e].Success);
                Assert.Equal(reference[e].Adversarial, other[e].Adversarial);
                Assert.Equal(reference[e].Gradients, other[e].Gradients);
                Assert.Equal(reference[e].Forwards, other[e].Forwards);
            }
        }
    }

    [Theory]
    [MemberData(nameof(BatchedAttacks))]
    public void Targeted_attacks_reach_their_targets_no_closer_than_the_targets_half_space(string name)
    {
        IAttack attack = MakeAny(name, epsilon: 0.2);
        int[] targets = s_all.Select(e => AttackRunner.RandomTarget(3, e, s_data.Labels[e], Classes)).ToArray();
        AttackResult[] results = attack.Run(s_model, s_data, s_all, targets, new AttackExecution { BatchSize = 4 });
        int successes = 0;
        for (int e = 0; e < Examples; e++)
        {
            AttackResult r = results[e];
            Assert.Equal(targets[e], r.Target);
            if (!r.Success)
            {
                Assert.False(attack.MinimumNorm, $"{name} failed on example {e}");
                continue;
            }

            successes++;
            Verify(s_model, r, s_data, e, targets[e]);

            // The target's region lies inside the half-space z_t ≥ z_y, whose distance is a lower bound.
            int y = s_data.Labels[e], t = targets[e];
            double[] z = s_model.Logits(s_data.Sample(e));
            double q = 0;
            for (int i = 0; i < Inputs; i++)
            {
                double d = s_model.Weight(y, i) - s_model.Weight(t, i);
                q += attack.Norm == AttackNorm.L2 ? d * d : Math.Abs(d);
            }

            double bound = (z[y] - z[t]) / (attack.Norm == AttackNorm.L2 ? Math.Sqrt(q) : q);
            Assert.True(r.Norm(attack.Norm) >= bound, $"{name}, example {e}: {r.Norm(attack.Norm)} below the half-space bound {bound}");
        }

        Assert.True(successes > 0, $"{name} fooled no example");
    }

    [Theory]
    [InlineData("fgsm")]
    [InlineData("fgm-l2")]
    [InlineData("pgd-linf")]
    [InlineData("pgd-l2")]
    public void Fixed_budget_attacks_stay_in_the_ball_and_fail_below_the_exact_minimum(string name)
    {
        bool l2 = name.EndsWith("l2", StringComparison.Ordinal);
        double[] exact = s_all.Select(e => s_model.MinimumDistortion(s_data.Sample(e), s_data.Labels[e], l2).Distance).ToArray();

        // Below the smallest exact minimum no perturbation in the ball changes any label.
        IAttack weak = Budget(name, 0.99 * exact.Min());
        Assert.All(weak.Run(s_model, s_data, s_all), r => Assert.False(r.Success));

        // With three times the largest exact minimum the steepest-ascent steps fool every example (PGD) or some (FGSM).
        double epsilon = 3 * exact.Max();
        IAttack strong = Budget(name, epsilon);
        AttackResult[] results = strong.Run(s_model, s_data, s_all);
        foreach (AttackResult r in results.Where(r => r.Success))
        {
            Verify(s_model, r, s_data, r.Index);
            Assert.True(r.Norm(strong.Norm) <= epsilon * (1 + 1e-6), $"{name}: {r.Norm(strong.Norm)} outside the ball of {epsilon}");
            Assert.True(r.Norm(strong.Norm) >= exact[r.Index]);
        }

        if (name.StartsWith("pgd", StringComparison.Ordinal)) Assert.All(results, r => Assert.True(r.Success));
        else Assert.Contains(results, r => r.Success);
    }

    private static IAttack Budget(string name, double epsilon) => name switch
    {
        "fgsm" => new Fgsm(new FgsmOptions { Epsilon = epsilon }),
        "fgm-l2" => new Fgsm(new FgsmOptions { Norm = AttackNorm.L2, Epsilon = epsilon }),
        "pgd-linf" => new Pgd(new PgdOptions { Epsilon = epsilon, Restarts = 3, Seed = 1 }),
        _ => new Pgd(new PgdOptions { Norm = AttackNorm.L2, Epsilon = epsilon, Restarts = 3, Seed = 1 }),
    };

    [Fact]
    public void Targeted_attacks_never_go_below_the_exact_targeted_minimum_and_cw_comes_within_one_percent()
    {
        // With ten classes the target's region is a polyhedron: the least distortion is a convex program, solved
        // independently (TargetedMinimum). C&W's hinge objective is convex here too, so it reaches the optimum; the
        // others stop elsewhere on the polyhedron (measured: DeepFool up to 14%, FMN up to 12%, DDN and L-BFGS up to
        // 60% above) but never inside it.
        int[] targets = s_all.Select(e => AttackRunner.RandomTarget(3, e, s_data.Labels[e], Classes)).ToArray();
        var exact = new double[Examples];
        for (int e = 0; e < Examples; e++)
        {
            (double distance, double[] r, double residual) = TargetedMinimum.Solve(s_model, s_data.Sample(e), targets[e]);
            Assert.True(residual < 1e-10, $"the reference did not converge on example {e}: KKT residual {residual}");
            for (int i = 0; i < Inputs; i++) Assert.InRange(s_data.Sample(e)[i] + r[i], 0.01, 0.99);
            exact[e] = distance;
        }

        foreach (IAttack attack in new IAttack[] { new DeepFool(), new CarliniWagner(new CarliniWagnerOptions { Steps = 200 }), new Ddn(), new Fmn(), new LbfgsMinimumNormAttack() })
        {
            AttackResult[] results = attack.Run(s_model, s_data, s_all, targets, new AttackExecution { BatchSize = 5 });
            for (int e = 0; e < Examples; e++)
            {
                Verify(s_model, results[e], s_data, e, targets[e]);
                Assert.True(results[e].L2 >= exact[e], $"{attack.Name}, example {e}: {results[e].L2} is below the exact minimum {exact[e]}");
                if (attack is CarliniWagner) Assert.True(results[e].L2 <= 1.01 * exact[e], $"cw-l2, example {e}: {results[e].L2} is more than 1% above the exact minimum {exact[e]}");
            }
        }
    }

    [Fact]
    public void The_ensemble_keeps_each_examples_least_distorted_success_and_names_its_attack()
    {
        var members = new IAttack[] { new DeepFool(new DeepFoolOptions { Steps = 1, BoundarySteps = 0 }), new Ddn(new DdnOptions { Steps = 20 }), new Fmn(new FmnOptions { Steps = 20 }) };
        EnsembleRun run = new EnsembleAttack(AttackNorm.L2, members).RunEach(s_model, s_data, s_all);
        Assert.Equal(["deepfool-l2", "ddn", "fmn-l2"], run.Members);
        for (int e = 0; e < Examples; e++)
        {
            AttackResult[] own = run.ByMember.Select(m => m[e]).ToArray();
            double least = own.Where(r => r.Success).Min(r => r.L2);
            Assert.Equal(least, run.Best[e].L2);
            Assert.Equal(own.First(r => r.Success && r.L2 == least).Attack, run.Best[e].Attack);
            Assert.Equal(own.Sum(r => r.Gradients), run.Best[e].Gradients);
            Assert.Equal(own.Sum(r => r.Forwards), run.Best[e].Forwards);
        }

        // The three members do not agree everywhere, so the minimum draws on more than one of them.
        Assert.True(run.Best.Select(r => r.Attack).Distinct().Count() > 1);
    }

    [Fact]
    public void The_robustness_curve_of_a_minimum_norm_attack_brackets_the_exact_curve()
    {
        AttackResult[] results = new Fmn().Run(s_binary, s_binaryData, s_all);
        double[] exact = s_all.Select(e => s_binary.MinimumDistortion(s_binaryData.Sample(e), s_binaryData.Labels[e], true).Distance).ToArray();
        double[] grid = Robustness.Grid(1.2 * exact.Max(), 25);
        RobustnessPoint[] curve = Robustness.FromMinimumNorm(results, AttackNorm.L2, grid);
        Assert.Equal(grid, curve.Select(p => p.Epsilon));
        Assert.Equal(1.0, curve[0].Accuracy);
        Assert.Equal(0.0, curve[^1].Accuracy);
        foreach (RobustnessPoint point in curve)
        {
            // The attack's distortions are at least the exact ones and at most 1% above them.
            double upper = exact.Count(d => d > point.Epsilon / 1.01) / (double)Examples;
            double lower = exact.Count(d => d > point.Epsilon) / (double)Examples;
            Assert.InRange(point.Accuracy, lower, upper);
        }
    }

    [Fact]
    public void Fixed_budget_curve_is_the_clean_accuracy_at_zero_and_falls_to_zero()
    {
        double[] exact = s_all.Select(e => s_model.MinimumDistortion(s_data.Sample(e), s_data.Labels[e], false).Distance).ToArray();
        double[] grid = [0, 0.99 * exact.Min(), 3 * exact.Max()];
        RobustnessPoint[] curve = Robustness.FromFixedBudget(s_model, s_data, s_all, grid, eps => new Pgd(new PgdOptions { Epsilon = eps, Restarts = 2 }));
        Assert.Equal([1.0, 1.0, 0.0], curve.Select(p => p.Accuracy));
    }

    [Theory]
    [InlineData("pgd-linf")]
    [InlineData("deepfool-l2")]
    [InlineData("ddn")]
    [InlineData("fmn-linf")]
    [InlineData("cw-l2")]
    public void Attack_steps_allocate_nothing_after_warm_up(string name)
    {
        // The same run with five times the steps allocates the same: nothing is allocated per step.
        IAttack Few() => name switch
        {
            "pgd-linf" => new Pgd(new PgdOptions { Epsilon = 0.001, Steps = 10, RandomStart = false }),
            "deepfool-l2" => new DeepFool(new DeepFoolOptions { Steps = 1, Overshoot = 0 }),
            "ddn" => new Ddn(new DdnOptions { Steps = 10 }),
            "fmn-linf" => new Fmn(new FmnOptions { Norm = AttackNorm.LInf, Steps = 10 }),
            _ => new CarliniWagner(new CarliniWagnerOptions { Steps = 10, BinarySteps = 1 }),
        };
        IAttack Many() => name switch
        {
            "pgd-linf" => new Pgd(new PgdOptions { Epsilon = 0.001, Steps = 50, RandomStart = false }),
            "deepfool-l2" => new DeepFool(new DeepFoolOptions { Steps = 5, Overshoot = 0 }),
            "ddn" => new Ddn(new DdnOptions { Steps = 50 }),
            "fmn-linf" => new Fmn(new FmnOptions { Norm = AttackNorm.LInf, Steps = 50 }),
            _ => new CarliniWagner(new CarliniWagnerOptions { Steps = 50, BinarySteps = 1 }),
        };
        var execution = new AttackExecution { BatchSize = Examples, Threads = 1 };
        IAttack few = Few(), many = Many();
        few.Run(s_model, s_data, s_all, execution: execution);
        many.Run(s_model, s_data, s_all, execution: execution);
        long extra = long.MaxValue;
        for (int window = 0; window < 3 && extra > 0; window++)
        {
            long a = GC.GetAllocatedBytesForCurrentThread();
            few.Run(s_model, s_data, s_all, execution: execution);
            long b = GC.GetAllocatedBytesForCurrentThread();
            AttackResult[] r = many.Run(s_model, s_data, s_all, execution: execution);
            long c = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(r.Max(x => x.Gradients) > 1);
            extra = (c - b) - (b - a);
        }

        Assert.True(extra <= 0, $"{extra} more bytes with more steps");
    }
}

