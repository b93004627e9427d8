using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing train</c>: one model by its recipe, with a checkpoint after every epoch.</summary>
internal static class TrainCommand
{
    /// <summary>Makes the <c>train</c> command with its options and action.</summary>
    public static Command Create()
    {
        var epochsOption = new Option<int?>("--epochs") { Description = "Override the recipe's number of epochs." };
        var batchOption = new Option<int?>("--batch") { Description = "Override the recipe's batch size." };
        var lrOption = new Option<float?>("--lr") { Description = "Override the recipe's learning rate." };
        CommonOptions.Validate(epochsOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--epochs must be at least 1."); });
        CommonOptions.Validate(batchOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--batch must be at least 1."); });
        CommonOptions.Validate(lrOption, r => { if (r.GetValueOrDefault<float?>() is { } lr && !(lr > 0 && float.IsFinite(lr))) r.AddError("--lr must be positive and finite."); });
        var optimizerOption = new Option<string?>("--optimizer") { Description = "sgd (mini-batch SGD with momentum) or lbfgs (full-batch L-BFGS); default: the model's recipe." };
        optimizerOption.AcceptOnlyFromAmong("sgd", "lbfgs");
        var holdoutOption = new Option<int>("--holdout") { Description = "Hold out N seeded examples of the model's training split, train on the rest and report the error on them (for choosing settings without the test set). Checkpoints go to OUT/checkpoints-holdout-N.", DefaultValueFactory = _ => 0 };
        CommonOptions.Validate(holdoutOption, r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--holdout must be 0 (none) or a positive number of examples."); });
        var train = new Command("train", "Train one model by its recipe, with a checkpoint after every epoch (an interrupted run resumes).")
        {
            UserInputs.Model, CommonOptions.Data, CommonOptions.Seed, CommonOptions.Out, CommonOptions.Threads, epochsOption, batchOption, lrOption, optimizerOption, holdoutOption, CommonOptions.Quiet, CommonOptions.Checkpoint,
        };
        foreach (Option option in LipschitzOptionsCli.All) train.Options.Add(option);
        UserInputs.AddTo(train);
        train.SetAction(parse => Cli.Guard(() =>
        {
            LipschitzOptions? lipschitz = LipschitzOptionsCli.Parse(parse);
            Dataset? file = UserInputs.LoadDataFile(parse);
            UserNetwork? user = UserInputs.Resolve(parse, loadCheckpoint: false);
            if (user is not null)
            {
                // Any network on any data: mini-batch SGD (the library's defaults unless overridden), a checkpoint after
                // every epoch at --checkpoint (default OUT/checkpoints/<name>.ckpt); a run with the same settings resumes
                // from it, one with other settings stops and says so.
                if (user.Network is not IClassifier classifier) throw new InputException($"{user.Name} does not end in a soft-max; train needs a classifier");
                if (parse.GetValue(holdoutOption) != 0 || parse.GetValue(optimizerOption) is "lbfgs") throw new InputException("--holdout and --optimizer lbfgs apply to catalogue models only");
                Dataset set = file ?? Cli.LoadData(parse).Train;
                UserInputs.CheckFits(classifier, user.Name, set);
                if (lipschitz is not null) LipschitzOptionsCli.CheckFits(classifier, lipschitz);
                ulong userSeed = parse.GetValue(CommonOptions.Seed);
                if (parse.GetValue(UserInputs.Assembly) is not null) classifier.Initialize(userSeed);
                string checkpoint = parse.GetValue(CommonOptions.Checkpoint) ?? Path.Combine(parse.GetValue(CommonOptions.Out)!, "checkpoints", Catalog.FileName(user.Name) + ".ckpt");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
                var defaults = new SgdOptions();
                SgdOptions userSgd = defaults with
                {
                    Epochs = parse.GetValue(epochsOption) ?? defaults.Epochs,
                    BatchSize = parse.GetValue(batchOption) ?? defaults.BatchSize,
                    LearningRate = parse.GetValue(lrOption) ?? defaults.LearningRate,
                    Seed = userSeed,
                    Threads = parse.GetValue(CommonOptions.Threads),
                    CheckpointPath = checkpoint,
                    Lipschitz = lipschitz,
                };
                userSgd.Validate();
                TrainingResult trained = Cli.WithProgress(parse.GetValue(CommonOptions.Quiet), user.Name, progress => Trainer.Fit(classifier, set, userSgd, progress, Cli.Cancellation));
                Console.WriteLine($"{user.Name} ({user.Source}): {userSgd.Epochs} epochs on {set.Name}" + (trained.StartEpoch > 0 ? $" (resumed after epoch {trained.StartEpoch})" : "") +
                    $"; training error {Evaluation.ErrorRate(classifier, set):P2}; checkpoint {checkpoint}");
                if (lipschitz is not null) LipschitzOptionsCli.Report(classifier, file is null ? Cli.LoadData(parse).Test : set, Console.Out);
                return 0;
            }

            if (file is not null) throw new InputException("--data FILE works with --onnx or --assembly; catalogue models are trained on MNIST (give --data a folder, or none)");
            ModelEntry entry = Catalog.Find(parse.GetValue(UserInputs.Model)!)!;
            Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
            MnistData data = Cli.LoadData(parse);
            SgdOptions sgd = entry.Sgd with
            {
                Epochs = parse.GetValue(epochsOption) ?? entry.Sgd.Epochs,
                BatchSize = parse.GetValue(batchOption) ?? entry.Sgd.BatchSize,
                LearningRate = parse.GetValue(lrOption) ?? entry.Sgd.LearningRate,
            };
            sgd = sgd with { Lipschitz = lipschitz };
            sgd.Validate();
            if (lipschitz is not null) LipschitzOptionsCli.CheckFits(entry.Create(0), lipschitz);
            var options = new ReproduceOptions { OutputDirectory = parse.GetValue(CommonOptions.Out)!, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            int holdout = parse.GetValue(holdoutOption);
            // A norm-controlled model is another model: its checkpoints go to their own folder (OUT/checkpoints-lipschitz).
            string folder = lipschitz is null ? "checkpoints" : "checkpoints-lipschitz";
            string checkpoints = Path.Combine(options.OutputDirectory, holdout > 0 ? $"{folder}-holdout-{holdout}" : folder);
            var (p1, p2) = TrainingSplits.Halves(data.Train, options.Seed);
            Dataset? validation = null;
            if (holdout != 0)
            {
                if (entry.Recipe is AutoencoderRecipe) throw new CliException("--holdout does not apply to AE400-10, whose pre-training uses every training image.");
                Dataset split = TrainingSplits.Select(entry.Split, data.Train, p1, p2);
                if (holdout < 0 || holdout >= split.Count) throw new CliException($"--holdout must be between 1 and {split.Count - 1} for {entry.Name} (its training split has {split.Count} examples).");
                (validation, Dataset rest) = split.Split(holdout, SeededRandom.Derive(options.Seed, 0x401D), $"{split.Name} held out", $"{split.Name} rest");
                switch (entry.Split)
                {
                    case TrainingSplit.P1: p1 = rest; break;
                    case TrainingSplit.P2: p2 = rest; break;
                    default: options = options with { Data = data with { Train = rest } }; break;
                }
            }

            int examples = entry.Recipe is AutoencoderRecipe ? options.Data.Train.Count : TrainingSplits.Select(entry.Split, options.Data.Train, p1, p2).Count;
            if (sgd.BatchSize > examples) throw new UsageException($"--batch must be at most {examples}, the training examples of {entry.Name}, not {sgd.BatchSize}.");
            entry = entry with { Recipe = entry.Recipe with { Sgd = sgd } };
            if (parse.GetValue(optimizerOption) is { } optimizer)
            {
                if (entry.Recipe is AutoencoderRecipe) throw new CliException("--optimizer does not apply to AE400-10, which has its own recipe.");
                entry = entry with { Recipe = optimizer == "lbfgs" ? new FullBatchRecipe((entry.Recipe as FullBatchRecipe)?.FullBatch ?? new FullBatchOptions(), sgd) : new SgdRecipe(sgd) };
            }

            if (lipschitz is not null && entry.Recipe is not SgdRecipe)
            {
                throw new UsageException($"--lipschitz needs mini-batch SGD; {entry.Name} trains by {(entry.Recipe is AutoencoderRecipe ? "its auto-encoder recipe" : "L-BFGS (add --optimizer sgd)")}.");
            }

            Directory.CreateDirectory(checkpoints);
            ModelResult result = Cli.WithProgress(parse.GetValue(CommonOptions.Quiet), entry.Name, progress =>
                ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, Console.Out, progress, Cli.Cancellation).Result);
            Cli.PrintResult(result);
            if (lipschitz is not null)
            {
                INetwork controlled = entry.Create(options.Seed);
                string path = Path.Combine(checkpoints, Catalog.FileName(entry.Name) + ".ckpt");
                Checkpoint.Load(path, controlled);
                LipschitzOptionsCli.Report((IClassifier)controlled, data.Test, Console.Out);
                Console.WriteLine($"checkpoint {path} (certify it by bound propagation: intriguing certify --model {entry.Name} --checkpoint {path} --epsilon 1.58)");
            }

            if (validation is not null)
            {
                INetwork trained = entry.Create(options.Seed);
                Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName(entry.Name) + ".ckpt"), trained);
                Console.WriteLine($"{entry.Name}: error {Evaluation.ErrorRate(trained, validation):P2} on the {validation.Count} held-out examples (trained on the other {TrainingSplits.Select(entry.Split, options.Data.Train, p1, p2).Count})");
            }

            return 0;
        }));
        return train;
    }
}
