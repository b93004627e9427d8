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
        var attack = new Command("attack", "Adversarial examples for one model: box-constrained L-BFGS with a search over c (the paper's, default) or a standard attack (--method); prints the distortion statistics and writes a figure and a JSON file.")
        {
            UserInputs.Model, targetOption, CommonOptions.Count, allOption, layerOption, sourceOption, AttackOptionsCli.Method, AttackOptionsCli.Norm, AttackOptionsCli.Epsilon, AttackOptionsCli.Steps, AttackOptionsCli.Batch,
            CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet, CommonOptions.Checkpoint,
        };
        UserInputs.AddTo(attack);
        Sharding.AddTo(attack);
        AttackOptionsCli.ValidateNorm(attack, AttackOptionsCli.Method);
        attack.SetAction(parse => Cli.Guard(() =>
        {
            Dataset? file = UserInputs.LoadDataFile(parse);
            UserNetwork? user = UserInputs.Resolve(parse);
            if (user is not null)
            {
                if (Sharding.Merging is not null || Sharding.Resolve(parse) is not null) throw new UsageException("--shard works with the catalogue models (--model), not with --onnx or --assembly.");
                if (user.Network is not IClassifier classifier) throw new InputException($"{user.Name} does not end in a soft-max; the attack needs a classifier");
                Dataset set = file ?? (parse.GetValue(sourceOption) == "test"
                    ? Cli.LoadData(parse).Test
                    : Cli.LoadData(parse).Train);
                UserInputs.CheckFits(classifier, user.Name, set);
                int userLayer = parse.GetValue(layerOption);
                if (userLayer < 0 || userLayer >= classifier.LayerCount) throw new InputException($"--layer must be between 0 (the input) and {classifier.LayerCount - 1} for {user.Name}");

                // The box of the input is the data's declared range (MNIST: [0, 1]); data without one is attacked unbounded.
                ActivationBox box = set.InputRange ?? new ActivationBox(double.NegativeInfinity, double.PositiveInfinity);
                if (set.InputRange is null && userLayer == 0 && !parse.GetValue(CommonOptions.Quiet)) Console.Error.WriteLine($"{set.Name} declares no input range (--range LO:HI): the attack's box is unbounded.");
                ulong userSeed = parse.GetValue(CommonOptions.Seed);
                AttackReport userReport = AttackCommand.Run(classifier, user.Name, set, parse.GetValue(allOption) ? set.Count : parse.GetValue(CommonOptions.Count), parse.GetValue(targetOption), userLayer, userSeed,
                    parse.GetValue(CommonOptions.Threads), parse.GetValue(CommonOptions.Out)!, parse.GetValue(CommonOptions.Quiet), Cli.Cancellation, userLayer == 0 ? box : null);
                Console.WriteLine(userReport.Summary);
                return userReport.Succeeded > 0 ? 0 : 1;
            }

            if (file is not null) throw new InputException("--data FILE works with --onnx or --assembly; catalogue models are attacked on MNIST (give --data a folder, or none)");
            ModelEntry entry = Catalog.Find(parse.GetValue(UserInputs.Model)!)!;
            int layer = parse.GetValue(layerOption), layers = entry.Create(0).LayerCount;
            if (layer < 0 || layer >= layers) throw new UsageException($"--layer must be between 0 (the input) and {layers - 1} for {entry.Name}, not {layer}.");
            string output = parse.GetValue(CommonOptions.Out)!;
            ShardSpec? part = Sharding.Merging is null ? Sharding.Resolve(parse) : null;
            Cli.PrepareOutput(output, shared: part is not null);
            string? checkpoint = parse.GetValue(CommonOptions.Checkpoint);
            if (part is not null || Sharding.Merging is not null) checkpoint = Sharding.RequireCheckpoint(checkpoint ?? Cli.DefaultCheckpoint(output, entry.Name), entry.Name, output);
            ShardRun? shard = ShardRun.For(parse, "attack", output, checkpoint);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = output, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            IClassifier net = Cli.TrainedModel(entry, options, checkpoint, parse.GetValue(CommonOptions.Quiet)).AsClassifier();
            Dataset source = parse.GetValue(sourceOption) == "test" ? data.Test : data.Train;
            string method = parse.GetValue(AttackOptionsCli.Method)!;
            AttackNorm norm = AttackCatalog.ParseNorm(parse.GetValue(AttackOptionsCli.Norm)!);
            if (method != "lbfgs" || norm != AttackNorm.L2)
            {
                IAttack chosen = AttackOptionsCli.Create(method, norm, layer, parse.GetValue(AttackOptionsCli.Epsilon), parse.GetValue(AttackOptionsCli.Steps), options.Seed);
                AttackReport batched = AttackCommand.RunAttack(net, entry.Name, source, parse.GetValue(allOption) ? source.Count : parse.GetValue(CommonOptions.Count), parse.GetValue(targetOption), chosen, options.Seed, new AttackExecution { BatchSize = parse.GetValue(AttackOptionsCli.Batch), Threads = options.Threads, CancellationToken = Cli.Cancellation }, options.OutputDirectory, shard);
                Console.WriteLine(batched.Summary);
                return batched.Succeeded > 0 || part is not null ? 0 : 1;
            }

            AttackReport report = AttackCommand.Run(net, entry.Name, source, parse.GetValue(allOption) ? source.Count : parse.GetValue(CommonOptions.Count), parse.GetValue(targetOption), layer, options.Seed, options.Threads, options.OutputDirectory, parse.GetValue(CommonOptions.Quiet), Cli.Cancellation, shard: shard);
            Console.WriteLine(report.Summary);
            return report.Succeeded > 0 || part is not null ? 0 : 1;
        }));
        return attack;
    }

    /// <summary>
    /// Attacks <paramref name="count"/> seeded draws of <paramref name="source"/> in activation <paramref name="layer"/>'s
    /// space; writes a JSON file (and for the input a figure). As a shard, attacks only its block of the draw and writes
    /// that to the shard's file; as a merge, takes the attacks from the shards.
    /// </summary>
    public static AttackReport Run(IClassifier net, string name, Dataset source, int count, TargetPolicy policy, int layer, ulong seed, int threads, string output, bool quiet, CancellationToken cancellationToken, ActivationBox? box = null, ShardRun? shard = null)
    {
        int[] order = Enumerable.Range(0, source.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(seed, 0xA1)).Shuffle(order.AsSpan());
        order = order[..Math.Min(count, order.Length)];
        string stem = $"attack-{Catalog.FileName(name)}-{Catalog.FileName(source.Name)}-layer{layer}-{policy.ToString().ToLowerInvariant()}";

        // Examples in the attacked space (the activations of the chosen layer, one example per forward pass); the
        // correctly classified ones attacked.
        var options = new AttackOptions { Layer = layer, Lower = box?.Lower, Upper = box?.Upper };
        LayerSpaceAttackResult attacked = null!;
        if (shard is not null)
        {
            // As LayerSpaceAttack.Run does: the input's box is the data's range; the whole draw carried over (each
            // example's random target derives from its position in it), the shard's block attacked.
            if (layer == 0 && options.Lower is null && options.Upper is null && source.InputRange is { } range) options = options with { Lower = range.Lower, Upper = range.Upper };
            Dataset drawn = LayerSpaceAttack.Project(net, source, order, layer, batch: 1);
            int[] classified = LayerSpaceAttack.Correct(net, drawn, options);
            if (shard.Part is { } part)
            {
                DateTime started = DateTime.UtcNow;
                var block = part.Range(order.Length);
                int[] mine = classified.Where(i => i >= block.Start && i < block.End).ToArray();
                AttackResult[] found = AttackRunner.Run(net, drawn, mine, policy, options, seed, threads, cancellationToken: cancellationToken);
                string line = shard.Write(stem, order.Length, block, started, new AttackShardResults(mine, found.Select(r => AttackResultRecord.From(r)).ToArray()), "drawn examples");
                return new AttackReport(mine.Length, found.Count(r => r.Success), double.NaN, double.NaN, double.NaN, double.NaN, line);
            }

            attacked = new LayerSpaceAttackResult(drawn, classified, Merge(shard, stem, classified));
        }
        else if (quiet || Console.IsOutputRedirected)
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
        if (layer == 0 && ok.Length > 0)
        {
            var shown = ok.Take(4).Select(r => (space.Sample(r.Index).ToArray(), r.Adversarial, r.Label, r.Predicted)).ToList();
            IReadOnlyList<int> shape = source.SampleShape ?? [net.InputLength];
            if (net.InputLength == 28 * 28 && shape.Count != 1)
            {
                AdversarialFigure.Save(Path.Combine(output, stem + ".png"), shown);
            }
            else
            {
                // On the attack's box where it is finite, else on the range of the values drawn.
                float low = box is { } b && double.IsFinite(b.Lower) ? (float)b.Lower : shown.Min(e => Math.Min(e.Item1.Min(), e.Adversarial.Min()));
                float high = box is { } c && double.IsFinite(c.Upper) ? (float)c.Upper : shown.Max(e => Math.Max(e.Item1.Max(), e.Adversarial.Max()));
                if (low < high) AdversarialFigure.Save(Path.Combine(output, stem + ".png"), shown, shape, low, high);
            }
        }

        // The adversarial examples beside the JSON, one row per result in its order (the clean example where the attack failed).
        float[] examples = results.SelectMany(r => r.Adversarial).ToArray();
        int width = results.Length == 0 ? space.SampleLength : results[0].Adversarial.Length;
        Intriguing.Data.NumPy.Write(Path.Combine(output, stem + ".npy"), examples, results.Length, width);
        static double? Finite(double v) => double.IsNaN(v) ? null : v;
        var json = results.Select((r, row) => new { example = order[r.Index], row, r.Label, r.Target, r.Success, r.Misclassified, r.Predicted, rms = Finite(r.Distortion), l2 = Finite(r.L2Distortion), C = Finite(r.C), r.Evaluations, r.Seconds });
        RunStore.WriteAtomically(Path.Combine(output, stem + ".json"), JsonSerializer.Serialize(new
        {
            model = name, source = source.Name, examplesFile = stem + ".npy", layer, policy = policy.ToString(), seed, drawn = order.Length, misclassified = order.Length - correct.Length,
            attacked = correct.Length, succeeded = ok.Length, meanRms = Finite(mean), meanL2 = Finite(stats.MeanL2Distortion), results = json,
        }, new JsonSerializerOptions { WriteIndented = true }));

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{name} on {source.Name}, layer {layer}, targets {policy}: {ok.Length} of {correct.Length} correctly classified examples attacked successfully ({results.Length - ok.Length} failures; {order.Length - correct.Length} of {order.Length} drawn were misclassified and left out); mean distortion RMS {mean:F4} ± {ci:F4} (95% CI), L2 {stats.MeanL2Distortion:F4}; median {median:F1} ms and {evaluations:F0} evaluations per example. Details in {Path.Combine(output, stem + ".json")}, examples in {stem}.npy.");
        return new AttackReport(correct.Length, ok.Length, mean, ci, median, evaluations, summary);
    }

    /// <summary>
    /// Attacks the correctly classified ones of <paramref name="count"/> seeded draws of <paramref name="source"/> with
    /// <paramref name="attack"/> (untargeted for <see cref="TargetPolicy.Every"/>, else towards the policy's targets);
    /// writes a JSON file.
    /// </summary>
    public static AttackReport RunAttack(IClassifier net, string name, Dataset source, int count, TargetPolicy policy, IAttack attack, ulong seed, AttackExecution execution, string output, ShardRun? shard = null)
    {
        int[] order = Enumerable.Range(0, source.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(seed, 0xA1)).Shuffle(order.AsSpan());
        order = order[..Math.Min(count, order.Length)];
        string stem = $"attack-{Catalog.FileName(name)}-layer{attack.Layer}-{attack.Name}-{policy.ToString().ToLowerInvariant()}";
        Dataset space = LayerSpaceAttack.Project(net, source, order, attack.Layer);
        int[] correct = LayerSpaceAttack.Correct(net, space, new AttackOptions { Layer = attack.Layer });
        int[]? targets = policy switch
        {
            TargetPolicy.Every => null,
            TargetPolicy.Random => correct.Select(i => AttackRunner.RandomTarget(seed, i, space.Labels[i], net.OutputLength)).ToArray(),
            _ => correct.Select(i => RunnerUp(net, space, i, attack.Layer)).ToArray(),
        };
        if (shard?.Part is { } part)
        {
            // The shard's block of the draw: its correctly classified examples, with their targets.
            DateTime started = DateTime.UtcNow;
            var block = part.Range(order.Length);
            int[] positions = Enumerable.Range(0, correct.Length).Where(k => correct[k] >= block.Start && correct[k] < block.End).ToArray();
            int[] mine = positions.Select(k => correct[k]).ToArray();
            AttackResult[] found = attack.Run(net, space, mine, targets is null ? null : positions.Select(k => targets[k]).ToArray(), execution);
            string line = shard.Write(stem, order.Length, block, started, new AttackShardResults(mine, found.Select(r => AttackResultRecord.From(r)).ToArray()), "drawn examples");
            return new AttackReport(mine.Length, found.Count(r => r.Success), double.NaN, double.NaN, double.NaN, double.NaN, line);
        }

        AttackResult[] results = shard is not null ? Merge(shard, stem, correct) : attack.Run(net, space, correct, targets, execution);
        AttackResult[] ok = results.Where(r => r.Success).ToArray();
        double[] l2 = ok.Select(r => r.L2).Order().ToArray(), linf = ok.Select(r => r.LInf).Order().ToArray();
        double Mean(double[] v) => v.Length == 0 ? double.NaN : v.Average();
        double gradients = results.Length == 0 ? 0 : results.Average(r => r.Gradients), forwards = results.Length == 0 ? 0 : results.Average(r => r.Forwards);
        double seconds = results.Sum(r => r.Seconds);

        Directory.CreateDirectory(output);
        if (attack.Layer == 0 && ok.Length > 0)
        {
            AdversarialFigure.Save(Path.Combine(output, stem + ".png"), ok.Take(4).Select(r => (space.Sample(r.Index).ToArray(), r.Adversarial, r.Label, r.Predicted)).ToList());
        }

        static double? Json(double v) => double.IsNaN(v) ? null : v;
        var json = results.Select(r => new { example = order[r.Index], r.Attack, r.Label, r.Target, r.Success, r.Predicted, L2 = Json(r.L2), LInf = Json(r.LInf), Rms = Json(r.Distortion), r.Forwards, r.Gradients, r.Seconds });
        RunStore.WriteAtomically(Path.Combine(output, stem + ".json"), JsonSerializer.Serialize(new { model = name, layer = attack.Layer, attack = attack.Name, norm = attack.Norm.ToString(), policy = policy.ToString(), seed, attacked = correct.Length, succeeded = ok.Length, results = json }, new JsonSerializerOptions { WriteIndented = true }));

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{name}, layer {attack.Layer}, {attack.Name}, targets {policy}: {ok.Length} of {correct.Length} correctly classified examples fooled; L2 median {HeadToHeadExperiment.Median(l2):F4} mean {Mean(l2):F4}, L∞ median {HeadToHeadExperiment.Median(linf):F4} mean {Mean(linf):F4}; {gradients:F0} gradients and {forwards:F0} forward passes per example; {seconds:F2} s in all. Details in {Path.Combine(output, stem + ".json")}.");
        return new AttackReport(correct.Length, ok.Length, Mean(l2), double.NaN, double.NaN, gradients, summary);
    }

    /// <summary>The shards' attacks in order, checked to be those of <paramref name="correct"/> (the examples this run would attack).</summary>
    private static AttackResult[] Merge(ShardRun shard, string job, int[] correct)
    {
        IReadOnlyList<AttackShardResults> parts = shard.Results<AttackShardResults>(job);
        int[] attacked = parts.SelectMany(p => p.Attacked).ToArray();
        if (!attacked.SequenceEqual(correct)) throw new CliException($"The shards of {job} attacked other examples than this run would ({attacked.Length} against {correct.Length}); were they made with another model or data?");
        return parts.SelectMany(p => p.Results).Select(r => r.ToResult()).ToArray();
    }

    private static int RunnerUp(IClassifier net, Dataset space, int index, int layer)
    {
        var probe = new LbfgsAttack(net, new AttackOptions { Layer = layer });
        return probe.MostLikelyOther(space.Sample(index), space.Labels[index]);
    }

    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
