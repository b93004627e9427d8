using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Paper;
using Spectre.Console;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing certify</c>: certified radii of test examples by bound propagation (CROWN by default).</summary>
internal static class CertifyCommand
{
    /// <summary>Makes the <c>certify</c> command with its options and action.</summary>
    public static Command Create()
    {
        var normOption = new Option<string>("--norm") { Description = "Norm of the radius: 2 (L2) or inf (L∞).", DefaultValueFactory = _ => "2" };
        normOption.AcceptOnlyFromAmong("2", "inf");
        var methodOption = new Option<string>("--method") { Description = "Bounds: crown (tightest), crown-ibp (interval activations, CROWN margins) or interval.", DefaultValueFactory = _ => "crown" };
        methodOption.AcceptOnlyFromAmong("crown", "crown-ibp", "interval");
        var epsilonOption = new Option<double?>("--epsilon") { Description = "Also report the certified accuracy at this radius (pixels in [0, 1])." };
        CommonOptions.Validate(epsilonOption, r => { if (r.GetValueOrDefault<double?>() is { } e && !(e >= 0 && double.IsFinite(e))) r.AddError("--epsilon must be a finite number ≥ 0."); });
        var toleranceOption = new Option<double>("--tolerance") { Description = "Relative tolerance of the radius search.", DefaultValueFactory = _ => 1e-3 };
        CommonOptions.Validate(toleranceOption, r => { double t = r.GetValueOrDefault<double>(); if (!(t > 0 && t < 1)) r.AddError("--tolerance must be in (0, 1)."); });
        var refineOption = new Option<int>("--refinements") { Description = "Extra margin passes with the relaxations re-touched at the worst margin's minimiser (0 = plain CROWN).", DefaultValueFactory = _ => 1 };
        CommonOptions.Validate(refineOption, r => { int v = r.GetValueOrDefault<int>(); if (v is < 0 or > 100) r.AddError("--refinements must be between 0 and 100."); });
        var alphaOption = new Option<int>("--alpha-steps") { Description = "Projected gradient steps on the relaxations' tangent points and ReLU slopes, per margin and per intermediate bound of a dense layer (α-CROWN; 0 = none; costs many propagations).", DefaultValueFactory = _ => 0 };
        CommonOptions.Validate(alphaOption, r => { int v = r.GetValueOrDefault<int>(); if (v is < 0 or > 1000) r.AddError("--alpha-steps must be between 0 and 1000."); });
        var certify = new Command("certify", "Certified radii of test examples: the largest L2 or L∞ perturbation (inside the pixel box) proved not to change the decision, by CROWN bound propagation; writes OUT/certify-<model>-<norm>.json.")
        {
            CommonOptions.Model, normOption, methodOption, refineOption, alphaOption, CommonOptions.Count, epsilonOption, toleranceOption, CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet, CommonOptions.Checkpoint,
        };
        Sharding.AddTo(certify);
        certify.SetAction(parse => Cli.Guard(() =>
        {
            ModelEntry entry = Catalog.Find(parse.GetValue(CommonOptions.Model)!)!;
            string output = parse.GetValue(CommonOptions.Out)!;
            ShardSpec? part = Sharding.Merging is null ? Sharding.Resolve(parse) : null;
            Cli.PrepareOutput(output, shared: part is not null);
            string? checkpoint = parse.GetValue(CommonOptions.Checkpoint);
            if (part is not null || Sharding.Merging is not null) checkpoint = Sharding.RequireCheckpoint(checkpoint ?? Cli.DefaultCheckpoint(output, entry.Name), entry.Name, output);
            ShardRun? shard = ShardRun.For(parse, "certify", output, checkpoint);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = output, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            INetwork trained = Cli.TrainedModel(entry, options, checkpoint, parse.GetValue(CommonOptions.Quiet));
            if (trained is not ICertifiable net) throw new CliException($"{entry.Name} has a layer kind without bounds; it cannot be certified.");
            var certifyOptions = new CertifyOptions
            {
                Norm = parse.GetValue(normOption) == "inf" ? PerturbationNorm.LInfinity : PerturbationNorm.L2,
                Method = parse.GetValue(methodOption) switch { "crown-ibp" => BoundMethod.CrownInterval, "interval" => BoundMethod.Interval, _ => BoundMethod.Crown },
                RelativeTolerance = parse.GetValue(toleranceOption),
                Threads = options.Threads,
                MarginRefinements = parse.GetValue(refineOption),
                SlopeSteps = parse.GetValue(alphaOption),
            };
            int count = Math.Min(parse.GetValue(CommonOptions.Count), data.Test.Count);
            int[] draw = CertificationExperiments.TestDraw(data.Test, count, options.Seed);
            string job = $"certify-{Catalog.FileName(entry.Name)}-{(certifyOptions.Norm == PerturbationNorm.L2 ? "l2" : "linf")}";
            var watch = Stopwatch.StartNew();
            CertifiedRadius[] radii = null!;
            if (shard?.Part is { } shardPart)
            {
                // This shard's block of the draw; every example is certified on its own.
                DateTime started = DateTime.UtcNow;
                var block = shardPart.Range(draw.Length);
                CertifiedRadius[] mine = CertificationExperiments.Certify(net, data.Test, draw[block.Start..block.End], certifyOptions);
                Console.WriteLine(shard.Write(job, draw.Length, block, started, new CertifyShardResults(mine), "test examples"));
                return 0;
            }

            if (shard is not null)
            {
                radii = shard.Results<CertifyShardResults>(job).SelectMany(p => p.Radii).ToArray();
                if (radii.Length != draw.Length) throw new CliException($"The shards of {job} hold {radii.Length} radii, not {draw.Length}.");
            }
            else if (parse.GetValue(CommonOptions.Quiet) || Console.IsOutputRedirected)
            {
                radii = CertificationExperiments.Certify(net, data.Test, draw, certifyOptions);
            }
            else
            {
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask(Markup.Escape($"certifying {entry.Name}"), maxValue: Math.Max(1, draw.Length));
                    radii = CertificationExperiments.Certify(net, data.Test, draw, certifyOptions, new Progress<int>(v => task.Value = v));
                    task.Value = task.MaxValue;
                });
            }

            // Merged: the shards' work time together.
            double seconds = shard?.Merged is { } merged ? merged.Seconds : watch.Elapsed.TotalSeconds;
            string norm = certifyOptions.Norm == PerturbationNorm.L2 ? "L2" : "L∞";
            double[] certified = radii.Where(r => r.Correct).Select(r => r.Radius).OrderBy(r => r).ToArray();
            int correct = certified.Length;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{entry.Name}, {norm}, {certifyOptions.Method}: {correct} of {radii.Length} test examples correct; certified {norm} radius median {CertificationExperiments.Quantile(certified, 0.5):G4} (quartiles {CertificationExperiments.Quantile(certified, 0.25):G4}, {CertificationExperiments.Quantile(certified, 0.75):G4}), mean {(correct > 0 ? certified.Average() : double.NaN):G4}; {1000 * seconds / Math.Max(1, radii.Length):F2} ms per example on {(options.Threads == 0 ? Environment.ProcessorCount : options.Threads)} threads, {radii.Average(r => (double)r.Evaluations):F1} bound propagations each.");
            Console.WriteLine(line);
            double? epsilon = parse.GetValue(epsilonOption);
            if (epsilon is { } e)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Certified accuracy at {norm} radius {e:G4}: {100.0 * radii.Count(r => r.CertifiedAt(e)) / radii.Length:F1} % of {radii.Length} test examples."));
            }

            Directory.CreateDirectory(options.OutputDirectory);
            string path = Path.Combine(options.OutputDirectory, job + ".json");
            string json = JsonSerializer.Serialize(new
            {
                model = entry.Name,
                norm,
                method = certifyOptions.Method.ToString(),
                tolerance = certifyOptions.RelativeTolerance,
                seed = options.Seed,
                seconds,
                results = radii.Select((r, i) => new { example = draw[i], r.Label, r.Prediction, r.Radius, r.WholeBox, r.Evaluations }),
            }, new JsonSerializerOptions { WriteIndented = true });
            RunStore.WriteAtomically(path, json);
            Console.WriteLine($"Details in {path}.");
            return 0;
        }));
        return certify;
    }
}
