using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>Settings of <c>intriguing reproduce</c>.</summary>
public sealed record ReproduceOptions
{
    /// <summary>Output folder: report.md, results.json and checkpoints/.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The MNIST data.</summary>
    public required MnistData Data { get; init; }

    /// <summary>Seed of initialisation, shuffling and the P1/P2 split.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Reduced run: a fifth of the epochs (at least one); labelled as such everywhere.</summary>
    public bool Quick { get; init; }

    /// <summary>Threads for training. Default: the number of cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Examples drawn per model for the adversarial tables (default 100; 20 with --quick). Zero skips them.</summary>
    public int? AttackCount { get; init; }

    /// <summary>
    /// Seeds of the adversarial-training comparison (Sec. 4.2; default 3, or 1 tiny run with --quick). Zero skips it.
    /// Its runs are kept under OUT/advtrain/ and reused, like the checkpoints.
    /// </summary>
    public int? AdvTrainSeeds { get; init; }
}

/// <summary>One trained model's figures.</summary>
public sealed record ModelResult
{
    /// <summary>Model name.</summary>
    public required string Name { get; init; }

    /// <summary>Where the model appears in the paper.</summary>
    public required string Table { get; init; }

    /// <summary>Training data (Full, P1 or P2).</summary>
    public required string Split { get; init; }

    /// <summary>Error on the data the model was trained on.</summary>
    public required double TrainError { get; init; }

    /// <summary>Error on the MNIST test set.</summary>
    public required double TestError { get; init; }

    /// <summary>Error on P1 (Table 3 models only).</summary>
    public double? P1Error { get; init; }

    /// <summary>Error on P2 (Table 3 models only).</summary>
    public double? P2Error { get; init; }

    /// <summary>The paper's training error.</summary>
    public double? PaperTrainError { get; init; }

    /// <summary>The paper's test error.</summary>
    public required double PaperTestError { get; init; }

    /// <summary>Seconds spent training in this run (0 when the checkpoint was reused).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Whether the parameters came from an existing checkpoint.</summary>
    public required bool FromCheckpoint { get; init; }

    /// <summary>Training settings.</summary>
    public required string Settings { get; init; }

    /// <summary>Seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Training throughput in samples per second (0 when reused).</summary>
    public required double SamplesPerSecond { get; init; }
}

/// <summary>Everything <c>reproduce</c> measured.</summary>
public sealed record ReproductionResults
{
    /// <summary>Whether this was a reduced (--quick) run.</summary>
    public required bool Quick { get; init; }

    /// <summary>Seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Machine description.</summary>
    public required string Machine { get; init; }

    /// <summary>Per-model results.</summary>
    public required List<ModelResult> Models { get; init; }

    /// <summary>Total wall time in seconds.</summary>
    public required double TotalSeconds { get; init; }

    /// <summary>The adversarial sections (Tables 1–4), if run.</summary>
    public AdversarialResults? Adversarial { get; init; }

    /// <summary>Lipschitz bounds, data-based lower estimates and certified radii of the Table 1 models (Sec. 4.3).</summary>
    public List<SpectralRow>? Spectral { get; init; }

    /// <summary>Table 5: AlexNet's shapes with seeded random weights and the trained MNIST conv net.</summary>
    public Table5Section? Table5 { get; init; }

    /// <summary>The charts of the Lipschitz section (file names relative to the output folder).</summary>
    public List<string>? SpectralFigures { get; init; }

    /// <summary>Units of φ(x) (Sec. 3) for FC100-100-10's two hidden layers and MNIST-Conv's dense hidden layer.</summary>
    public List<UnitsSection>? Units { get; init; }

    /// <summary>The hidden-layer adversarial-training comparison (Sec. 4.2), if run.</summary>
    public AdvTrainResults? AdversarialTraining { get; init; }
}

/// <summary>Trains (or reuses) every model of the paper and writes report.md and results.json.</summary>
public static class Reproduction
{
    /// <summary>Autoencoder pre-training settings of AE400-10.</summary>
    public static readonly AutoencoderOptions AutoencoderRecipe = new();

    /// <summary>Fine-tuning of the composed AE400-10 (encoder and classifier together).</summary>
    public static readonly SgdOptions FineTuneRecipe = new() { Epochs = 20, BatchSize = 64, LearningRate = 0.05f, Momentum = 0.9f };

    /// <summary>Runs the reproduction; <paramref name="log"/> receives one line per step, <paramref name="progress"/> training progress.</summary>
    public static ReproductionResults Run(ReproduceOptions options, TextWriter log, Func<string, IProgress<TrainingProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        var (results, networks) = TrainAll(Catalog.Models.Concat(Catalog.Additional), options, log, progress, cancellationToken);
        int attackCount = options.AttackCount ?? (options.Quick ? 20 : 100);
        AdversarialResults? adversarial = attackCount > 0
            ? AdversarialExperiments.Run(networks, options.Data, attackCount, options.Seed, options.Threads, options.OutputDirectory, log, cancellationToken)
            : null;
        string[] table1 = Catalog.Models.Where(m => m.Table == "Table 1").Select(m => m.Name).ToArray();
        int[] lowerDraw = SpectralExperiments.TestDraw(options.Data.Test, options.Quick ? 100 : SpectralExperiments.DefaultExamples, options.Seed);
        List<SpectralRow> spectral = SpectralExperiments.Run(networks, table1, options.Data.Train, AdversarialExperiments.TrainDraw(options.Data, Math.Max(attackCount, 20), options.Seed), options.Data.Test, lowerDraw);
        Table5Section table5 = Table5(networks, options, lowerDraw, log);
        List<string> spectralFigures = SpectralExperiments.Charts(options.OutputDirectory, table5, spectral);
        var unitSections = new List<UnitsSection>();
        foreach (var (model, layer) in new[] { ("FC100-100-10", 2), ("FC100-100-10", 4), (ConvModel, ConvUnitsLayer) })
        {
            UnitsSection section = UnitsExperiment.Run(networks[model], model, options.Data.Test, layer, rows: 10, count: 8, seeds: options.Quick ? 2 : 5, options.Seed, options.OutputDirectory);
            log.WriteLine(section.Summary);
            unitSections.Add(section);
        }

        int advSeeds = options.AdvTrainSeeds ?? (options.Quick ? 1 : 3);
        AdvTrainResults? advTraining = null;
        if (advSeeds > 0)
        {
            var advOptions = new AdvTrainOptions
            {
                OutputDirectory = options.OutputDirectory,
                Data = options.Data,
                Quick = options.Quick,
                Seeds = Enumerable.Range(1, advSeeds).Select(i => (ulong)i).ToArray(),
                RobustnessCount = options.AttackCount is { } n ? Math.Max(n, 1) : null,
                Threads = options.Threads,
            };
            advTraining = AdversarialTrainingExperiment.Run(advOptions, log, progress, cancellationToken);
        }

        var all = new ReproductionResults
        {
            AdversarialTraining = advTraining,
            Adversarial = adversarial,
            Units = unitSections,
            Spectral = spectral,
            Table5 = table5,
            SpectralFigures = spectralFigures,
            Quick = options.Quick,
            Seed = options.Seed,
            Machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
            Models = results,
            TotalSeconds = clock.Elapsed.TotalSeconds,
        };
        WriteOutputs(options.OutputDirectory, all);
        return all;
    }

    /// <summary>The MNIST conv net of the Table 5 and units sections.</summary>
    public const string ConvModel = "MNIST-Conv";

    /// <summary>MNIST-Conv's activation analysed in the units section: 8, the ReLU after the 100-unit dense layer (after the second pooling).</summary>
    public const int ConvUnitsLayer = 8;

    /// <summary>What the report says about AlexNet's weights.</summary>
    public const string AlexNetWeights = "seeded random weights (the generator's He-uniform initialisation; Krizhevsky et al.'s trained weights are not available offline)";

    private static Table5Section Table5(Dictionary<string, INetwork> networks, ReproduceOptions options, int[] draw, TextWriter log)
    {
        Table5Result alex = SpectralExperiments.Analyze(new AlexNet(options.Seed), "AlexNet", AlexNetWeights, SpectralExperiments.PaperAlexNet);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"AlexNet (random weights): Lipschitz bounds of {alex.Layers.Count} layers in {alex.Seconds:F1} s, product to the logits {alex.LogitBound:G4}"));
        Table5Result? conv = null;
        if (networks.TryGetValue(ConvModel, out INetwork? net))
        {
            conv = SpectralExperiments.Analyze(net, ConvModel, "trained (this run's checkpoint)", data: options.Data.Test, draw: draw);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ConvModel}: Lipschitz bound {conv.LogitBound:G4} in {conv.Seconds:F2} s, data-based lower estimate {conv.LowerEstimate:G4}"));
        }

        return new Table5Section(alex, conv);
    }

    /// <summary>Trains (or reuses the checkpoints of) <paramref name="entries"/>; returns their results and networks by name.</summary>
    public static (List<ModelResult> Results, Dictionary<string, INetwork> Networks) TrainAll(IEnumerable<ModelEntry> entries, ReproduceOptions options, TextWriter log, Func<string, IProgress<TrainingProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        string checkpoints = Path.Combine(options.OutputDirectory, options.Quick ? "checkpoints-quick" : "checkpoints");
        Directory.CreateDirectory(checkpoints);
        var (p1, p2) = options.Data.Train.SplitHalves(SeededRandom.Derive(options.Seed, 0x5011), "P1", "P2");
        var results = new List<ModelResult>();
        var networks = new Dictionary<string, INetwork>();
        foreach (ModelEntry entry in entries)
        {
            var (net, result) = TrainModel(entry, options, p1, p2, checkpoints, log, progress?.Invoke(entry.Name), cancellationToken);
            results.Add(result);
            networks[entry.Name] = net;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{entry.Name}: train error {result.TrainError:P2}, test error {result.TestError:P2}{(double.IsNaN(result.PaperTestError) ? "" : $" (paper {result.PaperTestError:P2})")}{(result.FromCheckpoint ? ", from checkpoint" : $", trained in {result.TrainSeconds:F1} s")}"));
        }

        return (results, networks);
    }

    /// <summary>Trains one model by its recipe, resuming or reusing its checkpoint, and measures its errors.</summary>
    public static (INetwork Network, ModelResult Result) TrainModel(ModelEntry entry, ReproduceOptions options, Dataset p1, Dataset p2, string checkpoints, TextWriter log, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(options);
        Dataset train = entry.Split switch { TrainingSplit.P1 => p1, TrainingSplit.P2 => p2, _ => options.Data.Train };
        SgdOptions sgd = Scale(entry.Sgd, options) with { Seed = options.Seed, Threads = options.Threads };
        INetwork net = entry.Create(options.Seed);
        string checkpoint = Path.Combine(checkpoints, Catalog.FileName(entry.Name) + ".ckpt");
        bool reused = false;
        var clock = Stopwatch.StartNew();
        double throughput = 0;
        string settings;
        if (entry.Autoencoder)
        {
            // AE400-10: (1) sparse auto-encoder pre-training, (2) soft-max classifier on the codes, (3) the encoder and
            // the classifier copied into one network and fine-tuned together. Each stage has its own checkpoint.
            AutoencoderOptions ae = AutoencoderRecipe with { Seed = options.Seed, Epochs = options.Quick ? Math.Max(1, AutoencoderRecipe.Epochs / 5) : AutoencoderRecipe.Epochs };
            SgdOptions fine = Scale(FineTuneRecipe, options) with { Seed = options.Seed, Threads = options.Threads };
            string aeSettings = $"autoencoder: {ae.Epochs} epochs, batch {ae.BatchSize}, lr {ae.LearningRate.ToString(CultureInfo.InvariantCulture)}, momentum {ae.Momentum.ToString(CultureInfo.InvariantCulture)}, sparsity ρ={ae.SparsityTarget.ToString(CultureInfo.InvariantCulture)} β={ae.SparsityWeight.ToString(CultureInfo.InvariantCulture)}, seed {options.Seed}";
            string classifierCheckpoint = Path.Combine(checkpoints, "ae400-classifier.ckpt");
            string classifierSettings = Trainer.Describe(new Ae400Classifier(), sgd);
            settings = $"{aeSettings}; classifier on codes: {classifierSettings}; fine-tuning of the whole network: {Trainer.Describe(net, fine)}";
            string fineCheckpoint = Path.Combine(checkpoints, Catalog.FileName(entry.Name) + ".ckpt");
            reused = File.Exists(fineCheckpoint) && IsComplete(fineCheckpoint, net, Trainer.Describe(net, fine), fine.Epochs);
            if (!reused)
            {
                var encoder = new Ae400Encoder(options.Seed);
                string encoderCheckpoint = Path.Combine(checkpoints, "ae400-encoder.ckpt");
                bool pretrained = false;
                if (File.Exists(encoderCheckpoint))
                {
                    try
                    {
                        pretrained = Checkpoint.Load(encoderCheckpoint, encoder).Settings == aeSettings;
                    }
                    catch (CheckpointException)
                    {
                        pretrained = false;
                    }
                }

                if (!pretrained)
                {
                    log.WriteLine($"{entry.Name}: pre-training the sparse auto-encoder 784→400→784 ({ae.Epochs} epochs)");
                    encoder.Initialize(options.Seed);
                    var decoder = new Ae400Decoder(SeededRandom.Derive(options.Seed, 1));
                    AutoencoderTraining.Train(encoder, decoder, train, ae, progress, cancellationToken);
                    Checkpoint.Save(encoderCheckpoint, encoder, new CheckpointState(ae.Epochs, options.Seed, Array.Empty<float>(), aeSettings));
                }

                Dataset codes = AutoencoderTraining.Encode(encoder, train, "codes");
                var classifier = new Ae400Classifier(options.Seed);
                log.WriteLine($"{entry.Name}: training the soft-max classifier on the codes ({sgd.Epochs} epochs)");
                SetAsideStale(classifierCheckpoint, classifier, classifierSettings, log);
                Trainer.Fit(classifier, codes, sgd with { CheckpointPath = classifierCheckpoint }, progress, cancellationToken);
                log.WriteLine($"{entry.Name}: fine-tuning encoder and classifier together ({fine.Epochs} epochs)");
                SetAsideStale(fineCheckpoint, net, Trainer.Describe(net, fine), log);
                if (!File.Exists(fineCheckpoint))
                {
                    Parameters.CopyLayer(encoder, 1, net, 1);
                    Parameters.CopyLayer(classifier, 1, net, 3);
                }

                TrainingResult r = Trainer.Fit(net, train, fine with { CheckpointPath = fineCheckpoint }, progress, cancellationToken);
                throughput = r.SamplesPerSecond;
            }
            else
            {
                Checkpoint.Load(fineCheckpoint, net);
            }
        }
        else if (entry.FullBatch is { } fullBatch)
        {
            FullBatchOptions fb = fullBatch with { Threads = options.Threads, MaxIterations = options.Quick ? Math.Max(10, fullBatch.MaxIterations / 5) : fullBatch.MaxIterations };
            settings = fb.Describe() + $", seed={options.Seed}";
            reused = false;
            try
            {
                reused = File.Exists(checkpoint) && Checkpoint.Load(checkpoint, net).Settings == settings;
            }
            catch (CheckpointException)
            {
                reused = false;
            }

            if (!reused)
            {
                net.Initialize(options.Seed);
                var solved = FullBatchTraining.Fit(net, train, fb, progress, cancellationToken);
                log.WriteLine($"{entry.Name}: full-batch L-BFGS stopped after {solved.Iterations} iterations ({solved.StopReason}), objective {solved.Value:F6}");
                Checkpoint.Save(checkpoint, net, new CheckpointState(1, options.Seed, Array.Empty<float>(), settings));
            }
        }
        else
        {
            settings = Trainer.Describe(net, sgd);
            SetAsideStale(checkpoint, net, settings, log);
            TrainingResult r = Trainer.Fit(net, train, sgd with { CheckpointPath = checkpoint }, progress, cancellationToken);
            throughput = r.SamplesPerSecond;
            reused = r.EpochLosses.Count == 0;
        }

        double seconds = reused ? 0 : clock.Elapsed.TotalSeconds;
        var result = new ModelResult
        {
            Name = entry.Name,
            Table = entry.Table,
            Split = entry.Split.ToString(),
            TrainError = Evaluation.ErrorRate(net, train),
            TestError = Evaluation.ErrorRate(net, options.Data.Test),
            P1Error = entry.Split == TrainingSplit.Full ? null : Evaluation.ErrorRate(net, p1),
            P2Error = entry.Split == TrainingSplit.Full ? null : Evaluation.ErrorRate(net, p2),
            PaperTrainError = entry.PaperTrainError,
            PaperTestError = entry.PaperTestError,
            TrainSeconds = seconds,
            FromCheckpoint = reused,
            Settings = settings,
            Seed = options.Seed,
            SamplesPerSecond = reused ? 0 : throughput,
        };
        return (net, result);
    }

    private static SgdOptions Scale(SgdOptions sgd, ReproduceOptions options) =>
        options.Quick ? sgd with { Epochs = Math.Max(1, sgd.Epochs / 5) } : sgd;

    private static bool IsComplete(string checkpoint, INetwork net, string settings, int epochs)
    {
        try
        {
            CheckpointState state = Checkpoint.Load(checkpoint, net);
            return state.EpochsDone >= epochs && state.Settings == settings;
        }
        catch (CheckpointException)
        {
            return false;
        }
    }

    /// <summary>
    /// Moves a checkpoint of <paramref name="net"/> made with other settings (or unreadable) to <c>PATH.stale</c>, so that
    /// the model is trained afresh by the current recipe instead of failing to resume; a checkpoint of the same settings
    /// stays to be resumed or reused.
    /// </summary>
    private static void SetAsideStale(string checkpoint, INetwork net, string settings, TextWriter log)
    {
        if (!File.Exists(checkpoint)) return;
        string reason;
        try
        {
            float[] before = net.Parameters.ToArray(); // loading replaces the parameters (only when the whole file is valid)
            CheckpointState state = Checkpoint.Load(checkpoint, net);
            before.CopyTo(net.Parameters);
            if (state.Settings == settings) return;
            reason = $"made with other settings ({state.Settings})";
        }
        catch (CheckpointException e)
        {
            reason = e.Message;
        }

        File.Move(checkpoint, checkpoint + ".stale", overwrite: true);
        log.WriteLine($"{Path.GetFileName(checkpoint)}: {reason}; moved to {Path.GetFileName(checkpoint)}.stale, training afresh with: {settings}");
    }

    /// <summary>Writes results.json, report.md and a self-contained report.html into <paramref name="directory"/> (each atomically).</summary>
    public static void WriteOutputs(string directory, ReproductionResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
        WriteAtomically(Path.Combine(directory, "results.json"), json);
        string markdown = Report(results);
        WriteAtomically(Path.Combine(directory, "report.md"), markdown);
        WriteAtomically(Path.Combine(directory, "report.html"), Intriguing.Reporting.HtmlReport.Convert(markdown, directory, "Intriguing properties of neural networks — reproduction report"));
    }

    /// <summary>The Markdown report: our figures beside the paper's, with the gaps, settings and times.</summary>
    public static string Report(ReproductionResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var ci = CultureInfo.InvariantCulture;
        string Pct(double? v) => v is null || double.IsNaN(v.Value) ? "–" : (100 * v.Value).ToString("F2", ci) + "%";
        string Gap(double ours, double? paper) => paper is null || double.IsNaN(paper.Value) ? "–" : ((100 * (ours - paper.Value)) >= 0 ? "+" : "") + (100 * (ours - paper.Value)).ToString("F2", ci);
        var sb = new StringBuilder();
        sb.AppendLine("# Intriguing properties of neural networks — reproduction report");
        sb.AppendLine();
        if (r.Quick) sb.AppendLine("> **Quick run (`--quick`)**: a fifth of the training epochs. Figures are indicative only; run without `--quick` for the full reproduction.").AppendLine();
        sb.AppendLine(string.Create(ci, $"Seed {r.Seed}. Machine: {r.Machine}. Total time {r.TotalSeconds:F0} s."));
        sb.AppendLine();
        sb.AppendLine("## Table 1 — MNIST models");
        sb.AppendLine();
        sb.AppendLine("| model | train error | paper | gap (points) | test error | paper | gap (points) | training time |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ModelResult m in r.Models.Where(m => m.Table is "Table 1" or "Sec. 3"))
        {
            sb.AppendLine(string.Create(ci, $"| {m.Name}{(m.Table == "Sec. 3" ? " (extra: not in Table 1)" : "")} | {Pct(m.TrainError)} | {Pct(m.PaperTrainError)} | {Gap(m.TrainError, m.PaperTrainError)} | {Pct(m.TestError)} | {Pct(m.PaperTestError)} | {Gap(m.TestError, m.PaperTestError)} | {(m.FromCheckpoint ? "checkpoint" : m.TrainSeconds.ToString("F1", ci) + " s")} |"));
        }

        sb.AppendLine();
        if (r.Models.Any(m => m.Table == "Sec. 3"))
        {
            sb.AppendLine("MNIST-Conv (1×28×28 → Conv 16@5×5 → ReLU → MaxPool 2 → Conv 32@5×5 → ReLU → MaxPool 2 → Dense 100 → ReLU → Dense 10) stands in for the convolutional network of the paper's Sec. 3, which gives neither its shape nor its error; it is not attacked in the adversarial tables.");
            sb.AppendLine();
        }

        if (r.Adversarial is { } adv)
        {
            sb.AppendLine("### Table 1, last column — average minimum distortion");
            sb.AppendLine();
            sb.AppendLine(string.Create(ci, $"{adv.Count} training examples drawn with the seed; each model attacks those it classifies correctly. Distortion is the RMS sqrt(Σ(x′−x)²/784) of the verified adversarial example."));
            sb.AppendLine();
            DistortionTable(sb, adv.Table1);
        }
        else
        {
            sb.AppendLine("The adversarial sections were skipped (--attack-count 0).");
        }

        sb.AppendLine();
        sb.AppendLine("## Table 3 — models trained on disjoint halves P1 and P2 of the training set");
        sb.AppendLine();
        sb.AppendLine("| model | error on P1 | error on P2 | test error | paper test error | gap (points) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (ModelResult m in r.Models.Where(m => m.Table == "Table 3"))
        {
            sb.AppendLine(string.Create(ci, $"| {m.Name} | {Pct(m.P1Error)} | {Pct(m.P2Error)} | {Pct(m.TestError)} | {Pct(m.PaperTestError)} | {Gap(m.TestError, m.PaperTestError)} |"));
        }

        if (r.Adversarial is { } a)
        {
            sb.AppendLine();
            DistortionTable(sb, a.Table3);
            sb.AppendLine();
            CrossTableSection(sb, a.Table2);
            CrossTableSection(sb, a.Table4);
            sb.AppendLine("## Adversarial examples");
            sb.AppendLine();
            sb.AppendLine("Per example: the original (true label t), the difference magnified ten times around grey, and the adversarial example (prediction p), like the paper's Fig. 5 and 7.");
            sb.AppendLine();
            foreach (string figure in a.Figures) sb.AppendLine($"![{figure}]({figure})").AppendLine();
            sb.AppendLine("Attack: " + a.Settings + ".");
            sb.AppendLine();
            sb.AppendLine(string.Create(ci, $"The adversarial sections took {a.Seconds:F0} s."));
        }

        if (r.Table5 is not null || r.Spectral is { Count: > 0 })
        {
            sb.AppendLine();
            Table5Report(sb, r);
        }

        if (r.Units is { Count: > 0 } units)
        {
            sb.AppendLine();
            sb.AppendLine("## Units of φ(x) (Sec. 3, Fig. 1 and 2)");
            sb.AppendLine();
            sb.AppendLine("For FC100-100-10 (both sigmoid layers), MNIST-Conv (activation 8: the ReLU of its 100-unit dense layer, after the second pooling) and the MNIST test set: per row the 8 images that maximise one unit ⟨φ(x), e_i⟩ (seeded units) or one random unit-norm direction ⟨φ(x), v⟩, with the value under each image. "
                + "Label purity = fraction of a row's images that share its most common label, averaged over the rows; mean ± standard deviation over seeds. "
                + "The paper used a convolutional network and showed the rows look equally \"semantic\"; here is the same question, measured.");
            sb.AppendLine();
            sb.AppendLine("| model | activation | rows × images | seeds | purity, single units | purity, random directions |");
            sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
            foreach (UnitsSection u in units)
            {
                string where = u.Model == ConvModel ? "ReLU after Dense 100" : $"sigmoid {u.Layer / 2}";
                sb.AppendLine(string.Create(ci, $"| {u.Model} | {u.Layer} ({where}) | {u.Rows} × {u.Count} | {u.Seeds} | {u.NaturalPurity:P1} ± {u.NaturalPuritySd:P1} | {u.RandomPurity:P1} ± {u.RandomPuritySd:P1} |"));
            }

            sb.AppendLine();
            foreach (UnitsSection u in units)
            {
                sb.AppendLine($"{u.Model}, activation {u.Layer}, single units | random directions:").AppendLine();
                sb.AppendLine($"![{u.NaturalFigure}]({u.NaturalFigure}) ![{u.RandomFigure}]({u.RandomFigure})").AppendLine();
            }
        }

        if (r.AdversarialTraining is { } advTraining)
        {
            sb.AppendLine();
            sb.Append(AdversarialTrainingExperiment.Section(advTraining));
        }

        sb.AppendLine();
        sb.AppendLine("## Settings");
        sb.AppendLine();
        sb.AppendLine("The paper gives the architectures and weight decays but not the optimiser; ours are below. Weight decay adds (λ/2)·‖W‖² per layer to the mean cross-entropy.");
        sb.AppendLine();
        foreach (ModelResult m in r.Models)
        {
            sb.AppendLine(string.Create(ci, $"- **{m.Name}** ({m.Split}): {m.Settings}{(m.SamplesPerSecond > 0 ? $"; {m.SamplesPerSecond:N0} samples/s" : "")}"));
        }

        return sb.ToString();
    }

    private static void Table5Report(StringBuilder sb, ReproductionResults r)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## Lipschitz bounds — Table 5 (Sec. 4.3)");
        sb.AppendLine();
        sb.AppendLine("Per-layer upper bounds of the Lipschitz constant in the L2 norm. Convolutions by the Fourier method (the kernels' DFT on the periodic map, the largest singular value over frequencies, strides by the aliased frequencies with the corrected Δ⁻¹ factor; every frequency certified). "
            + "With zero padding, as in all networks here, the Fourier value is the norm of the circular convolution on a map at least p larger, which bounds the zero-padded layer's norm from above: the conv bounds are upper bounds, not exact norms. "
            + "Dense layers by their largest singular value (Lanczos, rounded up). ReLU and dropout (at inference) 1; max-pooling 1 for non-overlapping windows and √(windows per input) when they overlap (the paper's 1 is wrong for AlexNet's 3×3 windows at stride 2, where it is √4 = 2); "
            + "local response normalisation k^(−β)·(1 + 2β·q·n^(3/4)) (≈ 1.50 for AlexNet); soft-max 1/2.");
        sb.AppendLine();
        if (r.Table5 is { } t5)
        {
            sb.AppendLine("### (a) AlexNet's layer shapes, seeded random weights");
            sb.AppendLine();
            sb.AppendLine("**The paper's values come from Krizhevsky et al.'s trained weights, which are not available offline; ours use " + AlexNetWeights.Split(" (")[0] + ". "
                + "The values therefore differ and only the method and the shapes are comparable** (random He weights give each layer a norm set by its fan-in and shape, not by training). "
                + "No two-GPU grouping: every convolution sees all channels of the previous layer, as in the paper's sizes.");
            sb.AppendLine();
            SpectralExperiments.Table(sb, t5.AlexNet);
            sb.AppendLine();
            if (t5.Conv is { } conv)
            {
                sb.AppendLine("### (b) MNIST-Conv, trained");
                sb.AppendLine();
                SpectralExperiments.Table(sb, conv);
                sb.AppendLine();
                sb.AppendLine("The attack is not run on MNIST-Conv (its cost); the certified radius is a guaranteed lower bound on the distortion any attack needs.");
                sb.AppendLine();
            }
        }

        if (r.Spectral is { Count: > 0 } rows) SpectralExperiments.Section(sb, rows, r.Adversarial?.Table1);
        foreach (string figure in r.SpectralFigures ?? new List<string>()) sb.AppendLine($"![{figure}]({figure})").AppendLine();
    }

    /// <summary>The adversarial sections alone, as Markdown (for <c>intriguing transfer</c>).</summary>
    public static string AdversarialReport(AdversarialResults a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var sb = new StringBuilder();
        sb.AppendLine("# Adversarial examples: distortion and cross-model generalisation").AppendLine();
        sb.AppendLine("## Table 1, last column (examples from the training set)").AppendLine();
        DistortionTable(sb, a.Table1);
        sb.AppendLine().AppendLine("## Table 3, last column (examples from the test set)").AppendLine();
        DistortionTable(sb, a.Table3);
        sb.AppendLine();
        CrossTableSection(sb, a.Table2);
        CrossTableSection(sb, a.Table4);
        foreach (string figure in a.Figures) sb.AppendLine($"![{figure}]({figure})").AppendLine();
        sb.AppendLine("Attack: " + a.Settings + ".");
        return sb.ToString();
    }

    private static void DistortionTable(StringBuilder sb, List<DistortionStats> stats)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("| model | attacked | untargeted minimum (best of 9 targets) | random target | paper | gap (random − paper) | median time per example: 9 targets / 1 target | evaluations (9 targets) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (DistortionStats s in stats)
        {
            sb.AppendLine(string.Create(ci, $"| {s.Model} | {s.Attempted} | {s.MeanDistortion:F4} ± {s.Ci95:F4} ({s.Succeeded} found) | {s.RandomTargetDistortion:F4} ± {s.RandomTargetCi95:F4} ({s.RandomTargetSucceeded} found) | {s.PaperDistortion:F3} | {s.RandomTargetDistortion - s.PaperDistortion:+0.0000;-0.0000} | {s.MedianMilliseconds:F0} ms / {s.RandomTargetMedianMilliseconds:F0} ms | {s.MeanEvaluations:F0} |"));
        }

        sb.AppendLine();
        sb.AppendLine("The untargeted minimum is the smallest distortion over all nine wrong labels (each by the full c-search); with one random wrong label per example the distortion is larger. "
            + "The paper does not say how it chose targets; its figures are close to our random-target column, which suggests one target per example.");
    }

    private static void CrossTableSection(StringBuilder sb, CrossTable table)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## " + table.Title);
        sb.AppendLine();
        sb.AppendLine("Each cell: our error (the paper's error, difference in points). Rows are sets of examples; columns the models tested on them.");
        sb.AppendLine();
        sb.AppendLine("| examples | " + string.Join(" | ", table.Columns) + " | distortion (paper) |");
        sb.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", table.Columns.Length + 1)));
        var notes = new List<string>();
        foreach (CrossRow row in table.Rows)
        {
            var cells = new List<string>();
            for (int c = 0; c < row.Errors.Length; c++)
            {
                double ours = 100 * row.Errors[c];
                if (row.PaperErrors is { } p)
                {
                    double diff = Math.Round(ours - 100 * p[c], 1);
                    if (diff == 0) diff = 0; // no "-0.0"
                    cells.Add(string.Create(ci, $"{ours:F1}% ({100 * p[c]:0.#}%, {diff:+0.0;-0.0})"));
                    if (Math.Abs(diff) > 10) notes.Add(string.Create(ci, $"{row.Name} on {table.Columns[c]}: {ours:F1}% vs {100 * p[c]:0.#}%"));
                }
                else
                {
                    cells.Add(string.Create(ci, $"{ours:F1}%"));
                }
            }

            sb.AppendLine($"| {row.Name} | {string.Join(" | ", cells)} | {row.Distortion.ToString("F3", ci)} ({(row.PaperDistortion is { } pd ? pd.ToString("0.###", ci) : "–")}) |");
        }

        sb.AppendLine();
        if (notes.Count > 0)
        {
            sb.AppendLine("Cells more than 10 points from the paper: " + string.Join("; ", notes) + ". "
                + "What we know about why: the paper does not give how many examples it used, how targets were chosen, the optimiser of the models or the attack's iteration limits; "
                + "transfer rates depend strongly on how far past the decision boundary an example lies, and our examples sit on the boundary of the attacked model (minimum distortion), which makes them transfer less than examples pushed further.");
            sb.AppendLine();
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
