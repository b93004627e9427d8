using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary>The <c>robustness</c> command: robust accuracy against the budget ε, from one minimum-norm run (and PGD per ε).</summary>
internal static class RobustnessCommand
{
    /// <summary>Makes the <c>robustness</c> command with its options and action.</summary>
    public static Command Create()
    {
        var maxOption = new Option<double>("--max-epsilon") { Description = "Largest budget of the curve (default: 3 in L2, 0.3 in L∞)." };
        maxOption.Validators.Add(r => { if (r.GetValueOrDefault<double>() < 0) r.AddError("--max-epsilon must be positive."); });
        var pointsOption = new Option<int>("--points") { Description = "Budgets on the curve, evenly spaced from 0.", DefaultValueFactory = _ => 11 };
        pointsOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 2) r.AddError("--points must be at least 2."); });
        var pgdOption = new Option<bool>("--pgd") { Description = "Also run PGD (one run per budget) for comparison." };
        var methodOption = new Option<string>("--method") { Description = "Minimum-norm attack giving the curve: deepfool, ddn, fmn, cw or ensemble.", DefaultValueFactory = _ => "fmn" };
        methodOption.AcceptOnlyFromAmong("deepfool", "ddn", "fmn", "cw", "ensemble");
        var command = new Command("robustness", "Robust accuracy against the perturbation budget ε (L2 or L∞) on test examples: one minimum-norm run gives the whole curve; --pgd adds PGD at each ε.")
        {
            CommonOptions.Model, methodOption, AttackOptionsCli.Norm, maxOption, pointsOption, pgdOption, CommonOptions.Count, AttackOptionsCli.Steps, AttackOptionsCli.Batch,
            CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet, CommonOptions.Checkpoint,
        };
        AttackOptionsCli.ValidateNorm(command, methodOption);
        Sharding.AddTo(command);
        command.SetAction(parse => Cli.Guard(() =>
        {
            ModelEntry entry = Catalog.Find(parse.GetValue(CommonOptions.Model)!)!;
            string output = parse.GetValue(CommonOptions.Out)!;
            ShardSpec? part = Sharding.Merging is null ? Sharding.Resolve(parse) : null;
            // A shard or merge uses the model trained before, never trains it itself.
            string? checkpoint = parse.GetValue(CommonOptions.Checkpoint);
            if (part is not null || Sharding.Merging is not null) checkpoint = Sharding.RequireCheckpoint(checkpoint ?? Cli.DefaultCheckpoint(output, entry.Name), entry.Name, output);
            ShardRun? shard = ShardRun.For(parse, "robustness", output, checkpoint);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = output, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            IClassifier net = Cli.TrainedModel(entry, options, checkpoint, parse.GetValue(CommonOptions.Quiet)).AsClassifier();
            AttackNorm norm = AttackCatalog.ParseNorm(parse.GetValue(AttackOptionsCli.Norm)!);
            double max = parse.GetValue(maxOption) is > 0 and var m ? m : norm == AttackNorm.L2 ? 3 : 0.3;
            int steps = parse.GetValue(AttackOptionsCli.Steps);
            IAttack attack = AttackOptionsCli.Create(parse.GetValue(methodOption)!, norm, 0, 0.1, steps, options.Seed);
            var execution = new AttackExecution { BatchSize = parse.GetValue(AttackOptionsCli.Batch), Threads = options.Threads, CancellationToken = Cli.Cancellation };
            Console.WriteLine(Run(net, entry.Name, data.Test, parse.GetValue(CommonOptions.Count), attack, Robustness.Grid(max, parse.GetValue(pointsOption)), parse.GetValue(pgdOption), steps, options.Seed, execution, options.OutputDirectory, shard));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The curve on <paramref name="count"/> seeded draws of <paramref name="source"/> (all drawn examples; misclassified
    /// ones count as fooled at 0), as a Markdown table; writes a JSON file. As a shard, attacks its block of the draw and
    /// writes that to the shard's file (returning the line saying so); as a merge, takes the attacks from the shards.
    /// </summary>
    public static string Run(IClassifier net, string name, Dataset source, int count, IAttack attack, double[] grid, bool pgd, int steps, ulong seed, AttackExecution execution, string output, ShardRun? shard = null)
    {
        int[] order = Enumerable.Range(0, source.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(seed, 0xA1)).Shuffle(order.AsSpan());
        order = order[..Math.Min(count, order.Length)];
        string job = $"robustness-{Catalog.FileName(name)}-{attack.Name}-{attack.Norm.ToString().ToLowerInvariant()}";
        RobustnessPoint[] PgdCurve(int[] examples) => Robustness.FromFixedBudget(net, source, examples, grid, eps => new Pgd(new PgdOptions { Norm = attack.Norm, Epsilon = eps, Seed = seed, Steps = steps > 0 ? steps : 40 }), execution);
        RobustnessPoint[] curve;
        RobustnessPoint[]? pgdCurve;
        if (shard?.Part is { } part)
        {
            // Each example is attacked on its own (random starts derive from its index), so a block gives the same
            // results as the whole draw; PGD's accuracy is kept as a count of examples not fooled.
            DateTime started = DateTime.UtcNow;
            var block = part.Range(order.Length);
            int[] mine = order[block.Start..block.End];
            AttackResult[] found = attack.Run(net, source, mine, null, execution);
            int[]? robust = pgd && mine.Length > 0 ? PgdCurve(mine).Select(p => (int)Math.Round(p.Accuracy * mine.Length)).ToArray() : pgd ? new int[grid.Length] : null;
            return shard.Write(job, order.Length, block, started, new RobustnessShardResults(found.Select(r => AttackResultRecord.From(r, example: false)).ToArray(), robust), "drawn examples");
        }

        if (shard is not null)
        {
            IReadOnlyList<RobustnessShardResults> parts = shard.Results<RobustnessShardResults>(job);
            AttackResult[] results = parts.SelectMany(p => p.Results).Select(r => r.ToResult()).ToArray();
            if (!results.Select(r => r.Index).SequenceEqual(order)) throw new CliException($"The shards of {job} attacked other examples than this run would; were they made with other data?");
            curve = Robustness.FromMinimumNorm(results, attack.Norm, grid);
            pgdCurve = pgd ? grid.Select((eps, i) => new RobustnessPoint(eps, (double)parts.Sum(p => p.PgdRobust![i]) / order.Length)).ToArray() : null;
        }
        else
        {
            AttackResult[] results = attack.Run(net, source, order, null, execution);
            curve = Robustness.FromMinimumNorm(results, attack.Norm, grid);
            pgdCurve = pgd ? PgdCurve(order) : null;
        }

        Directory.CreateDirectory(output);
        string file = Path.Combine(output, job + ".json");
        RunStore.WriteAtomically(file, JsonSerializer.Serialize(new { model = name, attack = attack.Name, norm = attack.Norm.ToString(), seed, examples = order.Length, curve, pgd = pgdCurve }, new JsonSerializerOptions { WriteIndented = true }));

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{name}: robust accuracy on {order.Length} test examples, {attack.Norm} ({attack.Name}{(pgd ? "; PGD per ε" : "")})");
        table.AppendLine(pgd ? "| ε | " + attack.Name + " | PGD |" : "| ε | " + attack.Name + " |");
        table.AppendLine(pgd ? "| ---: | ---: | ---: |" : "| ---: | ---: |");
        for (int i = 0; i < curve.Length; i++)
        {
            string pgdCell = pgdCurve is null ? "" : string.Create(CultureInfo.InvariantCulture, $" {pgdCurve[i].Accuracy:P1} |");
            table.AppendLine(CultureInfo.InvariantCulture, $"| {curve[i].Epsilon:G4} | {curve[i].Accuracy:P1} |{pgdCell}");
        }

        table.Append("Details in ").Append(file).Append('.');
        return table.ToString();
    }
}
