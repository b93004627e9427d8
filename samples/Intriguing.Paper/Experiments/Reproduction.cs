using System.Diagnostics;
using System.Globalization;
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

    /// <summary>Test examples of the certification section (null: 1,000, or 100 with <see cref="Quick"/>; 0 skips it).</summary>
    public int? CertifyCount { get; init; }

    /// <summary>
    /// Seeds of the adversarial-training comparison (Sec. 4.2; default 3, or 1 tiny run with --quick). Zero skips it.
    /// Its runs are kept under OUT/advtrain/ and reused, like the checkpoints.
    /// </summary>
    public int? AdvTrainSeeds { get; init; }

    /// <summary>
    /// Examples drawn per model for the head-to-head of L-BFGS against the minimum-norm attacks (default 100, or 10 with
    /// --quick). Zero skips it.
    /// </summary>
    public int? HeadToHeadCount { get; init; }

    /// <summary>Forward-and-backward passes per example the head-to-head's attacks are set to (default 1000, or 200 with --quick).</summary>
    public int? HeadToHeadBudget { get; init; }

    /// <summary>
    /// Seeds of the section "Controlling instability" (default 3, or 1 with --quick; zero skips it). Its runs are kept
    /// under OUT/control/ (OUT/control-quick/) and reused.
    /// </summary>
    public int? ControlSeeds { get; init; }

    /// <summary>Test examples per dense model of that section for CROWN and L-BFGS (default 100, or 20 with --quick; a fifth for MNIST-Conv).</summary>
    public int? ControlCount { get; init; }
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

    /// <summary>Certified radii of the Table 1 models and MNIST-Conv: the bracket, the curves and the histogram.</summary>
    public CertificationSection? Certification { get; init; }

    /// <summary>Units of φ(x) (Sec. 3) for FC100-100-10's two hidden layers and MNIST-Conv's dense hidden layer.</summary>
    public List<UnitsSection>? Units { get; init; }

    /// <summary>The hidden-layer adversarial-training comparison (Sec. 4.2), if run.</summary>
    public AdvTrainResults? AdversarialTraining { get; init; }

    /// <summary>L-BFGS against the minimum-norm attacks on the Table 1 models and MNIST-Conv, if run.</summary>
    public HeadToHeadResults? HeadToHead { get; init; }

    /// <summary>Controlling instability: training with increasing control of the layers' norms, measured, if run.</summary>
    public ControlSection? Control { get; init; }
}

/// <summary>Trains (or reuses) every model of the paper and runs every experiment on them.</summary>
public static class Reproduction
{
    /// <summary>Runs the reproduction (the caller writes the report: <see cref="ReproductionReport.WriteOutputs"/>); <paramref name="log"/> receives one line per step, <paramref name="progress"/> training progress.</summary>
    public static ReproductionResults Run(ReproduceOptions options, TextWriter log, Func<string, IProgress<TrainingProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        var (results, networks) = ModelTraining.TrainAll(Catalog.Models.Concat(Catalog.Additional), options, log, progress, cancellationToken);
        int attackCount = options.AttackCount ?? (options.Quick ? 20 : 100);
        AdversarialResults? adversarial = attackCount > 0
            ? AdversarialExperiments.Run(networks, options.Data, attackCount, options.Seed, options.Threads, options.OutputDirectory, log, cancellationToken)
            : null;
        string[] table1 = Catalog.Models.Where(m => m.Table == "Table 1").Select(m => m.Name).ToArray();
        int headCount = options.HeadToHeadCount ?? (options.Quick ? 10 : 100);
        HeadToHeadResults? headToHead = headCount > 0
            ? HeadToHeadExperiment.Run(networks, [.. table1, ConvModel], options.Data, headCount, options.HeadToHeadBudget ?? (options.Quick ? 200 : 1000), options.Seed, options.Threads, log, cancellationToken)
            : null;
        int[] lowerDraw = SpectralExperiments.TestDraw(options.Data.Test, options.Quick ? 100 : SpectralExperiments.DefaultExamples, options.Seed);
        List<SpectralRow> spectral = SpectralExperiments.Run(networks, table1, options.Data.Train, AdversarialExperiments.TrainDraw(options.Data, Math.Max(attackCount, 20), options.Seed), options.Data.Test, lowerDraw);
        Table5Section table5 = Table5(networks, options, lowerDraw, log);
        List<string> spectralFigures = SpectralReport.Charts(options.OutputDirectory, table5, spectral);
        int certifyCount = options.CertifyCount ?? (options.Quick ? 100 : CertificationExperiments.DefaultExamples);
        CertificationSection? certification = certifyCount > 0
            ? CertificationExperiments.Run(networks, table1.Append(ConvModel), options.Data.Test, certifyCount, options.Seed, options.Threads, options.OutputDirectory, log, cancellationToken, convCount: options.Quick ? 10 : CertificationExperiments.ConvExamples, attackSteps: options.Quick ? 200 : 1000)
            : null;
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

        int controlSeeds = options.ControlSeeds ?? (options.Quick ? 1 : 3);
        ControlSection? control = null;
        if (controlSeeds > 0)
        {
            var controlOptions = new ControlOptions
            {
                OutputDirectory = options.OutputDirectory,
                Data = options.Data,
                Quick = options.Quick,
                Seeds = Enumerable.Range(0, controlSeeds).Select(i => options.Seed + (ulong)i).ToArray(),
                Examples = options.ControlCount ?? (options.Quick ? 20 : 100),
                Threads = options.Threads,
            };
            control = ControlExperiment.Run(controlOptions, log, progress, cancellationToken);
        }

        var all = new ReproductionResults
        {
            Control = control,
            AdversarialTraining = advTraining,
            Adversarial = adversarial,
            HeadToHead = headToHead,
            Units = unitSections,
            Certification = certification,
            Spectral = spectral,
            Table5 = table5,
            SpectralFigures = spectralFigures,
            Quick = options.Quick,
            Seed = options.Seed,
            Machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
            Models = results,
            TotalSeconds = clock.Elapsed.TotalSeconds,
        };
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

        // Table 5 on trained weights: ResNet-18 from the NuGet package the build restores (skipped with a note when absent).
        TrainedTable5Result? resnet = null;
        if (TrainedTable5.Locate() is { } path)
        {
            resnet = TrainedTable5.Analyze(path, options.Seed);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ResNet18 (trained): bounds of {resnet.Convolutions.Count} convolutions and {resnet.Blocks.Count} blocks in {resnet.Seconds:F1} s (random weights of the same shapes {resnet.RandomSeconds:F1} s), bound of the network {resnet.Bound:G4}"));
        }
        else
        {
            log.WriteLine($"ResNet18.onnx not found (restore the solution, or set {TrainedTable5.PathVariable}); Table 5 on trained weights skipped.");
        }

        return new Table5Section(alex, conv, resnet);
    }
}
