using System.CommandLine;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing advtrain</c>: the hidden-layer adversarial-training comparison (Sec. 4.2).</summary>
internal static class AdvTrainCommand
{
    /// <summary>Makes the <c>advtrain</c> command with its options and action.</summary>
    public static Command Create()
    {
        var modelOption = new Option<string>("--model") { Description = $"The architecture compared: {string.Join(", ", AdvTrainModel.All.Select(m => m.Name))} (default {AdvTrainModel.DefaultName}). Its variants derive from its layers: one hidden-layer pool per hidden activation (layer1, layer2, …; MNIST-Conv: after each convolution block and the hidden dense layer). Outputs of another model than {AdvTrainModel.DefaultName} are named advtrain-MODEL.", DefaultValueFactory = _ => AdvTrainModel.DefaultName };
        CommonOptions.Validate(modelOption, r => { if (AdvTrainModel.FindModel(r.GetValueOrDefault<string>() ?? "") is null) r.AddError($"Unknown model '{r.GetValueOrDefault<string>()}' for advtrain. Known: {string.Join(", ", AdvTrainModel.All.Select(m => m.Name))}."); });
        var variantsOption = new Option<string?>("--variants") { Description = $"Comma-separated variants; default the model's six (FC100-100-10: {string.Join(", ", AdversarialTrainingExperiment.Variants.Select(v => $"{v.Id} ({v.Letter})"))}; with three hidden layers layer3 too). Also, only when named: input-dropout, all-dropout (the pools with dropout)." };
        var seedListOption = new Option<string?>("--seeds") { Description = "Comma-separated seeds, one run per variant and seed (default 1,2,3; 1 with --quick)." };
        var advEpochsOption = new Option<int?>("--epochs") { Description = $"Epochs per run (default the model's: {string.Join(", ", AdvTrainModel.All.Select(m => $"{m.Name} {m.Epochs}"))}, four times each catalogue recipe's; 1 with --quick)." };
        var validationOption = new Option<bool>("--validation") { Description = "Tuning mode: train without a fixed tenth of the training set and report the error on it instead of the test set." };
        var certifyCountOption = new Option<int>("--certify-count") { Description = "Also certify the first N examples of the robustness draw (certified L2 radius, CROWN bounds; default 0, none). Stored runs without the figure get it from their checkpoint." };
        var robustCountOption = new Option<int?>("--robustness-count") { Description = "Test examples attacked per run for the robustness figure (default 100; 20 with --quick)." };
        // The comparison's pool defaults in option help: "default X" from DefaultPools, plus "; Y with --quick" where QuickPools differs.
        static string PoolDefault<T>(Func<AdversarialTrainingOptions, T> setting, string note = "")
        {
            T comparison = setting(AdversarialTrainingExperiment.DefaultPools), quick = setting(AdversarialTrainingExperiment.QuickPools);
            string text = string.Create(CultureInfo.InvariantCulture, $"default {comparison}{note}");
            return EqualityComparer<T>.Default.Equals(comparison, quick) ? text : string.Create(CultureInfo.InvariantCulture, $"{text}; {quick} with --quick");
        }

        var poolSizeOption = new Option<int?>("--pool-size") { Description = $"Examples per pool ({PoolDefault(o => o.PoolSize)})." };
        var refreshFractionOption = new Option<double?>("--refresh-fraction") { Description = $"Fraction of a pool regenerated at each refresh ({PoolDefault(o => o.RefreshFraction)})." };
        var refreshPeriodOption = new Option<int?>("--refresh-period") { Description = $"Training steps between refreshes ({PoolDefault(o => o.RefreshPeriod, ", chosen on validation data")}; the library default is {new AdversarialTrainingOptions().RefreshPeriod})." };
        var mixOption = new Option<double?>("--mix") { Description = $"Pool examples per clean example in each batch, over all pools ({PoolDefault(o => o.MixingRatio)})." };
        var overshootOption = new Option<double?>("--overshoot") { Description = "Store each pool example at x + F·r instead of the attack's minimum x + r (clipped to the activation's box), beyond the decision boundary; F at least 1. Replaces the default --pool-distortion." };
        var poolDistortionOption = new Option<double?>("--pool-distortion") { Description = "Store each pool example at RMS distortion D along the attack's minimum perturbation r, x + (D/‖r‖)·r (clipped to the activation's box); 0 stores the minimum example x + r itself; not with --overshoot (default 0.05, chosen on validation data)." };
        var candidatesOption = new Option<int?>("--candidates") { Description = $"Draw K times as many source examples per refresh and attack those nearest the decision boundary (smallest probability margin); 1 draws uniformly ({PoolDefault(o => o.SourceCandidates)})." };
        // The pool settings' names in AdversarialTrainingOptions.Validate's errors, and the options that set them.
        var poolOptionNames = new Dictionary<string, string>
        {
            [nameof(AdversarialTrainingOptions.PoolSize)] = "--pool-size",
            [nameof(AdversarialTrainingOptions.RefreshFraction)] = "--refresh-fraction",
            [nameof(AdversarialTrainingOptions.RefreshPeriod)] = "--refresh-period",
            [nameof(AdversarialTrainingOptions.MixingRatio)] = "--mix",
            [nameof(AdversarialTrainingOptions.Overshoot)] = "--overshoot",
            [nameof(AdversarialTrainingOptions.PoolDistortion)] = "--pool-distortion",
            [nameof(AdversarialTrainingOptions.SourceCandidates)] = "--candidates",
        };
        var warmupOption = new Option<int?>("--warmup") { Description = $"Plain epochs before the first pool refresh ({PoolDefault(o => o.WarmupEpochs)})." };
        var poolAttackOption = new Option<string?>("--pool-attack") { Description = "Attack that makes pool examples: cheap (L-BFGS; c from 1, 4 bracketing and 3 bisection steps, 40 iterations), full (L-BFGS, the reproduction's attack: 8, 7, 100) or ddn (the batched DDN attack, --pool-steps steps; many examples per network call). Default: the model's (FC100-100-10: ddn, 20 steps; FC200-200-10-ReLU and MNIST-Conv: cheap)." };
        poolAttackOption.AcceptOnlyFromAmong("cheap", "full", "ddn");
        var poolStepsOption = new Option<int?>("--pool-steps") { Description = "Gradient steps of the DDN pool attack (default 20)." };
        CommonOptions.Validate(poolStepsOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--pool-steps must be at least 1."); });
        var advLrOption = new Option<float?>("--lr") { Description = string.Create(CultureInfo.InvariantCulture, $"Learning rate of every variant (default the model's: {string.Join(", ", AdvTrainModel.All.Select(m => $"{m.Name} {m.LearningRate ?? m.Recipe.LearningRate:R}"))}).") };
        var advBatchOption = new Option<int?>("--batch") { Description = $"Clean examples per step of every variant (default the model's recipe's: {string.Join(", ", AdvTrainModel.All.Select(m => $"{m.Name} {m.Recipe.BatchSize}"))})." };
        var advMomentumOption = new Option<float?>("--momentum") { Description = string.Create(CultureInfo.InvariantCulture, $"Momentum of every variant (default the model's recipe's: {string.Join(", ", AdvTrainModel.All.Select(m => $"{m.Name} {m.Recipe.Momentum:R}"))}).") };
        CommonOptions.Validate(advBatchOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--batch must be at least 1."); });
        CommonOptions.Validate(advMomentumOption, r => { if (r.GetValueOrDefault<float?>() is { } m && !(m >= 0 && m < 1)) r.AddError("--momentum must be in [0, 1)."); });
        CommonOptions.Validate(warmupOption, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--warmup must be 0 or more epochs."); });
        CommonOptions.Validate(advLrOption, r => { if (r.GetValueOrDefault<float?>() is { } lr && !(lr > 0 && float.IsFinite(lr))) r.AddError("--lr must be positive and finite."); });
        var reportOnlyOption = new Option<bool>("--report-only") { Description = "Train nothing: summarise the finished runs of an interrupted comparison (missing runs are listed)." };
        var advQuickOption = new Option<bool>("--quick") { Description = "Tiny run (1 epoch, one seed, small pools) to check the machinery; labelled as such." };
        var advtrain = new Command("advtrain", "Hidden-layer adversarial training (Sec. 4.2): FC100-100-10 (or --model) with weight decay only, with dropout, and with pools of adversarial examples for the input, hidden layer 1, hidden layer 2 or all (with or without dropout); test error and robustness over seeds, written to OUT/advtrain.md, .json and .png.")
        {
            modelOption, variantsOption, seedListOption, advEpochsOption, advQuickOption, validationOption, reportOnlyOption, robustCountOption, certifyCountOption, poolSizeOption, refreshFractionOption, refreshPeriodOption, mixOption, overshootOption, poolDistortionOption, candidatesOption, warmupOption, poolAttackOption, poolStepsOption, advLrOption, advBatchOption, advMomentumOption, CommonOptions.Data, CommonOptions.Out, CommonOptions.Threads, CommonOptions.Quiet,
        };
        Sharding.AddTo(advtrain);
        advtrain.SetAction(parse => Cli.Guard(() =>
        {
            ShardSpec? part = Sharding.Merging is null ? Sharding.Resolve(parse) : null;
            AdvTrainModel model = AdvTrainModel.FindModel(parse.GetValue(modelOption)!)!;
            string[] variantIds = (parse.GetValue(variantsOption) ?? string.Join(",", model.Variants.Select(v => v.Id))).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (variantIds.Length == 0) throw new UsageException($"--variants needs at least one variant. Known: {string.Join(", ", model.AllVariants.Select(v => v.Id))}.");
            foreach (string id in variantIds)
            {
                if (model.Find(id) is null) throw new UsageException($"Unknown variant '{id}'{(model.IsDefault ? "" : $" of {model.Name}")}. Known: {string.Join(", ", model.AllVariants.Select(v => v.Id))}.");
            }

            ulong[]? seeds = null;
            if (parse.GetValue(seedListOption) is { } seedText)
            {
                try
                {
                    seeds = seedText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new UsageException($"--seeds must be a comma-separated list of integers from 0 to {ulong.MaxValue} (got '{seedText}').");
                }

                if (seeds.Length == 0) throw new UsageException("--seeds needs at least one seed.");
            }

            bool quick = parse.GetValue(advQuickOption);
            AdversarialTrainingOptions pools = quick ? model.QuickPools : model.Pools;
            pools = pools with
            {
                PoolSize = parse.GetValue(poolSizeOption) ?? pools.PoolSize,
                RefreshFraction = parse.GetValue(refreshFractionOption) ?? pools.RefreshFraction,
                RefreshPeriod = parse.GetValue(refreshPeriodOption) ?? pools.RefreshPeriod,
                MixingRatio = parse.GetValue(mixOption) ?? pools.MixingRatio,
                Overshoot = parse.GetValue(overshootOption) ?? pools.Overshoot,
                // --overshoot sizes the stored perturbation by a factor instead: it replaces the default fixed size.
                PoolDistortion = parse.GetValue(poolDistortionOption) ?? (parse.GetValue(overshootOption) is null ? pools.PoolDistortion : 0),
                SourceCandidates = parse.GetValue(candidatesOption) ?? pools.SourceCandidates,
                WarmupEpochs = parse.GetValue(warmupOption) ?? pools.WarmupEpochs,
                Attack = parse.GetValue(poolAttackOption) switch { "full" => new AttackOptions(), "cheap" => AdversarialTrainingOptions.CheapAttack, _ => pools.Attack },
                Ddn = parse.GetValue(poolAttackOption) switch
                {
                    "ddn" => (pools.Ddn ?? new DdnOptions { Steps = 20 }) with { Steps = parse.GetValue(poolStepsOption) ?? pools.Ddn?.Steps ?? 20 },
                    "cheap" or "full" => null,
                    _ => pools.Ddn is { } d && parse.GetValue(poolStepsOption) is { } steps ? d with { Steps = steps } : pools.Ddn,
                },
            };
            if (parse.GetValue(poolStepsOption) is not null && pools.Ddn is null) throw new UsageException("--pool-steps sets the steps of the DDN pool attack; add --pool-attack ddn.");
            try
            {
                pools.Validate(model.Create(1));
            }
            catch (ArgumentException e) when (e.ParamName is { } name && poolOptionNames.TryGetValue(name, out string? option))
            {
                int cut = e.Message.IndexOf(" (Parameter", StringComparison.Ordinal);
                throw new UsageException($"{option}: {(cut >= 0 ? e.Message[..cut] : e.Message)}");
            }

            if (parse.GetValue(advEpochsOption) is < 1) throw new UsageException("--epochs must be at least 1.");
            if (parse.GetValue(robustCountOption) is < 1) throw new UsageException("--robustness-count must be at least 1.");
            if (parse.GetValue(certifyCountOption) < 0) throw new UsageException("--certify-count must be 0 or more.");
            if (seeds is not null && seeds.Distinct().Count() != seeds.Length) throw new UsageException($"--seeds lists a seed twice ('{parse.GetValue(seedListOption)}').");
            if (variantIds.Select(id => model.Find(id)!.Id).Distinct().Count() != variantIds.Length) throw new UsageException($"--variants lists a variant twice ('{parse.GetValue(variantsOption)}').");
            ShardRun? shard = ShardRun.For(parse, "advtrain", parse.GetValue(CommonOptions.Out)!, checkpoint: null);
            if (shard is not null && parse.GetValue(reportOnlyOption)) throw new UsageException("--report-only summarises a one-process comparison; for shards, use `intriguing merge`.");
            Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!, shared: part is not null);
            MnistData data = Cli.LoadData(parse);
            if (parse.GetValue(advBatchOption) is { } batch && batch > data.Train.Count) throw new UsageException($"--batch must be at most {data.Train.Count}, the training examples, not {batch}.");
            var options = new AdvTrainOptions
            {
                OutputDirectory = parse.GetValue(CommonOptions.Out)!,
                Data = data,
                Model = model.Name,
                Variants = variantIds,
                Seeds = seeds,
                Epochs = parse.GetValue(advEpochsOption),
                Quick = quick,
                Validation = parse.GetValue(validationOption),
                RobustnessCount = parse.GetValue(robustCountOption),
                CertifyCount = parse.GetValue(certifyCountOption),
                Pools = pools,
                LearningRate = parse.GetValue(advLrOption),
                BatchSize = parse.GetValue(advBatchOption),
                Momentum = parse.GetValue(advMomentumOption),
                Threads = parse.GetValue(CommonOptions.Threads),
                ReportOnly = parse.GetValue(reportOnlyOption),
            };
            string job = AdversarialTrainingExperiment.Stem(options);
            AdvTrainResults results;
            if (shard?.Part is { } shardPart)
            {
                // This shard's block of the runs (variant × seed, in the comparison's order); each run is stored on its
                // own as in a one-process run, so a shard run again reuses the runs it finished.
                DateTime started = DateTime.UtcNow;
                int items = AdversarialTrainingExperiment.Plan(options).Count;
                var block = shardPart.Range(items);
                AdvTrainResults mine = AdversarialTrainingExperiment.Run(options with { Only = block.Start..block.End }, Console.Out, null, Cli.Cancellation);
                Console.WriteLine(shard.Write(job, items, block, started, mine.Runs, "runs"));
                return 0;
            }

            if (shard is not null)
            {
                List<AdvTrainRun> runs = shard.Results<List<AdvTrainRun>>(job).SelectMany(r => r).ToList();
                IReadOnlyList<(string Variant, ulong Seed)> plan = AdversarialTrainingExperiment.Plan(options);
                if (!runs.Select(r => (r.Variant, r.Seed)).SequenceEqual(plan)) throw new CliException($"The shards of {job} hold {runs.Count} runs that are not the comparison's {plan.Count} (variant × seed in order).");
                results = AdversarialTrainingExperiment.Assemble(options, runs, shard.Merged!.Seconds);
            }
            else
            {
                results = Cli.WithProgressPerModel(parse.GetValue(CommonOptions.Quiet), progress => AdversarialTrainingExperiment.Run(options, Console.Out, progress, Cli.Cancellation));
            }

            AdvTrainReport.WriteOutputs(options.OutputDirectory, results);
            foreach (AdvTrainSummary s in results.Summaries)
            {
                Console.WriteLine($"({s.Letter}) {s.Description}: {(results.Validation ? "validation" : "test")} error {100 * s.TestError:F2}% ± {100 * s.TestErrorSd:F2} over {s.Seeds} seed(s), robustness {s.Robustness:F4}, {s.TrainSeconds:F0} s per run");
            }

            Console.WriteLine($"Wrote {Path.Combine(options.OutputDirectory, results.Figure[..^4])}.md, .json and .png ({results.TotalSeconds:F0} s).");
            return 0;
        }));
        return advtrain;
    }
}
