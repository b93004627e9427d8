using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Reporting;
using Spectre.Console;

namespace Intriguing.Cli.Commands;

/// <summary>What <c>intriguing attack</c> found.</summary>
internal sealed record AttackReport(int Attacked, int Succeeded, double MeanDistortion, double Ci95, double MedianMilliseconds, double MeanEvaluations, string Summary);

/// <summary>The <c>attack</c> command: draws examples, attacks them in parallel, verifies, reports.</summary>
internal static class AttackCommand
{
    /// <summary>Makes the <c>attack</c> command with its options and action.</summary>
    public static Command Create()
    {
        var targetOption = new Option<TargetPolicy>("--target") { Description = "Target labels: Random (seeded), RunnerUp (most likely wrong label) or Every (best over all wrong labels = untargeted minimum distortion).", DefaultValueFactory = _ => TargetPolicy.Every };
        var allOption = new Option<bool>("--all") { Description = "Attack every example of the source set instead of --count drawn ones." };
        var layerOption = new Option<int>("--layer") { Description = "Perturb activation K instead of the input (0): the output of layer K, within that activation's range.", DefaultValueFactory = _ => 0 };
        var sourceOption = new Option<string>("--source") { Description = "Examples from the training set (train, as for Table 1) or the test set (test, as for Table 3).", DefaultValueFactory = _ => "train" };
        sourceOption.AcceptOnlyFromAmong("train", "test");
        var attack = new Command("attack", "Minimum-distortion adversarial examples for one model (box-constrained L-BFGS with a search over c); prints the distortion statistics and writes a figure and a JSON file.")
        {
            CommonOptions.Model, targetOption, CommonOptions.Count, allOption, layerOption, sourceOption, CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet,
        };
        attack.SetAction(parse => Cli.Guard(() =>
        {
            ModelEntry entry = Catalog.Find(parse.GetValue(CommonOptions.Model)!)!;
            int layer = parse.GetValue(layerOption), layers = entry.Create(0).LayerCount;
            if (layer < 0 || layer >= layers) throw new UsageException($"--layer must be between 0 (the input) and {layers - 1} for {entry.Name}, not {layer}.");
            Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = parse.GetValue(CommonOptions.Out)!, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            IClassifier net = ModelTraining.TrainAll(new[] { entry }, options, Console.Out).Networks[entry.Name].AsClassifier();
            Dataset source = parse.GetValue(sourceOption) == "test" ? data.Test : data.Train;
            AttackReport report = AttackCommand.Run(net, entry.Name, source, parse.GetValue(allOption) ? source.Count : parse.GetValue(CommonOptions.Count), parse.GetValue(targetOption), layer, options.Seed, options.Threads, options.OutputDirectory, parse.GetValue(CommonOptions.Quiet), Cli.Cancellation);
            Console.WriteLine(report.Summary);
            return report.Succeeded > 0 ? 0 : 1;
        }));
        return attack;
    }

    /// <summary>Attacks <paramref name="count"/> seeded draws of <paramref name="source"/> in activation <paramref name="layer"/>'s space; writes a JSON file (and for the input a figure).</summary>
    public static AttackReport Run(IClassifier net, string name, Dataset source, int count, TargetPolicy policy, int layer, ulong seed, int threads, string output, bool quiet, CancellationToken cancellationToken)
    {
        int[] order = Enumerable.Range(0, source.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(seed, 0xA1)).Shuffle(order.AsSpan());
        order = order[..Math.Min(count, order.Length)];

        // Examples in the attacked space (the activations of the chosen layer, one example per forward pass); the
        // correctly classified ones attacked.
        var options = new AttackOptions { Layer = layer };
        LayerSpaceAttackResult attacked = null!;
        if (quiet || Console.IsOutputRedirected)
        {
            attacked = LayerSpaceAttack.Run(net, source, order, policy, options, seed, threads, cancellationToken: cancellationToken, batch: 1);
        }
        else
        {
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
            {
                // Examples attacked out of those drawn; the misclassified ones are skipped, so the bar completes at the end.
                ProgressTask task = ctx.AddTask(Markup.Escape($"attacking {name}"), maxValue: Math.Max(1, order.Length));
                attacked = LayerSpaceAttack.Run(net, source, order, policy, options, seed, threads, new Progress(v => task.Value = v), cancellationToken, batch: 1);
                task.Value = task.MaxValue;
            });
        }

        var (space, correct, results) = attacked;
        AttackResult[] ok = results.Where(r => r.Success).ToArray();
        AttackStatistics stats = AttackStatistics.Of(results);
        var (mean, ci, median, evaluations) = (stats.MeanDistortion, stats.Ci95, stats.MedianMilliseconds, stats.MeanEvaluations);

        Directory.CreateDirectory(output);
        string stem = $"attack-{Catalog.FileName(name)}-layer{layer}-{policy.ToString().ToLowerInvariant()}";
        if (layer == 0 && ok.Length > 0)
        {
            AdversarialFigure.Save(Path.Combine(output, stem + ".png"), ok.Take(4).Select(r => (space.Sample(r.Index).ToArray(), r.Adversarial, r.Label, r.Predicted)).ToList());
        }

        var json = results.Select(r => new { example = order[r.Index], r.Label, r.Target, r.Success, r.Predicted, Distortion = double.IsNaN(r.Distortion) ? (double?)null : r.Distortion, C = double.IsNaN(r.C) ? (double?)null : r.C, r.Evaluations, r.Seconds });
        RunStore.WriteAtomically(Path.Combine(output, stem + ".json"), JsonSerializer.Serialize(new { model = name, layer, policy = policy.ToString(), seed, attacked = correct.Length, succeeded = ok.Length, meanDistortion = double.IsNaN(mean) ? (double?)null : mean, results = json }, new JsonSerializerOptions { WriteIndented = true }));

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{name}, layer {layer}, targets {policy}: {ok.Length} of {correct.Length} correctly classified examples attacked successfully ({results.Length - ok.Length} failures); mean distortion {mean:F4} ± {ci:F4} (95% CI); median {median:F1} ms and {evaluations:F0} evaluations per example. Details in {Path.Combine(output, stem + ".json")}.");
        return new AttackReport(correct.Length, ok.Length, mean, ci, median, evaluations, summary);
    }

    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
