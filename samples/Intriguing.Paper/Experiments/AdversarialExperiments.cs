using System.Diagnostics;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Reporting;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>Distortion statistics of one model's adversarial set.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Attempted">Examples attacked (those the model classified correctly).</param>
/// <param name="Succeeded">Examples for which an adversarial example was found and verified.</param>
/// <param name="MeanDistortion">Mean RMS distortion over the successes.</param>
/// <param name="StdDevDistortion">Standard deviation of the distortion.</param>
/// <param name="Ci95">Half-width of the 95% confidence interval of the mean (1.96·sd/√n).</param>
/// <param name="PaperDistortion">The paper's figure.</param>
/// <param name="MedianMilliseconds">Median time per example (for <c>Every</c>: all nine targets).</param>
/// <param name="MeanEvaluations">Mean network evaluations per example.</param>
/// <param name="RandomTargetSucceeded">Successes with a seeded random wrong target per example.</param>
/// <param name="RandomTargetDistortion">Mean distortion with random targets (the examples of the cross-model tables).</param>
/// <param name="RandomTargetCi95">Half-width of its 95% confidence interval.</param>
/// <param name="RandomTargetMedianMilliseconds">Median time per random-target example.</param>
public sealed record DistortionStats(string Model, int Attempted, int Succeeded, double MeanDistortion, double StdDevDistortion, double Ci95, double PaperDistortion, double MedianMilliseconds, double MeanEvaluations,
    int RandomTargetSucceeded, double RandomTargetDistortion, double RandomTargetCi95, double RandomTargetMedianMilliseconds);

/// <summary>One row of a cross-model table: the error of every model on one set of examples.</summary>
/// <param name="Name">What the examples are (e.g. "made for FC100-100-10", "Gaussian noise σ=0.1").</param>
/// <param name="Errors">Error of each column model, as fractions.</param>
/// <param name="Distortion">Mean RMS distortion of the set.</param>
/// <param name="PaperErrors">The paper's row, where it has one.</param>
/// <param name="PaperDistortion">The paper's distortion for the row.</param>
public sealed record CrossRow(string Name, double[] Errors, double Distortion, double[]? PaperErrors, double? PaperDistortion);

/// <summary>A cross-model table (the paper's Tables 2 and 4).</summary>
/// <param name="Title">Title.</param>
/// <param name="Columns">The models tested.</param>
/// <param name="Rows">The sets of examples.</param>
public sealed record CrossTable(string Title, string[] Columns, List<CrossRow> Rows);

/// <summary>Everything the adversarial sections measured.</summary>
public sealed record AdversarialResults
{
    /// <summary>Examples drawn per model (before dropping misclassified ones).</summary>
    public required int Count { get; init; }

    /// <summary>Attack settings.</summary>
    public required string Settings { get; init; }

    /// <summary>Table 1's distortion column (adversarial sets made from training examples).</summary>
    public required List<DistortionStats> Table1 { get; init; }

    /// <summary>Table 2.</summary>
    public required CrossTable Table2 { get; init; }

    /// <summary>Table 3's distortion column (adversarial sets made from test examples).</summary>
    public required List<DistortionStats> Table3 { get; init; }

    /// <summary>Table 4.</summary>
    public required CrossTable Table4 { get; init; }

    /// <summary>Figure files (relative to the output folder), one per model.</summary>
    public required List<string> Figures { get; init; }

    /// <summary>Wall time of the adversarial sections, seconds.</summary>
    public required double Seconds { get; init; }
}

/// <summary>The paper's adversarial experiments: Table 1's distortion column, Table 2, Tables 3 and 4, the figures.</summary>
public static class AdversarialExperiments
{
    private static readonly string[] s_table1 = { "FC10(1e-4)", "FC10(1e-2)", "FC10(1)", "FC100-100-10", "FC200-200-10", "AE400-10" };
    private static readonly string[] s_table3 = { "FC100-100-10 (P1)", "FC123-456-10 (P1)", "FC100-100-10' (P2)" };

    private static readonly double[][] s_paperTable2 =
    {
        new[] { 1.00, 0.117, 0.227, 0.02, 0.039, 0.027 },
        new[] { 0.871, 1.00, 0.352, 0.359, 0.273, 0.098 },
        new[] { 0.719, 0.762, 1.00, 0.481, 0.47, 0.344 },
        new[] { 0.289, 0.137, 0.211, 1.00, 0.066, 0.02 },
        new[] { 0.382, 0.14, 0.238, 0.203, 1.00, 0.027 },
        new[] { 0.234, 0.16, 0.248, 0.094, 0.066, 1.00 },
        new[] { 0.05, 0.101, 0.183, 0, 0, 0.008 },
        new[] { 0.156, 0.113, 0.227, 0.05, 0.043, 0.031 },
    };

    private static readonly double[][] s_paperTable4 =
    {
        new[] { 1.00, 0.262, 0.059 },
        new[] { 0.0625, 1.00, 0.051 },
        new[] { 0.082, 0.082, 1.00 },
        new[] { 0.022, 0.026, 0.024 },
        new[] { 1.00, 0.98, 0.43 },
        new[] { 0.96, 1.00, 0.22 },
        new[] { 0.27, 0.50, 1.00 },
        new[] { 0.026, 0.028, 0.027 },
    };

    private static readonly double[] s_paperTable4Distortion = { 0.062, 0.059, 0.058, 0.06, 0.1, 0.1, 0.1, 0.1 };

    /// <summary>The attack settings used by the experiments (the defaults of <see cref="AttackOptions"/>).</summary>
    public static readonly AttackOptions Attack = new();

    /// <summary>Runs every adversarial section on the trained models.</summary>
    /// <param name="models">Trained networks by catalog name.</param>
    /// <param name="data">MNIST.</param>
    /// <param name="count">Examples drawn per model and table.</param>
    /// <param name="seed">Seed of the example draw, random targets and noise.</param>
    /// <param name="threads">Threads for the attacks.</param>
    /// <param name="outputDirectory">Where the figures go.</param>
    /// <param name="log">One line per step.</param>
    /// <param name="cancellationToken">Stops between examples.</param>
    public static AdversarialResults Run(IReadOnlyDictionary<string, INetwork> models, MnistData data, int count, ulong seed, int threads, string outputDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        var figures = new List<string>();

        int[] trainDraw = TrainDraw(data, count, seed);
        int[] testDraw = Draw(data.Test.Count, count, SeededRandom.Derive(seed, 0xA2));
        var (t1, t2) = CrossSection("Table 2 — adversarial examples made from training examples, evaluated on every model", s_table1, models, data.Train, trainDraw,
            new[] { 0.1, 0.3 }, rows: null, seed, threads, outputDirectory, figures, log, cancellationToken);
        for (int r = 0; r < t2.Rows.Count; r++) t2.Rows[r] = t2.Rows[r] with { PaperErrors = s_paperTable2[r], PaperDistortion = r < 6 ? Catalog.Find(s_table1[r])!.PaperDistortion : new[] { 0.1, 0.3 }[r - 6] };
        var (t3, t4) = CrossSection("Table 4 — adversarial examples made from test examples for the P1/P2 models", s_table3, models, data.Test, testDraw,
            new[] { 0.06, 0.1 }, rows: 0.1, seed, threads, outputDirectory, figures, log, cancellationToken);
        for (int r = 0; r < t4.Rows.Count; r++) t4.Rows[r] = t4.Rows[r] with { PaperErrors = s_paperTable4[r], PaperDistortion = s_paperTable4Distortion[r] };

        return new AdversarialResults
        {
            Count = count,
            Settings = Describe(Attack),
            Table1 = t1,
            Table2 = t2,
            Table3 = t3,
            Table4 = t4,
            Figures = figures,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>The training examples drawn for Table 1 and Table 2.</summary>
    public static int[] TrainDraw(MnistData data, int count, ulong seed) => Draw(data.Train.Count, count, SeededRandom.Derive(seed, 0xA1));

    /// <summary>The attack settings as one line.</summary>
    public static string Describe(AttackOptions a) => string.Create(CultureInfo.InvariantCulture,
        $"untargeted minimum distortion = best over the 9 wrong targets; the cross-model tables use one seeded random wrong target per example; per target: minimise c·‖r‖² + cross-entropy(x + r, target) over [0,1]^784 with L-BFGS-B (m = {a.HistorySize}, ≤ {a.MaxIterations} iterations, ≤ {a.MaxEvaluations} evaluations per run); c from {a.InitialC} ×/÷ {a.GrowthFactor} until bracketed (≤ {a.BracketSteps} steps), then {a.BisectionSteps} {(a.InterpolateC ? "interpolation (regula falsi on the end point's margin in ln c)" : "geometric bisection")} steps towards the largest successful c{(a.WarmStart ? ", each run starting where the previous one ended" : "")}; the best success at any evaluation is kept and moved back along the segment towards the decision boundary ({LbfgsAttack.RefinementSteps} bisections), keeping the target's probability at least {1 + LbfgsAttack.DecisionMargin} times any other so that the decision does not depend on rounding");

    /// <summary>The seeded draw of <paramref name="count"/> example indices out of <paramref name="population"/>.</summary>
    public static int[] Draw(int population, int count, ulong seed)
    {
        int[] order = Enumerable.Range(0, population).ToArray();
        new SeededRandom(seed).Shuffle(order.AsSpan());
        return order[..Math.Min(count, population)];
    }

    /// <summary>Attacks each model on the drawn examples it classifies correctly; builds the cross-model table.</summary>
    private static (List<DistortionStats> Stats, CrossTable Table) CrossSection(string title, string[] names, IReadOnlyDictionary<string, INetwork> models, Dataset source, int[] draw,
        double[] sigmas, double? rows, ulong seed, int threads, string outputDirectory, List<string> figures, TextWriter log, CancellationToken cancellationToken)
    {
        INetwork[] nets = names.Select(n => models[n]).ToArray();
        var stats = new List<DistortionStats>();
        var table = new CrossTable(title, names, new List<CrossRow>());
        var sets = new List<(Dataset Clean, Dataset Adversarial)>();
        foreach (string name in names)
        {
            IClassifier net = models[name].AsClassifier();
            var attack = new LbfgsAttack(net, Attack);
            int[] correct = draw.Where(i => attack.Predict(source.Sample(i)) == source.Labels[i]).ToArray();
            var clock = Stopwatch.StartNew();
            AttackResult[] results = AttackRunner.Run(net, source, correct, TargetPolicy.Every, Attack, seed, threads, cancellationToken: cancellationToken);
            AttackResult[] random = AttackRunner.Run(net, source, correct, TargetPolicy.Random, Attack, seed, threads, cancellationToken: cancellationToken);
            AttackStatistics every = AttackStatistics.Of(results), one = AttackStatistics.Of(random);
            var (mean, ci, median) = (every.MeanDistortion, every.Ci95, every.MedianMilliseconds);
            var (rmean, rci, rmedian) = (one.MeanDistortion, one.Ci95, one.MedianMilliseconds);
            AttackResult[] ok = random.Where(r => r.Success).ToArray();
            stats.Add(new DistortionStats(name, correct.Length, every.Succeeded, mean, every.StdDevDistortion, ci,
                Catalog.Find(name)!.PaperDistortion, median, every.MeanEvaluations,
                ok.Length, rmean, rci, rmedian));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {stats[^1].Succeeded}/{correct.Length} attacked; untargeted minimum distortion {mean:F4} ± {ci:F4}, random target {rmean:F4} ± {rci:F4} (paper {stats[^1].PaperDistortion}); median {median:F0} ms (9 targets) and {rmedian:F0} ms (one target) per example; {clock.Elapsed.TotalSeconds:F1} s"));

            Dataset clean = source.Subset(ok.Select(r => r.Index).ToArray(), "clean");
            var adversarial = new Dataset($"made for {name}", ok.SelectMany(r => r.Adversarial).ToArray(), ok.Select(r => r.Label).ToArray(), source.SampleLength, source.Classes);
            sets.Add((clean, adversarial));
            table.Rows.Add(new CrossRow($"made for {name}", nets.Select(n => Evaluation.ErrorRate(n, adversarial)).ToArray(), rmean, null, null));
            if (Figure(name, ok, source, outputDirectory) is { } figure) figures.Add(figure);
        }

        Dataset drawn = source.Subset(draw, "drawn");
        if (rows is { } magnify)
        {
            // Tables 3/4 order: the sets, Gaussian σ₀, the magnified sets, Gaussian σ₁.
            AddNoise(table, nets, drawn, sigmas[0], seed);
            foreach (var (clean, adversarial) in sets)
            {
                var (magnified, rms) = Distortions.Magnify(clean, adversarial, magnify);
                table.Rows.Add(new CrossRow($"{adversarial.Name}, magnified to RMS {magnify.ToString(CultureInfo.InvariantCulture)}", nets.Select(n => Evaluation.ErrorRate(n, magnified)).ToArray(), rms, null, null));
            }

            AddNoise(table, nets, drawn, sigmas[1], seed);
        }
        else
        {
            foreach (double sigma in sigmas) AddNoise(table, nets, drawn, sigma, seed);
        }

        return (stats, table);
    }

    private static void AddNoise(CrossTable table, INetwork[] nets, Dataset clean, double sigma, ulong seed)
    {
        var (noisy, rms) = Distortions.Gaussian(clean, sigma, SeededRandom.Derive(seed, (ulong)(sigma * 1000)));
        table.Rows.Add(new CrossRow($"Gaussian noise σ={sigma.ToString(CultureInfo.InvariantCulture)} (clipped)", nets.Select(n => Evaluation.ErrorRate(n, noisy)).ToArray(), rms, null, null));
    }

    /// <summary>Like the paper's Fig. 5/7: the first eight examples of the set (original, difference ×10, adversarial).</summary>
    private static string? Figure(string name, AttackResult[] ok, Dataset source, string outputDirectory)
    {
        if (ok.Length == 0) return null;
        string file = "adversarial-" + Catalog.FileName(name) + ".png";
        Directory.CreateDirectory(outputDirectory);
        AdversarialFigure.Save(Path.Combine(outputDirectory, file), ok.Take(8).Select(r => (source.Sample(r.Index).ToArray(), r.Adversarial, r.Label, r.Predicted)).ToList());
        return file;
    }
}
