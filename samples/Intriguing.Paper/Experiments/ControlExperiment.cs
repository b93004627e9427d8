using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intriguing.Adversarial;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Spectral;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>One step of a model's control ladder: how strongly training controls the layers' operator norms.</summary>
/// <param name="Id">Short name, used in file names, e.g. <c>margin-tau4-eps1</c>.</param>
/// <param name="Label">What it is, for the report, e.g. <c>margin + project, τ 4, ε 1</c>.</param>
/// <param name="Lipschitz">The control (null: the uncontrolled recipe).</param>
/// <param name="LearningRate">A learning rate other than the recipe's, or null.</param>
public sealed record ControlVariant(string Id, string Label, LipschitzOptions? Lipschitz, float? LearningRate = null);

/// <summary>A model of the section and its ladder.</summary>
/// <param name="Model">Catalogue name.</param>
/// <param name="Epochs">Epochs of the full schedule.</param>
/// <param name="QuickEpochs">Epochs with <c>--quick</c>.</param>
/// <param name="Variants">The ladder, from the uncontrolled recipe to the strongest control.</param>
public sealed record ControlLadder(string Model, int Epochs, int QuickEpochs, IReadOnlyList<ControlVariant> Variants);

/// <summary>Settings of the section "Controlling instability".</summary>
public sealed record ControlOptions
{
    /// <summary>Output folder; runs are kept under <c>control/</c> (<c>control-quick/</c> with <see cref="Quick"/>).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The MNIST data.</summary>
    public required MnistData Data { get; init; }

    /// <summary>Seeds, one run per variant and seed.</summary>
    public required IReadOnlyList<ulong> Seeds { get; init; }

    /// <summary>
    /// Short schedule: each ladder's quick epochs on the first fifth of the training set (12,000 MNIST images);
    /// labelled as such.
    /// </summary>
    public bool Quick { get; init; }

    /// <summary>
    /// Test examples per run of a dense model for the per-example figures (CROWN radius, L-BFGS minimum distortion);
    /// a convolutional model gets a fifth of them (at least 1), CROWN costing seconds per example there.
    /// </summary>
    public int Examples { get; init; } = 100;

    /// <summary>The ladders (default <see cref="ControlExperiment.Ladders"/>).</summary>
    public IReadOnlyList<ControlLadder>? Ladders { get; init; }

    /// <summary>Threads for training, attacks and certificates.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Train and measure nothing: summarise the finished runs found in the folder (whatever settings they were made
    /// with; each run's settings line is in its record); missing runs are left out and listed.
    /// </summary>
    public bool ReportOnly { get; init; }
}

/// <summary>One trained network of the section and its figures.</summary>
public sealed record ControlRun
{
    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Variant id.</summary>
    public required string Variant { get; init; }

    /// <summary>Seed of initialisation and shuffling.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The trainer's settings line (the key of the checkpoint).</summary>
    public required string Settings { get; init; }

    /// <summary>What the figures were measured on (the key of the figures; a change re-measures a trained network).</summary>
    public required string Evaluation { get; init; }

    /// <summary>Error on the whole test set.</summary>
    public required double TestError { get; init; }

    /// <summary>Certified bounds of the dense and convolution layers, in order.</summary>
    public required double[] LayerBounds { get; init; }

    /// <summary>The product of every layer's bound below the soft-max, L (the logit bound).</summary>
    public required double BoundProduct { get; init; }

    /// <summary>Certified accuracy on the whole test set from the global bound (margin &gt; √2·L·ε) at <see cref="ControlExperiment.Radii"/>.</summary>
    public required double[] GlobalCertified { get; init; }

    /// <summary>Certified accuracy on the whole test set from the per-class-pair bounds at <see cref="ControlExperiment.Radii"/>.</summary>
    public required double[] PairCertified { get; init; }

    /// <summary>Test examples drawn for the per-example figures.</summary>
    public required int Examples { get; init; }

    /// <summary>Of those, classified correctly.</summary>
    public required int Correct { get; init; }

    /// <summary>Mean global certified radius margin/(√2·L) over the correctly classified drawn examples.</summary>
    public required double MeanGlobalRadius { get; init; }

    /// <summary>Mean certified L2 radius by CROWN (in the pixel box) over the correctly classified drawn examples.</summary>
    public required double MeanCrownRadius { get; init; }

    /// <summary>Median of the same.</summary>
    public required double MedianCrownRadius { get; init; }

    /// <summary>Certified accuracy of the drawn examples by CROWN at <see cref="ControlExperiment.Radii"/>.</summary>
    public required double[] CrownCertified { get; init; }

    /// <summary>Mean per-class-pair certified radius (GloRo's pair bounds) over the correctly classified drawn examples.</summary>
    public required double MeanPairRadius { get; init; }

    /// <summary>
    /// Mean over the correctly classified drawn examples of the best of the three certificates (global, pair bounds,
    /// CROWN): each is sound, so the largest is too.
    /// </summary>
    public required double MeanBestRadius { get; init; }

    /// <summary>Certified accuracy of the drawn examples by the best of the three certificates at <see cref="ControlExperiment.Radii"/>.</summary>
    public required double[] BestCertified { get; init; }

    /// <summary>Mean L2 minimum distortion of the untargeted L-BFGS attack (best of the 9 wrong labels) over its successes.</summary>
    public required double MeanAttackL2 { get; init; }

    /// <summary>The same as an RMS per pixel (Table 1's unit).</summary>
    public required double MeanAttackRms { get; init; }

    /// <summary>Successful attacks (of <see cref="Correct"/>).</summary>
    public required int AttackSucceeded { get; init; }

    /// <summary>Drawn examples whose best certified radius (see <see cref="MeanBestRadius"/>) exceeds the attack's distortion (a broken certificate; must be 0).</summary>
    public required int Violations { get; init; }

    /// <summary>Seconds of training in the run that trained it (0 if it resumed a finished checkpoint).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Seconds of the measurement (certificates and attack).</summary>
    public required double EvaluationSeconds { get; init; }

    /// <summary>Of those, seconds of the CROWN certificates of the drawn examples.</summary>
    public double CrownSeconds { get; init; }

    /// <summary>Of those, seconds of the L-BFGS attack on the drawn examples.</summary>
    public double AttackSeconds { get; init; }

    /// <summary>Whether the figures were reused from an earlier invocation.</summary>
    public bool FromCheckpoint { get; init; }
}

/// <summary>One variant over its seeds: means and sample standard deviations of the runs that did not collapse.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Variant">Variant id.</param>
/// <param name="Label">Variant label.</param>
/// <param name="Seeds">Runs in the means (collapsed ones excluded).</param>
/// <param name="TestError">Mean test error.</param>
/// <param name="TestErrorSd">Its standard deviation.</param>
/// <param name="BoundProduct">Geometric mean of L.</param>
/// <param name="MeanGlobalRadius">Mean of the runs' mean global radius.</param>
/// <param name="MeanCrownRadius">Mean of the runs' mean CROWN radius.</param>
/// <param name="MeanCrownRadiusSd">Its standard deviation.</param>
/// <param name="MeanAttackL2">Mean of the runs' mean L-BFGS minimum distortion.</param>
/// <param name="MeanAttackL2Sd">Its standard deviation.</param>
/// <param name="GlobalCertified">Mean certified accuracy (global bound, whole test set) at the radii.</param>
/// <param name="PairCertified">Mean certified accuracy (pair bounds, whole test set) at the radii.</param>
/// <param name="CrownCertified">Mean certified accuracy (CROWN, drawn examples) at the radii.</param>
/// <param name="MeanPairRadius">Mean of the runs' mean pair-bound radius.</param>
/// <param name="MeanBestRadius">Mean of the runs' mean best radius.</param>
/// <param name="BestCertified">Mean certified accuracy (best of the three certificates, drawn examples) at the radii.</param>
/// <param name="Violations">Broken certificates over all runs (must be 0).</param>
public sealed record ControlSummary(string Model, string Variant, string Label, int Seeds, double TestError, double TestErrorSd, double BoundProduct,
    double MeanGlobalRadius, double MeanCrownRadius, double MeanCrownRadiusSd, double MeanAttackL2, double MeanAttackL2Sd,
    double[] GlobalCertified, double[] PairCertified, double[] CrownCertified, int Violations, double MeanPairRadius, double MeanBestRadius, double[] BestCertified)
{
    /// <summary>Runs left out of the means because they collapsed (<see cref="ControlExperiment.Collapsed"/>).</summary>
    public int Collapsed { get; init; }
}

/// <summary>The section "Controlling instability".</summary>
public sealed record ControlSection
{
    /// <summary>Short schedule (<c>--quick</c>).</summary>
    public required bool Quick { get; init; }

    /// <summary>The radii of the certified accuracies.</summary>
    public required double[] Radii { get; init; }

    /// <summary>Per model: the schedule (epochs, training data, examples).</summary>
    public required Dictionary<string, string> Schedules { get; init; }

    /// <summary>Per model: the recipe the variants start from.</summary>
    public required Dictionary<string, string> Recipes { get; init; }

    /// <summary>Seeds.</summary>
    public required ulong[] Seeds { get; init; }

    /// <summary>Per variant over the seeds, ladder order.</summary>
    public required List<ControlSummary> Summaries { get; init; }

    /// <summary>Every run.</summary>
    public required List<ControlRun> Runs { get; init; }

    /// <summary>The figures (file names relative to the output folder).</summary>
    public required List<string> Figures { get; init; }

    /// <summary>Runs not found (report-only mode), e.g. "MNIST-Conv none seed 2".</summary>
    public List<string> Missing { get; init; } = [];

    /// <summary>Wall time of this invocation, seconds.</summary>
    public required double Seconds { get; init; }
}

/// <summary>
/// The paper's Sec. 4.3 remedy, measured: networks trained with increasing control of their layers' operator norms
/// (projection, Lipschitz-margin and GloRo training), and what it buys in bound product, certified radius (global and
/// per example), minimum distortion and certified accuracy, against what it costs in clean error.
/// </summary>
public static class ControlExperiment
{
    /// <summary>The L2 radii of the certified accuracies (GloRo's MNIST radius 1.58 last).</summary>
    public static readonly double[] Radii = [0.5, 1.0, 1.58];

    /// <summary>The default ladders: FC100-100-10, MNIST-Conv and the certified-training architecture MNIST-4C3F-small.</summary>
    public static IReadOnlyList<ControlLadder> Ladders { get; } =
    [
        // 20 epochs instead of the recipe's 50 (docs/lipschitz.md measured these settings at 20 epochs).
        new ControlLadder("FC100-100-10", 20, 4,
        [
            new ControlVariant("none", "uncontrolled", null),
            new ControlVariant("project-tau8", "project, τ 8", new LipschitzOptions { Project = true, Tau = 8 }),
            new ControlVariant("project-tau4", "project, τ 4", new LipschitzOptions { Project = true, Tau = 4 }),
            new ControlVariant("margin-tau4-eps0.5", "margin + project, τ 4, ε 0.5", new LipschitzOptions { Project = true, Tau = 4, MarginEpsilon = 0.5f }),
            new ControlVariant("margin-tau4-eps1", "margin + project, τ 4, ε 1 (warm-up 5)", new LipschitzOptions { Project = true, Tau = 4, MarginEpsilon = 1, MarginWarmupEpochs = 5 }),
            new ControlVariant("gloro-tau4-eps1", "GloRo + project, τ 4, ε 1 (warm-up 5)", new LipschitzOptions { Project = true, Tau = 4, GloRoEpsilon = 1, MarginWarmupEpochs = 5 }),
        ]),
        // 2 epochs instead of the recipe's 3. The margin objective at ε 0.5 collapses at the recipe's rate 0.05
        // (docs/lipschitz.md), so it runs at 0.01.
        new ControlLadder("MNIST-Conv", 2, 1,
        [
            new ControlVariant("none", "uncontrolled", null),
            new ControlVariant("project-tau4", "project, τ 4", new LipschitzOptions { Project = true, Tau = 4 }),
            new ControlVariant("project-tau2", "project, τ 2", new LipschitzOptions { Project = true, Tau = 2 }),
            new ControlVariant("margin-tau2-eps0.1", "margin + project, τ 2, ε 0.1 (warm-up 1)", new LipschitzOptions { Project = true, Tau = 2, MarginEpsilon = 0.1f, MarginWarmupEpochs = 1 }),
            new ControlVariant("margin-tau2-eps0.5", "margin + project, τ 2, ε 0.5 (warm-up 1), rate 0.01", new LipschitzOptions { Project = true, Tau = 2, MarginEpsilon = 0.5f, MarginWarmupEpochs = 1 }, 0.01f),
            new ControlVariant("gloro-tau2-eps0.5", "GloRo + project, τ 2, ε 0.5 (warm-up 1)", new LipschitzOptions { Project = true, Tau = 2, GloRoEpsilon = 0.5f, MarginWarmupEpochs = 1 }),
        ]),
        // The certified-training architecture (GloRo's 4C3F, smaller), on MNIST-Conv's schedule; not tuned.
        new ControlLadder("MNIST-4C3F-small", 2, 1,
        [
            new ControlVariant("none", "uncontrolled", null),
            new ControlVariant("project-tau2", "project, τ 2", new LipschitzOptions { Project = true, Tau = 2 }),
            new ControlVariant("margin-tau2-eps0.1", "margin + project, τ 2, ε 0.1 (warm-up 1)", new LipschitzOptions { Project = true, Tau = 2, MarginEpsilon = 0.1f, MarginWarmupEpochs = 1 }),
            new ControlVariant("gloro-tau2-eps0.5", "GloRo + project, τ 2, ε 0.5 (warm-up 1)", new LipschitzOptions { Project = true, Tau = 2, GloRoEpsilon = 0.5f, MarginWarmupEpochs = 1 }),
        ]),
    ];

    /// <summary>Test error above which a run counts as collapsed (a near-constant network, e.g. every norm driven to 0): left out of the means and the figures, named in the report.</summary>
    public const double CollapsedError = 0.5;

    /// <summary>Whether <paramref name="run"/> collapsed (see <see cref="CollapsedError"/>).</summary>
    public static bool Collapsed(ControlRun run) => run is not null && run.TestError > CollapsedError;

    /// <summary>Training images of a quick run (the first fifth of MNIST's training set).</summary>
    public const int QuickTrainCount = 12000;

    /// <summary>Trains (or reuses) every variant × seed of every ladder and measures it; draws the figures.</summary>
    public static ControlSection Run(ControlOptions options, TextWriter log, Func<string, IProgress<TrainingProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ControlLadder> ladders = options.Ladders ?? Ladders;
        string folder = Path.Combine(options.OutputDirectory, options.Quick ? "control-quick" : "control");
        Directory.CreateDirectory(folder);
        Dataset train = options.Quick ? options.Data.Train.Take(QuickTrainCount, $"the first images of {options.Data.Train.Name}") : options.Data.Train;
        var runs = new List<ControlRun>();
        var schedules = new Dictionary<string, string>();
        var recipes = new Dictionary<string, string>();
        var missing = new List<string>();
        foreach (ControlLadder ladder in ladders)
        {
            ModelEntry entry = Catalog.Find(ladder.Model) ?? throw new ArgumentException($"Unknown model '{ladder.Model}'.");
            if (entry.Recipe is not SgdRecipe) throw new ArgumentException($"{ladder.Model} is not trained by mini-batch SGD.");
            int epochs = options.Quick ? ladder.QuickEpochs : ladder.Epochs;
            int examples = ExamplesFor(entry.Create(1), options.Examples);
            int[] draw = SpectralExperiments.TestDraw(options.Data.Test, examples, 1);
            schedules[ladder.Model] = string.Create(CultureInfo.InvariantCulture, $"{epochs} epoch{(epochs == 1 ? "" : "s")} on {train.Name} ({train.Count:N0} images); {draw.Length} seeded test images for CROWN and L-BFGS, the whole test set ({options.Data.Test.Count:N0}) for the error and the global and pair certificates");
            recipes[ladder.Model] = entry.Sgd.Describe();
            foreach (ulong seed in options.Seeds)
            {
                foreach (ControlVariant variant in ladder.Variants)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (options.ReportOnly)
                    {
                        if (Finished(folder, entry.Name, variant.Id, seed) is { } finished) runs.Add(finished with { FromCheckpoint = true });
                        else missing.Add($"{ladder.Model} {variant.Id} seed {seed}");
                        continue;
                    }

                    ControlRun run = RunOne(entry, variant, Scale(variant, epochs, ladder.Epochs), epochs, seed, train, options.Data.Test, draw, folder, options.Threads, log, progress?.Invoke($"{ladder.Model} {variant.Id} seed {seed}"), cancellationToken);
                    runs.Add(run);
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"control {ladder.Model} {variant.Id} seed {seed}: test error {run.TestError:P2}, L {run.BoundProduct:G4}, mean radius global {run.MeanGlobalRadius:G3} / CROWN {run.MeanCrownRadius:G3}, L-BFGS mean distortion {run.MeanAttackL2:G3}, certified (CROWN) at 1.58 {run.CrownCertified[^1]:P1}, {run.Violations} broken; {(run.FromCheckpoint ? "from checkpoint" : $"trained in {run.TrainSeconds:F0} s, measured in {run.EvaluationSeconds:F0} s: CROWN {run.CrownSeconds:F0} s, L-BFGS {run.AttackSeconds:F0} s")}"));
                }
            }
        }

        List<ControlSummary> summaries = ladders.SelectMany(l => l.Variants.Select(v => Summarise(l.Model, v, runs.Where(r => r.Model == l.Model && r.Variant == v.Id).ToList()))).ToList();
        var section = new ControlSection
        {
            Quick = options.Quick,
            Radii = Radii,
            Schedules = schedules,
            Recipes = recipes,
            Seeds = options.Seeds.ToArray(),
            Summaries = summaries,
            Runs = runs,
            Figures = [],
            Seconds = 0,
            Missing = missing,
        };
        return section with { Figures = ControlReport.Charts(options.OutputDirectory, section), Seconds = clock.Elapsed.TotalSeconds };
    }

    private static string Stem(string folder, string model, string variant, ulong seed) => Path.Combine(folder, $"{Catalog.FileName(model)}-{variant}-seed{seed}");

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The record of a finished run in <paramref name="folder"/>, whatever its settings; null if there is none or it is unreadable.</summary>
    private static ControlRun? Finished(string folder, string model, string variant, ulong seed)
    {
        string path = Stem(folder, model, variant, seed) + ".json";
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ControlRun>(File.ReadAllText(path), s_json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Drawn examples of a model: <paramref name="examples"/>, or a fifth of them (at least 1) for a convolutional one.</summary>
    public static int ExamplesFor(INetwork network, int examples)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Summary.Layers.Any(l => l.Kind == LayerKind.Conv) ? Math.Max(1, examples / 5) : examples;
    }

    /// <summary>The variant's control on a schedule of <paramref name="epochs"/> instead of <paramref name="fullEpochs"/>: the warm-up scaled alike (at least one epoch).</summary>
    private static LipschitzOptions? Scale(ControlVariant variant, int epochs, int fullEpochs)
    {
        if (variant.Lipschitz is not { MarginWarmupEpochs: > 0 } l || epochs == fullEpochs) return variant.Lipschitz;
        return l with { MarginWarmupEpochs = Math.Max(1, (int)Math.Round((double)l.MarginWarmupEpochs * epochs / fullEpochs)) };
    }

    private static ControlRun RunOne(ModelEntry entry, ControlVariant variant, LipschitzOptions? control, int epochs, ulong seed, Dataset train, Dataset test, int[] draw, string folder, int threads, TextWriter log, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        SgdOptions sgd = entry.Sgd with { Epochs = epochs, Seed = seed, Threads = threads, Lipschitz = control, LearningRate = variant.LearningRate ?? entry.Sgd.LearningRate };
        IClassifier net = entry.Create(seed).AsClassifier();
        string settings = Trainer.Describe(net, sgd) + string.Create(CultureInfo.InvariantCulture, $"; train={train.Name} ({train.Count})");
        string evaluation = string.Create(CultureInfo.InvariantCulture, $"test={test.Name} ({test.Count}); drawn={draw.Length} (seed 1); crown tolerance=0.001; lbfgs every target");
        string stem = Stem(folder, entry.Name, variant.Id, seed);
        JsonSerializerOptions json = s_json;
        ControlRun? done = RunStore.FindRun<ControlRun>(stem, net, settings, r => r.Settings, json, keep: false, log, "control");
        if (done is not null && done.Evaluation == evaluation) return done with { FromCheckpoint = true };

        double trainSeconds = 0;
        if (done is null)
        {
            // The trainer's own checkpoint (every epoch, under its settings line) lets an interrupted run resume; the
            // finished network is saved under the run's settings (training data included) beside its figures.
            net = entry.Create(seed).AsClassifier();
            string trainerSettings = Trainer.Describe(net, sgd);
            RunStore.SetAsideStale(stem + ".train.ckpt", net, trainerSettings, log);
            var clock = Stopwatch.StartNew();
            Trainer.Fit(net, train, sgd with { CheckpointPath = stem + ".train.ckpt" }, progress, cancellationToken);
            Checkpoint.Save(stem + ".ckpt", net, new CheckpointState(epochs, seed, Array.Empty<float>(), settings));
            trainSeconds = clock.Elapsed.TotalSeconds;
        }
        else
        {
            trainSeconds = done.TrainSeconds;
        }

        ControlRun run = Measure(net, test, draw, seed, threads, cancellationToken) with
        {
            Model = entry.Name,
            Variant = variant.Id,
            Seed = seed,
            Settings = settings,
            Evaluation = evaluation,
            TrainSeconds = trainSeconds,
        };
        RunStore.SaveRun(stem, run, json);
        return run;
    }

    /// <summary>
    /// The figures of one trained network: test error, layer bounds and their product L, certified accuracy on the
    /// whole test set from the global and pair bounds, and on the drawn examples the CROWN radii, the global radii and
    /// the L-BFGS minimum distortion. The identity fields (model, variant, settings) are left for the caller.
    /// </summary>
    public static ControlRun Measure(IClassifier net, Dataset test, int[] draw, ulong seed, int threads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(draw);
        if (net is not ICertifiable certifiable) throw new ArgumentException($"{net.Name} has no bound propagation.", nameof(net));
        var clock = Stopwatch.StartNew();
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        double L = report.LogitBound;
        double[] margins = LipschitzCertificate.Margins(net, test);
        double[] pairRadii = LipschitzCertificate.PairRadii(net, test, LipschitzCertificate.PairBounds(net, report));

        double before = clock.Elapsed.TotalSeconds;
        CertifiedRadius[] crown = CertificationExperiments.Certify(certifiable, test, draw, new CertifyOptions { Norm = PerturbationNorm.L2, RelativeTolerance = 1e-3, Threads = threads });
        double crownSeconds = clock.Elapsed.TotalSeconds - before;
        LayerSpaceAttackResult attacked = LayerSpaceAttack.Run(net, test, draw, TargetPolicy.Every, new AttackOptions(), seed, threads, cancellationToken: cancellationToken, batch: 1);
        double attackSeconds = clock.Elapsed.TotalSeconds - before - crownSeconds;
        var attackL2 = new double[draw.Length];
        Array.Fill(attackL2, double.PositiveInfinity);
        foreach (AttackResult r in attacked.Results) if (r.Success) attackL2[r.Index] = r.L2Distortion;
        AttackStatistics stats = AttackStatistics.Of(attacked.Results);

        var drawnMargins = new double[draw.Length];
        for (int i = 0; i < draw.Length; i++) drawnMargins[i] = margins[draw[i]];
        int[] correct = Enumerable.Range(0, draw.Length).Where(i => crown[i].Correct).ToArray();
        var best = new double[draw.Length];
        for (int i = 0; i < draw.Length; i++)
        {
            best[i] = crown[i].Correct ? Math.Max(crown[i].Radius, Math.Max(pairRadii[draw[i]], Math.Max(0, drawnMargins[i]) / (Math.Sqrt(2) * L))) : 0;
        }

        double[] crownSorted = correct.Select(i => crown[i].Radius).Order().ToArray();
        return new ControlRun
        {
            Model = net.Name,
            Variant = "",
            Seed = seed,
            Settings = "",
            Evaluation = "",
            TestError = margins.Count(m => !(m > 0)) / (double)Math.Max(1, margins.Length),
            LayerBounds = report.Layers.Where(l => l.Kind is LayerKind.Dense or LayerKind.Conv).Select(l => l.Bound).ToArray(),
            BoundProduct = L,
            GlobalCertified = Radii.Select(e => LipschitzCertificate.CertifiedAccuracy(margins, L, e)).ToArray(),
            PairCertified = Radii.Select(e => LipschitzCertificate.CertifiedAccuracy(pairRadii, e)).ToArray(),
            Examples = draw.Length,
            Correct = correct.Length,
            MeanGlobalRadius = correct.Length == 0 ? double.NaN : correct.Average(i => Math.Max(0, drawnMargins[i]) / (Math.Sqrt(2) * L)),
            MeanCrownRadius = crownSorted.Length == 0 ? double.NaN : crownSorted.Average(),
            MedianCrownRadius = CertificationExperiments.Quantile(crownSorted, 0.5),
            CrownCertified = Radii.Select(e => crown.Count(c => c.CertifiedAt(e)) / (double)Math.Max(1, draw.Length)).ToArray(),
            MeanPairRadius = correct.Length == 0 ? double.NaN : correct.Average(i => pairRadii[draw[i]]),
            MeanBestRadius = correct.Length == 0 ? double.NaN : correct.Average(i => best[i]),
            BestCertified = Radii.Select(e => correct.Count(i => best[i] >= e) / (double)Math.Max(1, draw.Length)).ToArray(),
            MeanAttackL2 = stats.MeanL2Distortion,
            MeanAttackRms = stats.MeanDistortion,
            AttackSucceeded = stats.Succeeded,
            Violations = correct.Count(i => best[i] > attackL2[i]),
            TrainSeconds = 0,
            EvaluationSeconds = clock.Elapsed.TotalSeconds,
            CrownSeconds = crownSeconds,
            AttackSeconds = attackSeconds,
        };
    }

    private static ControlSummary Summarise(string model, ControlVariant v, List<ControlRun> runs)
    {
        static double Sd(double[] x)
        {
            if (x.Length < 2) return 0;
            double m = x.Average();
            return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Length - 1));
        }

        static double[] Mean(IEnumerable<double[]> rows, int n)
        {
            double[][] all = rows.ToArray();
            return Enumerable.Range(0, n).Select(k => all.Length == 0 ? double.NaN : all.Average(r => r[k])).ToArray();
        }

        int collapsed = runs.Count(Collapsed);
        runs = runs.Where(r => !Collapsed(r)).ToList();
        double[] errors = runs.Select(r => r.TestError).ToArray();
        double[] crown = runs.Select(r => r.MeanCrownRadius).ToArray();
        double[] attack = runs.Select(r => r.MeanAttackL2).ToArray();
        return new ControlSummary(model, v.Id, v.Label, runs.Count,
            runs.Count == 0 ? double.NaN : errors.Average(), Sd(errors),
            runs.Count == 0 ? double.NaN : Math.Exp(runs.Average(r => Math.Log(r.BoundProduct))),
            runs.Count == 0 ? double.NaN : runs.Average(r => r.MeanGlobalRadius),
            runs.Count == 0 ? double.NaN : crown.Average(), Sd(crown),
            runs.Count == 0 ? double.NaN : attack.Average(), Sd(attack),
            Mean(runs.Select(r => r.GlobalCertified), Radii.Length), Mean(runs.Select(r => r.PairCertified), Radii.Length), Mean(runs.Select(r => r.CrownCertified), Radii.Length),
            runs.Sum(r => r.Violations),
            runs.Count == 0 ? double.NaN : runs.Average(r => r.MeanPairRadius),
            runs.Count == 0 ? double.NaN : runs.Average(r => r.MeanBestRadius),
            Mean(runs.Select(r => r.BestCertified), Radii.Length))
        {
            Collapsed = collapsed,
        };
    }
}
