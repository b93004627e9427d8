using System.Diagnostics;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;

namespace Intriguing.Paper;

/// <summary>One attack's figures on one model in the head-to-head.</summary>
/// <param name="Attack">The attack's name.</param>
/// <param name="Succeeded">Verified successes.</param>
/// <param name="Optimality">AttackBench-style optimality: area under the per-example best robust-accuracy curve over the area under this attack's, on [0, ε_max] (1 = the best on every example).</param>
/// <param name="MedianL2">Median L2 distortion of the successes.</param>
/// <param name="MeanL2">Mean L2 distortion of the successes.</param>
/// <param name="MeanRms">Mean RMS distortion sqrt(Σ(x′−x)²/n) of the successes (the paper's measure).</param>
/// <param name="Best">Examples on which this attack found the least distortion of all (ties counted for each).</param>
/// <param name="MeanGradients">Forward-and-backward passes per example.</param>
/// <param name="MeanForwards">Forward passes per example besides those.</param>
/// <param name="Seconds">Wall time of the attack on all the examples.</param>
public sealed record HeadToHeadRow(string Attack, int Succeeded, double Optimality, double MedianL2, double MeanL2, double MeanRms, int Best, double MeanGradients, double MeanForwards, double Seconds);

/// <summary>The head-to-head on one model.</summary>
/// <param name="Model">The model.</param>
/// <param name="Attacked">Correctly classified examples attacked.</param>
/// <param name="EnsembleMeanRms">Mean RMS distortion of the per-example best over every attack.</param>
/// <param name="PaperDistortion">The paper's average minimum distortion (NaN where it gives none).</param>
/// <param name="Rows">One row per attack.</param>
public sealed record HeadToHeadModel(string Model, int Attacked, double EnsembleMeanRms, double PaperDistortion, List<HeadToHeadRow> Rows);

/// <summary>The head-to-head section: every minimum-norm attack on the same examples at matched budgets.</summary>
/// <param name="Count">Training examples drawn per model.</param>
/// <param name="Budget">The budget of forward-and-backward passes per example the attacks were set to.</param>
/// <param name="Settings">The attacks' settings.</param>
/// <param name="Models">One entry per model.</param>
/// <param name="Seconds">Wall time of the section.</param>
public sealed record HeadToHeadResults(int Count, int Budget, string Settings, List<HeadToHeadModel> Models, double Seconds);

/// <summary>
/// Szegedy et al.'s box-constrained L-BFGS against DeepFool, C&amp;W, DDN and FMN (L2, untargeted) on each Table 1
/// model and MNIST-Conv, over the examples of Table 1 (the same draw from the training set), at matched budgets of
/// forward-and-backward passes; scored by AttackBench-style optimality (Cinà et al.).
/// </summary>
public static class HeadToHeadExperiment
{
    /// <summary>The attacks at a budget of <paramref name="budget"/> forward-and-backward passes per example.</summary>
    /// <remarks>
    /// DDN takes one gradient per step; FMN and C&amp;W two (a logit difference); DeepFool ten per step (one per label) and
    /// stops at its first success, so it never uses its budget; L-BFGS is the paper's attack with its own search over c
    /// (its evaluations are reported, not capped).
    /// </remarks>
    public static IAttack[] Attacks(int budget) =>
    [
        new LbfgsMinimumNormAttack(AdversarialExperiments.Attack),
        new DeepFool(new DeepFoolOptions { Steps = Math.Max(1, budget / 10) }),
        new CarliniWagner(new CarliniWagnerOptions { BinarySteps = 5, Steps = Math.Max(1, budget / 10), LearningRate = 0.05, InitialConst = 0.1 }),
        new Ddn(new DdnOptions { Steps = budget }),
        new Fmn(new FmnOptions { Steps = Math.Max(1, budget / 2) }),
    ];

    /// <summary>The settings line of the report.</summary>
    public static string Describe(int budget) => string.Create(CultureInfo.InvariantCulture,
        $"budget {budget} forward-and-backward passes per example: DeepFool-L2 ≤ {Math.Max(1, budget / 10)} steps of 10 gradients (overshoot 0.02); C&W-L2 5 values of c from 0.1, {Math.Max(1, budget / 10)} Adam steps each at learning rate 0.05 (2 gradients per step); DDN {budget} steps (γ 0.05, ε₀ 1); FMN-L2 {Math.Max(1, budget / 2)} steps (2 gradients per step, α₀ 1, γ₀ 0.05); L-BFGS: the paper's attack ({AdversarialExperiments.Describe(AdversarialExperiments.Attack)}), untargeted over the nine targets, not capped. Every minimum-norm result then takes 10 bisection steps towards the clean example (forward passes)");

    /// <summary>Runs the head-to-head on <paramref name="names"/> over <paramref name="count"/> seeded training examples.</summary>
    public static HeadToHeadResults Run(IReadOnlyDictionary<string, INetwork> models, IReadOnlyList<string> names, MnistData data, int count, int budget, ulong seed, int threads, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        int[] draw = AdversarialExperiments.TrainDraw(data, count, seed);
        var execution = new AttackExecution { Threads = threads, CancellationToken = cancellationToken };
        var entries = new List<HeadToHeadModel>();
        foreach (string name in names)
        {
            if (!models.TryGetValue(name, out INetwork? network)) continue;
            IClassifier net = network.AsClassifier();
            int[] correct = LayerSpaceAttack.Correct(net, data.Train.Subset(draw, "draw"), new AttackOptions()).Select(i => draw[i]).ToArray();
            var byAttack = new List<(IAttack Attack, AttackResult[] Results, double Seconds)>();
            foreach (IAttack attack in Attacks(budget))
            {
                var watch = Stopwatch.StartNew();
                AttackResult[] results = attack.Run(net, data.Train, correct, null, execution);
                byAttack.Add((attack, results, watch.Elapsed.TotalSeconds));
            }

            HeadToHeadModel entry = Score(name, correct.Length, Catalog.Find(name)?.PaperDistortion ?? double.NaN, byAttack, data.Train.SampleLength);
            entries.Add(entry);
            foreach (HeadToHeadRow row in entry.Rows)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} head-to-head, {row.Attack}: {row.Succeeded}/{entry.Attacked}, optimality {row.Optimality:F3}, median L2 {row.MedianL2:F4}, {row.MeanGradients:F0} gradients per example, {row.Seconds:F1} s"));
            }
        }

        return new HeadToHeadResults(count, budget, Describe(budget), entries, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The median of sorted values (the mean of the middle two for an even count); NaN if empty.</summary>
    public static double Median(double[] sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    /// <summary>
    /// Per-attack figures and optimality from the attacks' results on the same examples. A failure counts as distortion
    /// ε_max (the largest distortion any attack found), so that its curve ends at zero like the best one's.
    /// </summary>
    public static HeadToHeadModel Score(string model, int attacked, double paperDistortion, IReadOnlyList<(IAttack Attack, AttackResult[] Results, double Seconds)> byAttack, int sampleLength)
    {
        ArgumentNullException.ThrowIfNull(byAttack);
        int n = attacked;
        double max = byAttack.SelectMany(a => a.Results).Where(r => r.Success).Select(r => r.L2).DefaultIfEmpty(0).Max();
        double[] best = new double[n];
        for (int i = 0; i < n; i++) best[i] = byAttack.Select(a => a.Results[i]).Where(r => r.Success).Select(r => r.L2).DefaultIfEmpty(max).Min();
        double bestArea = best.Sum();
        var rows = new List<HeadToHeadRow>();
        foreach (var (attack, results, seconds) in byAttack)
        {
            double[] l2 = results.Where(r => r.Success).Select(r => r.L2).Order().ToArray();
            double area = results.Sum(r => r.Success ? Math.Min(r.L2, max) : max);
            int wins = Enumerable.Range(0, n).Count(i => results[i].Success && results[i].L2 <= best[i]);
            rows.Add(new HeadToHeadRow(
                attack.Name,
                l2.Length,
                area > 0 ? bestArea / area : double.NaN,
                Median(l2),
                l2.Length > 0 ? l2.Average() : double.NaN,
                l2.Length > 0 ? l2.Average() / Math.Sqrt(sampleLength) : double.NaN,
                wins,
                results.Length > 0 ? results.Average(r => r.Gradients) : 0,
                results.Length > 0 ? results.Average(r => r.Forwards) : 0,
                seconds));
        }

        return new HeadToHeadModel(model, n, n > 0 ? best.Average() / Math.Sqrt(sampleLength) : double.NaN, paperDistortion, rows);
    }
}
