using System.CommandLine;
using System.Globalization;
using Intriguing;
using Intriguing.Adversarial;
using Intriguing.Cli;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

// The `intriguing` command line. It parses arguments and calls the runtime; all numerics live there.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var dataOption = new Option<string?>("--data") { Description = $"Folder with the four MNIST files (default: ${Mnist.DataVariable}, then {Mnist.CacheDirectory}, then a verified download)." };
var seedOption = new Option<ulong>("--seed") { Description = "Seed of initialisation, shuffling and splits; the same seed gives the same numbers.", DefaultValueFactory = _ => 1 };
var quietOption = new Option<bool>("--quiet", "-q") { Description = "No progress bars, only result lines." };
var threadsOption = new Option<int>("--threads") { Description = "Threads for training (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
threadsOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be at least 1."); });
var outOption = new Option<string>("--out", "-o") { Description = "Output folder for the report, results and checkpoints.", DefaultValueFactory = _ => "out" };
var modelOption = new Option<string>("--model", "-m") { Description = "Model name, e.g. FC100-100-10 (see `intriguing models`).", Required = true };
modelOption.Validators.Add(r =>
{
    string? name = r.GetValueOrDefault<string>();
    if (name is not null && Catalog.Find(name) is null) r.AddError($"Unknown model '{name}'. Known models: {string.Join(", ", Catalog.All.Select(m => m.Name))}.");
});

// intriguing models
var models = new Command("models", "List the paper's networks with their compile-time summaries (shapes, parameters, multiply-adds, Lipschitz-bound methods).");
models.SetAction(_ =>
{
    foreach (ModelEntry m in Catalog.All)
    {
        Console.WriteLine($"{m.Name}  [{m.Table}, trained on {m.Split}]");
        Console.WriteLine(m.Create(0).Summary.ToString());
        Console.WriteLine();
    }

    foreach ((string name, Func<ulong, INetwork> create) in Catalog.ShapesOnly)
    {
        Console.WriteLine($"{name}  [layer shapes only, not trained]");
        Console.WriteLine(create(0).Summary.ToString());
        Console.WriteLine();
    }

    return 0;
});

// intriguing train
var epochsOption = new Option<int?>("--epochs") { Description = "Override the recipe's number of epochs." };
var batchOption = new Option<int?>("--batch") { Description = "Override the recipe's batch size." };
var lrOption = new Option<float?>("--lr") { Description = "Override the recipe's learning rate." };
var optimizerOption = new Option<string?>("--optimizer") { Description = "sgd (mini-batch SGD with momentum) or lbfgs (full-batch L-BFGS); default: the model's recipe." };
optimizerOption.AcceptOnlyFromAmong("sgd", "lbfgs");
var holdoutOption = new Option<int>("--holdout") { Description = "Hold out N seeded examples of the model's training split, train on the rest and report the error on them (for choosing settings without the test set). Checkpoints go to OUT/checkpoints-holdout-N.", DefaultValueFactory = _ => 0 };
holdoutOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--holdout must be 0 (none) or a positive number of examples."); });
var train = new Command("train", "Train one model by its recipe, with a checkpoint after every epoch (an interrupted run resumes).")
{
    modelOption, dataOption, seedOption, outOption, threadsOption, epochsOption, batchOption, lrOption, optimizerOption, holdoutOption, quietOption,
};
train.SetAction(parse => Cli.Guard(() =>
{
    ModelEntry entry = Catalog.Find(parse.GetValue(modelOption)!)!;
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    SgdOptions sgd = entry.Sgd with
    {
        Epochs = parse.GetValue(epochsOption) ?? entry.Sgd.Epochs,
        BatchSize = parse.GetValue(batchOption) ?? entry.Sgd.BatchSize,
        LearningRate = parse.GetValue(lrOption) ?? entry.Sgd.LearningRate,
    };
    sgd.Validate();
    var options = new ReproduceOptions { OutputDirectory = parse.GetValue(outOption)!, Data = data, Seed = parse.GetValue(seedOption), Threads = parse.GetValue(threadsOption) };
    int holdout = parse.GetValue(holdoutOption);
    string checkpoints = Path.Combine(options.OutputDirectory, holdout > 0 ? $"checkpoints-holdout-{holdout}" : "checkpoints");
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

    Directory.CreateDirectory(checkpoints);
    entry = entry with { Recipe = entry.Recipe with { Sgd = sgd } };
    if (parse.GetValue(optimizerOption) is { } optimizer)
    {
        if (entry.Recipe is AutoencoderRecipe) throw new CliException("--optimizer does not apply to AE400-10, which has its own recipe.");
        entry = entry with { Recipe = optimizer == "lbfgs" ? new FullBatchRecipe((entry.Recipe as FullBatchRecipe)?.FullBatch ?? new FullBatchOptions(), sgd) : new SgdRecipe(sgd) };
    }

    ModelResult result = Cli.WithProgress(parse.GetValue(quietOption), entry.Name, progress =>
        ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, Console.Out, progress, Cli.Cancellation).Result);
    Cli.PrintResult(result);
    if (validation is not null)
    {
        INetwork trained = entry.Create(options.Seed);
        Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName(entry.Name) + ".ckpt"), trained);
        Console.WriteLine($"{entry.Name}: error {Evaluation.ErrorRate(trained, validation):P2} on the {validation.Count} held-out examples (trained on the other {TrainingSplits.Select(entry.Split, options.Data.Train, p1, p2).Count})");
    }

    return 0;
}));

// intriguing evaluate
var checkpointOption = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: OUT/checkpoints/<model>.ckpt)." };
var evaluate = new Command("evaluate", "Measure a trained model's training and test error from its checkpoint.")
{
    modelOption, dataOption, outOption, checkpointOption, seedOption, quietOption,
};
evaluate.SetAction(parse => Cli.Guard(() =>
{
    ModelEntry entry = Catalog.Find(parse.GetValue(modelOption)!)!;
    string path = parse.GetValue(checkpointOption) ?? Path.Combine(parse.GetValue(outOption)!, "checkpoints", Catalog.FileName(entry.Name) + ".ckpt");
    if (!File.Exists(path)) throw new CliException($"No checkpoint at {path}; train the model first (intriguing train --model \"{entry.Name}\").");
    INetwork net = entry.Create(0);
    Checkpoint.Load(path, net);
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    var (p1, p2) = TrainingSplits.Halves(data.Train, parse.GetValue(seedOption));
    Console.WriteLine($"{entry.Name} ({path})");
    Console.WriteLine($"  training set error: {Evaluation.ErrorRate(net, data.Train):P2}");
    if (entry.Split != TrainingSplit.Full)
    {
        Console.WriteLine($"  P1 error:           {Evaluation.ErrorRate(net, p1):P2}");
        Console.WriteLine($"  P2 error:           {Evaluation.ErrorRate(net, p2):P2}");
    }

    Console.WriteLine($"  test error:         {Evaluation.ErrorRate(net, data.Test):P2}" + (double.IsNaN(entry.PaperTestError) ? "" : $"   (paper {entry.PaperTestError:P2})"));
    return 0;
}));

// intriguing reproduce
var quickOption = new Option<bool>("--quick") { Description = "Reduced run (a fifth of the epochs, 20 attacked examples per model) in a few minutes, clearly labelled as such." };
var attackCountOption = new Option<int?>("--attack-count") { Description = "Examples drawn per model for the adversarial tables (default 100, or 20 with --quick; 0 skips them)." };
attackCountOption.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--attack-count must be 0 or more."); });
var advSeedsOption = new Option<int?>("--advtrain-seeds") { Description = "Seeds of the adversarial-training comparison (default 3, or one tiny run with --quick; 0 skips it). Its runs are reused from OUT/advtrain/." };
advSeedsOption.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--advtrain-seeds must be 0 or more."); });
var reproduce = new Command("reproduce", "Train (or reuse checkpoints of) every model of the paper and write OUT/report.md and OUT/results.json.")
{
    outOption, dataOption, seedOption, quickOption, attackCountOption, advSeedsOption, threadsOption, quietOption,
};
reproduce.SetAction(parse => Cli.Guard(() =>
{
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    var options = new ReproduceOptions
    {
        OutputDirectory = parse.GetValue(outOption)!,
        Data = data,
        Seed = parse.GetValue(seedOption),
        Quick = parse.GetValue(quickOption),
        Threads = parse.GetValue(threadsOption),
        AttackCount = parse.GetValue(attackCountOption),
        AdvTrainSeeds = parse.GetValue(advSeedsOption),
    };
    ReproductionResults results = Cli.WithProgressPerModel(parse.GetValue(quietOption), progress => Reproduction.Run(options, Console.Out, progress, Cli.Cancellation));
ReproductionReport.WriteOutputs(options.OutputDirectory, results);
    Console.WriteLine($"Wrote {Path.Combine(options.OutputDirectory, "report.md")}, report.html and results.json ({results.TotalSeconds:F0} s).");
    return 0;
}));

// intriguing attack
var targetOption = new Option<TargetPolicy>("--target") { Description = "Target labels: Random (seeded), RunnerUp (most likely wrong label) or Every (best over all wrong labels = untargeted minimum distortion).", DefaultValueFactory = _ => TargetPolicy.Every };
var countOption = new Option<int>("--count", "-n") { Description = "Number of examples to draw and attack.", DefaultValueFactory = _ => 100 };
countOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--count must be at least 1."); });
var allOption = new Option<bool>("--all") { Description = "Attack every example of the source set instead of --count drawn ones." };
var layerOption = new Option<int>("--layer") { Description = "Perturb activation K instead of the input (0): the output of layer K, within that activation's range.", DefaultValueFactory = _ => 0 };
var sourceOption = new Option<string>("--source") { Description = "Examples from the training set (train, as for Table 1) or the test set (test, as for Table 3).", DefaultValueFactory = _ => "train" };
sourceOption.AcceptOnlyFromAmong("train", "test");
var attack = new Command("attack", "Minimum-distortion adversarial examples for one model (box-constrained L-BFGS with a search over c); prints the distortion statistics and writes a figure and a JSON file.")
{
    modelOption, targetOption, countOption, allOption, layerOption, sourceOption, dataOption, outOption, seedOption, threadsOption, quietOption,
};
attack.SetAction(parse => Cli.Guard(() =>
{
    ModelEntry entry = Catalog.Find(parse.GetValue(modelOption)!)!;
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    var options = new ReproduceOptions { OutputDirectory = parse.GetValue(outOption)!, Data = data, Seed = parse.GetValue(seedOption), Threads = parse.GetValue(threadsOption) };
    INetwork net = ModelTraining.TrainAll(new[] { entry }, options, Console.Out).Networks[entry.Name];
    int layer = parse.GetValue(layerOption);
    if (layer < 0 || layer >= net.LayerCount) throw new CliException($"--layer must be between 0 (the input) and {net.LayerCount - 1} for {entry.Name}.");
    Dataset source = parse.GetValue(sourceOption) == "test" ? data.Test : data.Train;
    AttackReport report = AttackCommand.Run(net, entry.Name, source, parse.GetValue(allOption) ? source.Count : parse.GetValue(countOption), parse.GetValue(targetOption), layer, options.Seed, options.Threads, options.OutputDirectory, parse.GetValue(quietOption), Cli.Cancellation);
    Console.WriteLine(report.Summary);
    return report.Succeeded > 0 ? 0 : 1;
}));

// intriguing transfer
var transfer = new Command("transfer", "Cross-model generalisation: Table 2 (six models, examples from the training set) and Table 4 (P1/P2 models, examples from the test set), written to OUT/transfer.md.")
{
    countOption, dataOption, outOption, seedOption, threadsOption, quietOption,
};
transfer.SetAction(parse => Cli.Guard(() =>
{
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    var options = new ReproduceOptions { OutputDirectory = parse.GetValue(outOption)!, Data = data, Seed = parse.GetValue(seedOption), Threads = parse.GetValue(threadsOption) };
    var (_, networks) = ModelTraining.TrainAll(Catalog.Models, options, Console.Out, cancellationToken: Cli.Cancellation);
    AdversarialResults results = AdversarialExperiments.Run(networks, data, parse.GetValue(countOption), options.Seed, options.Threads, options.OutputDirectory, Console.Out, Cli.Cancellation);
    string path = Path.Combine(options.OutputDirectory, "transfer.md");
    File.WriteAllText(path, AdversarialReport.Transfer(results));
    Console.WriteLine($"Wrote {path}.");
    return 0;
}));

// intriguing units
var unitLayerOption = new Option<int>("--layer") { Description = "Activation K to analyse (the output of layer K; e.g. 2 = the first sigmoid of FC100-100-10).", DefaultValueFactory = _ => 2 };
var unitCountOption = new Option<int>("--count") { Description = "Top images per row.", DefaultValueFactory = _ => 8 };
var rowsOption = new Option<int>("--rows") { Description = "Rows: units, and as many random directions.", DefaultValueFactory = _ => 10 };
var seedsOption = new Option<int>("--seeds") { Description = "Seeds for the purity statistics (unit choice and random directions).", DefaultValueFactory = _ => 5 };
foreach (var o in new[] { unitCountOption, rowsOption, seedsOption }) o.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{o.Name} must be at least 1."); });
var units = new Command("units", "Units of φ(x) (Sec. 3, Fig. 1/2): the test images that maximise single units and random directions of a layer, as two PNG grids, with the label purity of each row (is the natural basis special?).")
{
    modelOption, unitLayerOption, unitCountOption, rowsOption, seedsOption, dataOption, outOption, seedOption, quietOption,
};
units.SetAction(parse => Cli.Guard(() =>
{
    ModelEntry entry = Catalog.Find(parse.GetValue(modelOption)!)!;
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    var options = new ReproduceOptions { OutputDirectory = parse.GetValue(outOption)!, Data = data, Seed = parse.GetValue(seedOption) };
    INetwork net = ModelTraining.TrainAll(new[] { entry }, options, Console.Out).Networks[entry.Name];
    int layer = parse.GetValue(unitLayerOption);
    if (layer < 1 || layer > net.LayerCount) throw new CliException($"--layer must be between 1 and {net.LayerCount} for {entry.Name}.");
    UnitsSection section = UnitsExperiment.Run(net, entry.Name, data.Test, layer, parse.GetValue(rowsOption), parse.GetValue(unitCountOption), parse.GetValue(seedsOption), options.Seed, options.OutputDirectory);
    Console.WriteLine(section.Summary);
    return 0;
}));

// intriguing spectral
var spectralModelOption = new Option<string>("--model", "-m") { Description = "Model name: a trained model (see `intriguing models`) or AlexNet (layer shapes with seeded random weights).", Required = true };
spectralModelOption.Validators.Add(r =>
{
    string? name = r.GetValueOrDefault<string>();
    if (name is not null && Catalog.Find(name) is null && !Catalog.ShapesOnly.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
    {
        r.AddError($"Unknown model '{name}'. Known models: {string.Join(", ", Catalog.All.Select(m => m.Name).Concat(Catalog.ShapesOnly.Select(s => s.Name)))}.");
    }
});
var examplesOption = new Option<int>("--examples") { Description = "Test examples for the data-based lower estimate and the certified radii (trained models).", DefaultValueFactory = _ => SpectralExperiments.DefaultExamples };
examplesOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--examples must be at least 1."); });
var spectral = new Command("spectral", "Per-layer Lipschitz upper bounds like the paper's Table 5 (Fourier method for convolutions), their product, and for trained models the data-based lower estimate and certified radii; writes OUT/spectral-<model>.md and .json.")
{
    spectralModelOption, outOption, dataOption, seedOption, examplesOption, checkpointOption, quietOption,
};
spectral.SetAction(parse => Cli.Guard(() =>
{
    string name = parse.GetValue(spectralModelOption)!;
    string output = parse.GetValue(outOption)!;
    ulong seed = parse.GetValue(seedOption);
    Table5Result result;
    var shapes = Catalog.ShapesOnly.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
    if (shapes.Name is not null)
    {
        Console.WriteLine($"{shapes.Name}: {Reproduction.AlexNetWeights}; seed {seed}. The values are not the paper's: only the method and the shapes are comparable.");
        INetwork net = shapes.Create(seed);
        result = SpectralExperiments.Analyze(net, shapes.Name, Reproduction.AlexNetWeights + $", seed {seed}", shapes.Name == "AlexNet" ? SpectralExperiments.PaperAlexNet : null);
    }
    else
    {
        ModelEntry entry = Catalog.Find(name)!;
        string path = parse.GetValue(checkpointOption) ?? Path.Combine(output, "checkpoints", Catalog.FileName(entry.Name) + ".ckpt");
        if (!File.Exists(path)) throw new CliException($"No checkpoint at {path}; train the model first (intriguing train --model \"{entry.Name}\" --out {output}).");
        INetwork net = entry.Create(0);
        Checkpoint.Load(path, net);
        MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
        int[] draw = SpectralExperiments.TestDraw(data.Test, parse.GetValue(examplesOption), seed);
        result = SpectralExperiments.Analyze(net, entry.Name, $"trained ({path})", data: data.Test, draw: draw);
    }

    var sb = new System.Text.StringBuilder();
    sb.AppendLine($"# Lipschitz bounds of {result.Model} (Sec. 4.3, Table 5)").AppendLine();
    sb.AppendLine($"Weights: {result.Weights}.").AppendLine();
    SpectralReport.Table(sb, result);
    if (result.Layers.Any(l => l.Kind == "Conv")) sb.AppendLine().AppendLine("Zero padding: the convolution bounds are upper bounds of the layers' norms (the circular convolution on a slightly larger map), not exact norms.");
    string markdown = sb.ToString();
    Console.WriteLine();
    Console.Write(markdown);
    Directory.CreateDirectory(output);
    string stem = Path.Combine(output, "spectral-" + Catalog.FileName(result.Model));
    File.WriteAllText(stem + ".md", markdown);
    File.WriteAllText(stem + ".json", System.Text.Json.JsonSerializer.Serialize(result, new System.Text.Json.JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    Console.WriteLine($"Wrote {stem}.md and {stem}.json.");
    return 0;
}));

// intriguing advtrain
var variantsOption = new Option<string>("--variants") { Description = $"Comma-separated variants: {string.Join(", ", AdversarialTrainingExperiment.Variants.Select(v => $"{v.Id} ({v.Letter})"))}; default all of these. Also, only when named: {string.Join(", ", AdversarialTrainingExperiment.ExtraVariants.Select(v => $"{v.Id} ({v.Letter})"))} (the pools with dropout).", DefaultValueFactory = _ => string.Join(",", AdversarialTrainingExperiment.Variants.Select(v => v.Id)) };
var seedListOption = new Option<string?>("--seeds") { Description = "Comma-separated seeds, one run per variant and seed (default 1,2,3; 1 with --quick)." };
var advEpochsOption = new Option<int?>("--epochs") { Description = "Epochs per run (default 200, four times the FC100-100-10 recipe's; 1 with --quick)." };
var validationOption = new Option<bool>("--validation") { Description = "Tuning mode: train without a fixed tenth of the training set and report the error on it instead of the test set." };
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
var poolAttackOption = new Option<string?>("--pool-attack") { Description = "Attack that makes pool examples: cheap (default; c from 1, 4 bracketing and 3 bisection steps, 40 iterations) or full (the reproduction's attack: 8, 7, 100)." };
poolAttackOption.AcceptOnlyFromAmong("cheap", "full");
var advLrOption = new Option<float?>("--lr") { Description = string.Create(CultureInfo.InvariantCulture, $"Learning rate of every variant (default: the FC100-100-10 recipe's {AdversarialTrainingExperiment.Recipe.LearningRate:R}).") };
var advBatchOption = new Option<int?>("--batch") { Description = $"Clean examples per step of every variant (default: the FC100-100-10 recipe's {AdversarialTrainingExperiment.Recipe.BatchSize})." };
var advMomentumOption = new Option<float?>("--momentum") { Description = string.Create(CultureInfo.InvariantCulture, $"Momentum of every variant (default: the FC100-100-10 recipe's {AdversarialTrainingExperiment.Recipe.Momentum:R}).") };
advBatchOption.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--batch must be at least 1."); });
advMomentumOption.Validators.Add(r => { if (r.GetValueOrDefault<float?>() is { } m && !(m >= 0 && m < 1)) r.AddError("--momentum must be in [0, 1)."); });
warmupOption.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--warmup must be 0 or more epochs."); });
advLrOption.Validators.Add(r => { if (r.GetValueOrDefault<float?>() is { } lr && !(lr > 0 && float.IsFinite(lr))) r.AddError("--lr must be positive and finite."); });
var reportOnlyOption = new Option<bool>("--report-only") { Description = "Train nothing: summarise the finished runs of an interrupted comparison (missing runs are listed)." };
var advQuickOption = new Option<bool>("--quick") { Description = "Tiny run (1 epoch, one seed, small pools) to check the machinery; labelled as such." };
var advtrain = new Command("advtrain", "Hidden-layer adversarial training (Sec. 4.2): FC100-100-10 with weight decay only, with dropout, and with pools of adversarial examples for the input, hidden layer 1, hidden layer 2 or all (with or without dropout); test error and robustness over seeds, written to OUT/advtrain.md, .json and .png.")
{
    variantsOption, seedListOption, advEpochsOption, advQuickOption, validationOption, reportOnlyOption, robustCountOption, poolSizeOption, refreshFractionOption, refreshPeriodOption, mixOption, overshootOption, poolDistortionOption, candidatesOption, warmupOption, poolAttackOption, advLrOption, advBatchOption, advMomentumOption, dataOption, outOption, threadsOption, quietOption,
};
advtrain.SetAction(parse => Cli.Guard(() =>
{
    string[] variantIds = parse.GetValue(variantsOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    foreach (string id in variantIds)
    {
        if (AdversarialTrainingExperiment.Find(id) is null) throw new CliException($"Unknown variant '{id}'. Known: {string.Join(", ", AdversarialTrainingExperiment.AllVariants.Select(v => v.Id))}.");
    }

    ulong[]? seeds = null;
    if (parse.GetValue(seedListOption) is { } seedText)
    {
        try
        {
            seeds = seedText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new CliException($"--seeds must be a comma-separated list of non-negative integers (got '{seedText}').");
        }

        if (seeds.Length == 0) throw new CliException("--seeds needs at least one seed.");
    }

    bool quick = parse.GetValue(advQuickOption);
    AdversarialTrainingOptions pools = quick ? AdversarialTrainingExperiment.QuickPools : AdversarialTrainingExperiment.DefaultPools;
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
    };
    try
    {
        pools.Validate(new Fc100x100x10());
    }
    catch (ArgumentException e) when (e.ParamName is { } name && poolOptionNames.TryGetValue(name, out string? option))
    {
        int cut = e.Message.IndexOf(" (Parameter", StringComparison.Ordinal);
        throw new UsageException($"{option}: {(cut >= 0 ? e.Message[..cut] : e.Message)}");
    }

    if (parse.GetValue(advEpochsOption) is < 1) throw new UsageException("--epochs must be at least 1.");
    if (parse.GetValue(robustCountOption) is < 1) throw new UsageException("--robustness-count must be at least 1.");
    MnistData data = Cli.LoadData(parse.GetValue(dataOption), parse.GetValue(quietOption));
    var options = new AdvTrainOptions
    {
        OutputDirectory = parse.GetValue(outOption)!,
        Data = data,
        Variants = variantIds,
        Seeds = seeds,
        Epochs = parse.GetValue(advEpochsOption),
        Quick = quick,
        Validation = parse.GetValue(validationOption),
        RobustnessCount = parse.GetValue(robustCountOption),
        Pools = pools,
        LearningRate = parse.GetValue(advLrOption),
        BatchSize = parse.GetValue(advBatchOption),
        Momentum = parse.GetValue(advMomentumOption),
        Threads = parse.GetValue(threadsOption),
        ReportOnly = parse.GetValue(reportOnlyOption),
    };
    AdvTrainResults results = Cli.WithProgressPerModel(parse.GetValue(quietOption), progress => AdversarialTrainingExperiment.Run(options, Console.Out, progress, Cli.Cancellation));
    AdvTrainReport.WriteOutputs(options.OutputDirectory, results);
    foreach (AdvTrainSummary s in results.Summaries)
    {
        Console.WriteLine($"({s.Letter}) {s.Description}: {(results.Validation ? "validation" : "test")} error {100 * s.TestError:F2}% ± {100 * s.TestErrorSd:F2} over {s.Seeds} seed(s), robustness {s.Robustness:F4}, {s.TrainSeconds:F0} s per run");
    }

    Console.WriteLine($"Wrote {Path.Combine(options.OutputDirectory, results.Figure[..^4])}.md, .json and .png ({results.TotalSeconds:F0} s).");
    return 0;
}));

var root = new RootCommand(
    "Intriguing: reproduce 'Intriguing properties of neural networks' (Szegedy et al., 2014) on MNIST.\n" +
    "Start with `intriguing reproduce --out out` (add --quick for a few-minute run); `intriguing models` lists the networks.")
{
    models, train, evaluate, reproduce, attack, transfer, units, spectral, advtrain,
};

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run `intriguing --help` for usage.");
    return 2;
}

return parsed.Invoke();
