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
            CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet,
        };
        AttackOptionsCli.ValidateNorm(command, methodOption);
        command.SetAction(parse => Cli.Guard(() =>
        {
            ModelEntry entry = Catalog.Find(parse.GetValue(CommonOptions.Model)!)!;
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = parse.GetValue(CommonOptions.Out)!, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            IClassifier net = ModelTraining.TrainAll(new[] { entry }, options, Console.Out).Networks[entry.Name].AsClassifier();
            AttackNorm norm = AttackCatalog.ParseNorm(parse.GetValue(AttackOptionsCli.Norm)!);
            double max = parse.GetValue(maxOption) is > 0 and var m ? m : norm == AttackNorm.L2 ? 3 : 0.3;
            int steps = parse.GetValue(AttackOptionsCli.Steps);
            IAttack attack = AttackOptionsCli.Create(parse.GetValue(methodOption)!, norm, 0, 0.1, steps, options.Seed);
            var execution = new AttackExecution { BatchSize = parse.GetValue(AttackOptionsCli.Batch), Threads = options.Threads, CancellationToken = Cli.Cancellation };
            Console.WriteLine(Run(net, entry.Name, data.Test, parse.GetValue(CommonOptions.Count), attack, Robustness.Grid(max, parse.GetValue(pointsOption)), parse.GetValue(pgdOption), steps, options.Seed, execution, options.OutputDirectory));
            return 0;
        }));
        return command;
    }

    /// <summary>The curve on <paramref name="count"/> seeded draws of <paramref name="source"/> (all drawn examples; misclassified ones count as fooled at 0), as a Markdown table; writes a JSON file.</summary>
    public static string Run(IClassifier net, string name, Dataset source, int count, IAttack attack, double[] grid, bool pgd, int steps, ulong seed, AttackExecution execution, string output)
    {
        int[] order = Enumerable.Range(0, source.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(seed, 0xA1)).Shuffle(order.AsSpan());
        order = order[..Math.Min(count, order.Length)];
        AttackResult[] results = attack.Run(net, source, order, null, execution);
        RobustnessPoint[] curve = Robustness.FromMinimumNorm(results, attack.Norm, grid);
        RobustnessPoint[]? pgdCurve = pgd
            ? Robustness.FromFixedBudget(net, source, order, grid, eps => new Pgd(new PgdOptions { Norm = attack.Norm, Epsilon = eps, Seed = seed, Steps = steps > 0 ? steps : 40 }), execution)
            : null;

        Directory.CreateDirectory(output);
        string file = Path.Combine(output, $"robustness-{Catalog.FileName(name)}-{attack.Name}-{attack.Norm.ToString().ToLowerInvariant()}.json");
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
