using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intriguing.Adversarial;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>
/// One training variant of the adversarial-training comparison (Szegedy et al., Sec. 4.2).
/// </summary>
/// <param name="Id">Command-line name, e.g. <c>layer2</c>.</param>
/// <param name="Letter">The issue's letter, (a) to (f); (g) and (h) for the extra variants.</param>
/// <param name="Description">What it is, for the report.</param>
/// <param name="Layers">Activations with a pool: for FC100-100-10 0 = input, 2 = hidden layer 1 (after its sigmoid), 4 = hidden layer 2
/// (<see cref="AdvTrainModel.HiddenActivations"/> for every architecture).</param>
/// <param name="Create">Makes the network initialised from a seed.</param>
public sealed record AdvTrainVariant(string Id, string Letter, string Description, int[] Layers, [property: JsonIgnore] Func<ulong, INetwork> Create);

/// <summary>Settings of the adversarial-training comparison.</summary>
public sealed record AdvTrainOptions
{
    /// <summary>Output folder; runs are kept under <c>advtrain/</c> (or <c>advtrain-quick/</c>, <c>advtrain-validation/</c>).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The MNIST data.</summary>
    public required MnistData Data { get; init; }

    /// <summary>
    /// The architecture compared (a name of <see cref="AdvTrainModel.All"/>; default <see cref="AdvTrainModel.DefaultName"/>,
    /// FC100-100-10). Its variants derive from its layers; its runs are kept under <c>advtrain-MODEL/</c> (FC100-100-10:
    /// <c>advtrain/</c>).
    /// </summary>
    public string Model { get; init; } = AdvTrainModel.DefaultName;

    /// <summary>Variant ids to run (default all of the model's six: see <see cref="AdvTrainModel.Variants"/>).</summary>
    public IReadOnlyList<string>? Variants { get; init; }

    /// <summary>Seeds, one run per variant and seed. Default 1, 2, 3 (1 with <see cref="Quick"/>).</summary>
    public IReadOnlyList<ulong>? Seeds { get; init; }

    /// <summary>Epochs; default the model's <see cref="AdvTrainModel.Epochs"/> (FC100-100-10: <see cref="AdversarialTrainingExperiment.ComparisonEpochs"/>, 200; 1 with <see cref="Quick"/>).</summary>
    public int? Epochs { get; init; }

    /// <summary>Tiny run for smoke tests and the quick reproduction: 1 epoch, one seed, small pools; labelled as such.</summary>
    public bool Quick { get; init; }

    /// <summary>
    /// Tuning mode: train on the training set minus a fixed held-out tenth (6,000 images) and report the error on that tenth
    /// instead of the test set. Settings are chosen this way; the test set is only used by the final comparison.
    /// </summary>
    public bool Validation { get; init; }

    /// <summary>Test (or validation) examples drawn for the robustness measurement (default 100; 20 with <see cref="Quick"/>).</summary>
    public int? RobustnessCount { get; init; }

    /// <summary>
    /// Examples of the robustness draw whose certified L2 radius (<see cref="Certifier"/>, CROWN bounds) is also
    /// measured, the first ones of the draw; default 0 (none). Not part of a run's settings: a stored run without the
    /// figure gets it from its checkpoint.
    /// </summary>
    public int CertifyCount { get; init; }

    /// <summary>Pool settings (the layers come from each variant). Default the model's <see cref="AdvTrainModel.Pools"/> (FC100-100-10: <see cref="AdversarialTrainingExperiment.DefaultPools"/>).</summary>
    public AdversarialTrainingOptions? Pools { get; init; }

    /// <summary>Learning rate of every variant; default the model's <see cref="AdvTrainModel.LearningRate"/>, else its catalogue recipe's (see <see cref="AdvTrainModel.Recipe"/>).</summary>
    public float? LearningRate { get; init; }

    /// <summary>Batch size (clean examples per step) of every variant; default the FC100-100-10 recipe's (see <see cref="AdversarialTrainingExperiment.Recipe"/>).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Momentum of every variant; default the FC100-100-10 recipe's (see <see cref="AdversarialTrainingExperiment.Recipe"/>).</summary>
    public float? Momentum { get; init; }

    /// <summary>Threads for training and attacks.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Train nothing: summarise the finished runs of an interrupted comparison (missing runs are left out and listed).</summary>
    public bool ReportOnly { get; init; }

    /// <summary>
    /// Only these runs, by position in <see cref="AdversarialTrainingExperiment.Plan"/> (default all): one part of a
    /// comparison split over several processes. The others are neither run nor listed as missing.
    /// </summary>
    public Range? Only { get; init; }
}

/// <summary>One trained network of the comparison.</summary>
public sealed record AdvTrainRun
{
    /// <summary>Variant id.</summary>
    public required string Variant { get; init; }

    /// <summary>Seed of initialisation, shuffling, pool draws.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Error on the test set (the held-out validation tenth in tuning mode).</summary>
    public required double TestError { get; init; }

    /// <summary>Error on the data trained on.</summary>
    public required double TrainError { get; init; }

    /// <summary>Untargeted minimum RMS input distortion (best of 9 targets), mean over the attacked examples.</summary>
    public required double Robustness { get; init; }

    /// <summary>Its 95% confidence half-width.</summary>
    public required double RobustnessCi95 { get; init; }

    /// <summary>Examples attacked for the robustness figure (those classified correctly) and successes.</summary>
    public required int RobustnessAttacked { get; init; }

    /// <summary>Successful attacks among them.</summary>
    public required int RobustnessSucceeded { get; init; }

    /// <summary>Untargeted minimum RMS distortion in the space of hidden layer 1 (FC100-100-10: activation 2), same examples.</summary>
    public required double HiddenRobustness1 { get; init; }

    /// <summary>Untargeted minimum RMS distortion in the space of hidden layer 2 (FC100-100-10: activation 4), same examples; NaN with one hidden layer.</summary>
    public required double HiddenRobustness2 { get; init; }

    /// <summary>
    /// Untargeted minimum RMS distortion in the space of every hidden layer (<see cref="HiddenLayers"/>), same examples;
    /// null in runs stored before it was recorded (FC100-100-10's two are <see cref="HiddenRobustness1"/> and
    /// <see cref="HiddenRobustness2"/>; see <see cref="HiddenFigures"/>).
    /// </summary>
    public List<double>? HiddenRobustness { get; init; }

    /// <summary>The hidden activations of this run's network (<see cref="AdvTrainModel.HiddenActivations"/>); null in runs stored before it was recorded.</summary>
    public List<int>? HiddenLayers { get; init; }

    /// <summary>
    /// The natural spread of each hidden layer's activations, to compare with <see cref="HiddenRobustness"/>: the RMS over
    /// the layer's units of each unit's standard deviation over the robustness draw (all its examples); first the input's
    /// (activation 0), then each of <see cref="HiddenLayers"/>. Null when not measured.
    /// </summary>
    public List<double>? Spread { get; init; }

    /// <summary>
    /// Mean certified L2 radius (CROWN bounds) of the first <see cref="CertifiedCount"/> examples of the robustness draw,
    /// 0 for a misclassified one; NaN when not measured (<see cref="AdvTrainOptions.CertifyCount"/>).
    /// </summary>
    public double CertifiedRadius { get; init; } = double.NaN;

    /// <summary>Examples certified for <see cref="CertifiedRadius"/>.</summary>
    public int CertifiedCount { get; init; }

    /// <summary>The hidden-layer figures: <see cref="HiddenRobustness"/>, or for runs stored before it the two of FC100-100-10.</summary>
    public IReadOnlyList<double> HiddenFigures() => HiddenRobustness ?? [HiddenRobustness1, HiddenRobustness2];

    /// <summary>Wall time of training, pool generation included, seconds.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Part of it spent making pool examples.</summary>
    public required double AttackSeconds { get; init; }

    /// <summary>What each pool made.</summary>
    public required List<PoolSummary> Pools { get; init; }

    /// <summary>Settings (SGD and pools).</summary>
    public required string Settings { get; init; }

    /// <summary>Whether the run was reused from an earlier invocation.</summary>
    public bool FromCheckpoint { get; init; }
}

/// <summary>Mean and spread of one variant over its seeds.</summary>
public sealed record AdvTrainSummary
{
    /// <summary>Variant id.</summary>
    public required string Variant { get; init; }

    /// <summary>The issue's letter.</summary>
    public required string Letter { get; init; }

    /// <summary>What it is.</summary>
    public required string Description { get; init; }

    /// <summary>Seeds run.</summary>
    public required int Seeds { get; init; }

    /// <summary>Mean test error.</summary>
    public required double TestError { get; init; }

    /// <summary>Sample standard deviation of the test error over the seeds (0 for one seed).</summary>
    public required double TestErrorSd { get; init; }

    /// <summary>Lowest and highest test error.</summary>
    public required double TestErrorMin { get; init; }

    /// <summary>Highest test error.</summary>
    public required double TestErrorMax { get; init; }

    /// <summary>Mean robustness (untargeted minimum input distortion).</summary>
    public required double Robustness { get; init; }

    /// <summary>Its standard deviation over the seeds.</summary>
    public required double RobustnessSd { get; init; }

    /// <summary>Mean minimum distortion in hidden layer 1's space.</summary>
    public required double HiddenRobustness1 { get; init; }

    /// <summary>Mean minimum distortion in hidden layer 2's space.</summary>
    public required double HiddenRobustness2 { get; init; }

    /// <summary>Mean minimum distortion in each hidden layer's space (<see cref="AdvTrainRun.HiddenFigures"/>).</summary>
    public List<double> HiddenRobustness { get; init; } = new();

    /// <summary>Mean natural spread of the input and each hidden layer (<see cref="AdvTrainRun.Spread"/>), over the runs that measured it; empty if none did.</summary>
    public List<double> Spread { get; init; } = new();

    /// <summary>Mean certified L2 radius over the runs (NaN if not measured).</summary>
    public double CertifiedRadius { get; init; } = double.NaN;

    /// <summary>Its standard deviation over the seeds.</summary>
    public double CertifiedRadiusSd { get; init; } = double.NaN;

    /// <summary>Mean training time per run, seconds.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Mean pool-generation time per run, seconds.</summary>
    public required double AttackSeconds { get; init; }

    /// <summary>The paper's figure for this kind of training, if any.</summary>
    public string? Paper { get; init; }
}

/// <summary>Everything the comparison measured.</summary>
public sealed record AdvTrainResults
{
    /// <summary>The architecture compared (<see cref="AdvTrainOptions.Model"/>).</summary>
    public string Model { get; init; } = AdvTrainModel.DefaultName;

    /// <summary>Its hidden activations (<see cref="AdvTrainModel.HiddenActivations"/>), those of the variants without dropout.</summary>
    public List<int> HiddenLayers { get; init; } = new();

    /// <summary>Reduced run.</summary>
    public required bool Quick { get; init; }

    /// <summary>Tuning mode: errors are on the held-out validation tenth, not the test set.</summary>
    public required bool Validation { get; init; }

    /// <summary>Epochs per run.</summary>
    public required int Epochs { get; init; }

    /// <summary>The SGD recipe.</summary>
    public required string Sgd { get; init; }

    /// <summary>Pool settings (layers per variant).</summary>
    public required string Pools { get; init; }

    /// <summary>The robustness attack.</summary>
    public required string RobustnessAttack { get; init; }

    /// <summary>Examples drawn for robustness.</summary>
    public required int RobustnessCount { get; init; }

    /// <summary>Per-variant summaries, in variant order.</summary>
    public required List<AdvTrainSummary> Summaries { get; init; }

    /// <summary>Every run.</summary>
    public required List<AdvTrainRun> Runs { get; init; }

    /// <summary>The plot (relative to the output folder).</summary>
    public required string Figure { get; init; }

    /// <summary>Wall time of this invocation (reused runs cost nothing), seconds.</summary>
    public required double TotalSeconds { get; init; }

    /// <summary>Sum of the training times of all runs (as measured when they ran), seconds.</summary>
    public required double RunSeconds { get; init; }

    /// <summary>Runs not done (only with <see cref="AdvTrainOptions.ReportOnly"/>), e.g. "input seed 3".</summary>
    public List<string> Missing { get; init; } = new();
}

/// <summary>
/// The hidden-layer adversarial-training comparison on FC100-100-10 (issue 7): weight decay only, dropout, and pools of
/// adversarial examples for the input, hidden layer 1, hidden layer 2 or all of them.
/// </summary>
public static class AdversarialTrainingExperiment
{
    /// <summary>Most runs of a comparison trained at once (each on <see cref="AdvTrainOptions.Threads"/>/runs threads).</summary>
    public const int MaxConcurrentRuns = 8;

    /// <summary>The FC100-100-10 recipe of the catalogue (Table 1's weight decays, SGD settings).</summary>
    public static SgdOptions Recipe => Catalog.Find("FC100-100-10")!.Sgd;

    /// <summary>
    /// The attack that makes the comparison's pool examples: batched DDN, 20 steps, each example aimed at its most likely
    /// wrong label. On held-out validation data its pools gave the input-pool variant 1.11% ± 0.04 against 1.18% with
    /// L-BFGS, three seeds each, at about a fifth of the attack's cost (docs/advtrain-search.md, "Eighth check"); its
    /// perturbations point the same way as L-BFGS's (median cosine 0.999 on the trained network).
    /// </summary>
    // Declared before DefaultPools: static initializers run in textual order.
    public static DdnOptions ComparisonPoolAttack { get; } = new() { Steps = 20 };

    /// <summary>
    /// Pool settings of the comparison (see docs/guide.md): pools of 2,000, a fifth regenerated every
    /// <see cref="ComparisonRefreshPeriod"/> steps, one pool example per 20 clean ones in each batch, each stored example at
    /// RMS distortion 0.05 along the minimum perturbation found by the batched DDN attack
    /// (<see cref="ComparisonPoolAttack"/>; <see cref="AdversarialTrainingOptions.PoolDistortion"/>), made from the training
    /// examples nearest the decision boundary among <see cref="ComparisonSourceCandidates"/> times as many drawn. Chosen on
    /// held-out validation data (docs/advtrain-search.md).
    /// </summary>
    public static AdversarialTrainingOptions DefaultPools { get; } = new() { PoolDistortion = ComparisonPoolDistortion, RefreshPeriod = ComparisonRefreshPeriod, SourceCandidates = ComparisonSourceCandidates, Ddn = ComparisonPoolAttack };

    /// <summary>
    /// <see cref="DefaultPools"/> with the pool examples made by L-BFGS (<see cref="AdversarialTrainingOptions.CheapAttack"/>)
    /// instead: the comparison's pools up to session 13, and those of FC200-200-10-ReLU and MNIST-Conv, whose settings were
    /// chosen with it (docs/advtrain-architectures.md).
    /// </summary>
    public static AdversarialTrainingOptions LbfgsPools { get; } = DefaultPools with { Ddn = null };


    /// <summary>Pool settings of <c>--quick</c>: the comparison's, with small pools, no warm-up, refreshed often, so the single epoch uses them.</summary>
    public static AdversarialTrainingOptions QuickPools { get; } = DefaultPools with { PoolSize = 100, RefreshFraction = 0.5, RefreshPeriod = 300, WarmupEpochs = 0 };

    /// <summary>
    /// Epochs per run of the comparison (200, four times the FC100-100-10 recipe's 50): chosen on held-out validation
    /// data, where the all-layer pools beat weight decay on three seeds of three at 200 epochs (1.50% against 1.83%) and
    /// 400 epochs did no better (docs/advtrain-search.md, "Third check").
    /// </summary>
    public const int ComparisonEpochs = 200;

    /// <summary>The stored examples' RMS distortion in the comparison's pools (0.05).</summary>
    public const double ComparisonPoolDistortion = 0.05;

    /// <summary>
    /// Training steps between pool refreshes in the comparison (250, a quarter of the library default): chosen on held-out
    /// validation data, where fresher input-space pools lowered the error at 200 epochs on every seed (1.61% → 1.38%,
    /// three seeds; docs/advtrain-search.md, "Fourth check"). It makes four times as many pool examples.
    /// </summary>
    public const int ComparisonRefreshPeriod = 250;

    /// <summary>
    /// Source examples drawn per pool example made in the comparison (<see cref="AdversarialTrainingOptions.SourceCandidates"/>):
    /// each refresh attacks the correctly classified examples of smallest probability margin among eight times as many
    /// drawn. Chosen on held-out validation data, where it lowered the input pool's error on every seed (1.38% → 1.18%, three seeds;
    /// docs/advtrain-search.md, "Seventh check"). The library default draws uniformly.
    /// </summary>
    public const int ComparisonSourceCandidates = 8;

    /// <summary>The attack of the robustness measurement: the reproduction's minimum-distortion attack, best of the 9 targets.</summary>
    public static AttackOptions RobustnessAttack { get; } = new();

    /// <summary>FC100-100-10's variants, (a) to (f) (<see cref="AdvTrainModel.Variants"/> of <see cref="AdvTrainModel.Default"/>).</summary>
    public static IReadOnlyList<AdvTrainVariant> Variants => AdvTrainModel.Default.Variants;

    /// <summary>
    /// FC100-100-10's variants beyond the issue's six, run only when named: the pools combined with the dropout baseline's
    /// network (dropout 0.2 on the input and after each hidden sigmoid, applied to pool examples above their activation
    /// too). In FC100-100-10 dropout the hidden sigmoids are activations 3 and 6.
    /// </summary>
    public static IReadOnlyList<AdvTrainVariant> ExtraVariants => AdvTrainModel.Default.ExtraVariants;

    /// <summary>Every FC100-100-10 variant: <see cref="Variants"/>, then <see cref="ExtraVariants"/>.</summary>
    public static IReadOnlyList<AdvTrainVariant> AllVariants => AdvTrainModel.Default.AllVariants;

    /// <summary>Finds an FC100-100-10 variant by id or letter.</summary>
    public static AdvTrainVariant? Find(string name) => AdvTrainModel.Default.Find(name);

    /// <summary>The architecture of <paramref name="options"/>.</summary>
    public static AdvTrainModel ModelOf(AdvTrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AdvTrainModel.FindModel(options.Model) ?? throw new ArgumentException($"Unknown model '{options.Model}' for the adversarial-training comparison. Known: {string.Join(", ", AdvTrainModel.All.Select(m => m.Name))}.", nameof(options));
    }

    /// <summary>
    /// The name of the comparison's folder and outputs: <c>advtrain</c>, <c>advtrain-quick</c> or <c>advtrain-validation</c>,
    /// followed for another architecture than FC100-100-10 by its <see cref="AdvTrainModel.Suffix"/>, e.g. <c>advtrain-mnist-conv</c>.
    /// </summary>
    public static string Stem(AdvTrainOptions options) => (options.Quick ? "advtrain-quick" : options.Validation ? "advtrain-validation" : "advtrain") + ModelOf(options).Suffix;

    private static string? Paper(AdvTrainModel model, AdvTrainVariant v) => !model.IsDefault ? null : v.Id switch
    {
        "wd" => "1.6%",
        "dropout" => "~1.3%",
        "all" => "< 1.2%",
        _ => null,
    };

    /// <summary>Runs (or reuses) every variant × seed; <see cref="AdvTrainReport.WriteOutputs"/> writes advtrain.md, advtrain.json and advtrain.png.</summary>
    public static AdvTrainResults Run(AdvTrainOptions options, TextWriter log, Func<string, IProgress<TrainingProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        Setup setup = Resolve(options);
        var (sgd, pools, robustnessCount) = (setup.Sgd, setup.Pools, setup.RobustnessCount);

        // Training data and the held-out set: the test set, or in tuning mode a fixed tenth of the training set.
        Dataset train = options.Data.Train, heldOut = options.Data.Test;
        if (options.Validation)
        {
            int[] order = Enumerable.Range(0, options.Data.Train.Count).ToArray();
            new SeededRandom(0x7A11D).Shuffle(order.AsSpan());
            int held = options.Data.Train.Count / 10;
            heldOut = options.Data.Train.Subset(order.AsSpan(0, held), "validation tenth");
            train = options.Data.Train.Subset(order.AsSpan(held), "training set minus the validation tenth");
        }

        string folder = Path.Combine(options.OutputDirectory, Stem(options));
        Directory.CreateDirectory(folder);
        int[] robustIndices = RobustnessDraw(heldOut, robustnessCount);
        var (first, length) = (options.Only ?? Range.All).GetOffsetAndLength(setup.Plan.Count);
        var plan = setup.Plan.Skip(first).Take(length).ToArray();
        // Several runs at once, each on a share of the threads: a run's numbers do not depend on its thread count, and
        // whole runs in parallel keep every core busy where one run's steps (batches of 64) do not. Seed after seed, so
        // that an interrupted comparison has whole seeds done; within a seed, the runs with more pool work start first.
        int concurrent = Math.Clamp(Math.Min(options.Threads, MaxConcurrentRuns), 1, Math.Max(1, plan.Length));
        int perRun = Math.Max(1, options.Threads / concurrent);
        int[] schedule = Enumerable.Range(0, plan.Length)
            .OrderBy(i => Array.FindIndex(plan, p => p.Seed == plan[i].Seed))
            .ThenByDescending(i => plan[i].Variant.Layers.Contains(0))
            .ThenByDescending(i => plan[i].Variant.Layers.Length)
            .ToArray();
        var done = new AdvTrainRun?[plan.Length];
        TextWriter shared = concurrent > 1 ? TextWriter.Synchronized(log) : log;
        int next = -1;
        void Work()
        {
            for (int k; (k = Interlocked.Increment(ref next)) < schedule.Length;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (variant, seed) = plan[schedule[k]];
                AdvTrainRun? run = RunOne(variant, seed, sgd with { Threads = perRun }, pools with { AttackThreads = perRun }, train, heldOut, robustIndices, Math.Min(options.CertifyCount, robustIndices.Length), folder, perRun, options.ReportOnly, shared, progress?.Invoke($"{variant.Id} seed {seed}"), cancellationToken);
                done[schedule[k]] = run;
                if (run is null) continue;
                shared.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"advtrain ({variant.Letter}) {variant.Id}, seed {seed}: {(options.Validation ? "validation" : "test")} error {run.TestError:P2}, robustness {run.Robustness:F4} ({string.Join(", ", run.HiddenFigures().Select((h, i) => string.Create(CultureInfo.InvariantCulture, $"hidden {i + 1}: {h:F3}")))}){(double.IsNaN(run.CertifiedRadius) ? "" : string.Create(CultureInfo.InvariantCulture, $", certified L2 radius {run.CertifiedRadius:F4}"))}, {(run.FromCheckpoint ? "from checkpoint" : $"trained in {run.TrainSeconds:F0} s ({run.AttackSeconds:F0} s making pool examples)")}"));
            }
        }

        if (concurrent == 1)
        {
            Work();
        }
        else
        {
            Task[] workers = Enumerable.Range(0, concurrent).Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions.FirstOrDefault(x => x is OperationCanceledException) ?? e.InnerExceptions[0]).Throw();
                throw;
            }
        }

        var runs = new List<AdvTrainRun>();
        var missing = new List<string>();
        for (int i = 0; i < plan.Length; i++)
        {
            if (done[i] is { } run) runs.Add(run);
            else missing.Add($"{plan[i].Variant.Id} seed {plan[i].Seed}");
        }

        return Assemble(options, runs, clock.Elapsed.TotalSeconds, missing);
    }

    /// <summary>
    /// The runs of the comparison in the order <see cref="Run"/> does them, as (variant id, seed): seed after seed, each
    /// over the variants.
    /// </summary>
    public static IReadOnlyList<(string Variant, ulong Seed)> Plan(AdvTrainOptions options) => Resolve(options).Plan.Select(p => (p.Variant.Id, p.Seed)).ToArray();

    /// <summary>
    /// The results of the comparison from its runs (done by <see cref="Run"/> in one process or in parts, in any order):
    /// the runs by variant, then seed, in plan order; the summaries per variant; the settings lines.
    /// </summary>
    public static AdvTrainResults Assemble(AdvTrainOptions options, IEnumerable<AdvTrainRun> runs, double totalSeconds, IReadOnlyList<string>? missing = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runs);
        Setup setup = Resolve(options);
        AdvTrainVariant[] variants = setup.Variants;
        List<AdvTrainRun> done = runs.ToList();
        List<AdvTrainRun> ordered = variants.SelectMany(v => setup.Plan.Where(p => p.Variant == v).SelectMany(p => done.Where(r => r.Variant == v.Id && r.Seed == p.Seed))).ToList();
        var summaries = variants.Where(v => ordered.Any(r => r.Variant == v.Id)).Select(v => Summarise(setup.Model, v, ordered.Where(r => r.Variant == v.Id).ToList())).ToList();
        string figure = Stem(options) + ".png";
        return new AdvTrainResults
        {
            Model = setup.Model.Name,
            HiddenLayers = AdvTrainModel.HiddenActivations(setup.Model.Create(1)).ToList(),
            Quick = options.Quick,
            Validation = options.Validation,
            Epochs = setup.Sgd.Epochs,
            Sgd = DescribeSgd(variants, setup.Sgd),
            Pools = setup.Pools.Describe(),
            RobustnessAttack = Describe(RobustnessAttack) + ", untargeted (best of the 9 wrong labels)",
            RobustnessCount = setup.RobustnessCount,
            Summaries = summaries,
            Runs = ordered,
            Figure = figure,
            TotalSeconds = totalSeconds,
            RunSeconds = ordered.Sum(r => r.TrainSeconds),
            Missing = missing?.ToList() ?? new List<string>(),
        };
    }

    /// <summary>The settings of a comparison with every default filled in, and its runs in order.</summary>
    private sealed record Setup(AdvTrainModel Model, AdvTrainVariant[] Variants, SgdOptions Sgd, AdversarialTrainingOptions Pools, int RobustnessCount, IReadOnlyList<(AdvTrainVariant Variant, ulong Seed)> Plan);

    private static Setup Resolve(AdvTrainOptions options)
    {
        AdvTrainModel model = ModelOf(options);
        var variants = (options.Variants ?? model.Variants.Select(v => v.Id).ToArray()).Select(id => model.Find(id) ?? throw new ArgumentException($"Unknown variant '{id}' of {model.Name}. Known: {string.Join(", ", model.AllVariants.Select(v => v.Id))}.")).ToArray();
        IReadOnlyList<ulong> seeds = options.Seeds ?? (options.Quick ? new ulong[] { 1 } : new ulong[] { 1, 2, 3 });
        int epochs = options.Epochs ?? (options.Quick ? 1 : model.Epochs);
        SgdOptions recipe = model.Recipe;
        SgdOptions sgd = recipe with
        {
            Epochs = epochs,
            Threads = options.Threads,
            LearningRate = options.LearningRate ?? model.LearningRate ?? recipe.LearningRate,
            BatchSize = options.BatchSize ?? recipe.BatchSize,
            Momentum = options.Momentum ?? recipe.Momentum,
        };
        AdversarialTrainingOptions pools = (options.Pools ?? (options.Quick ? model.QuickPools : model.Pools)) with { AttackThreads = options.Threads };
        int robustnessCount = options.RobustnessCount ?? (options.Quick ? 20 : 100);
        return new Setup(model, variants, sgd, pools, robustnessCount, seeds.SelectMany(seed => variants.Select(v => (v, seed))).ToArray());
    }

    /// <summary>The fixed examples of the robustness measurement: a seeded draw, the same for every variant and seed.</summary>
    private static int[] RobustnessDraw(Dataset heldOut, int count)
    {
        int[] order = Enumerable.Range(0, heldOut.Count).ToArray();
        new SeededRandom(0xB0B).Shuffle(order.AsSpan());
        return order[..Math.Min(count, order.Length)];
    }

    /// <summary>
    /// The SGD settings line of the report: the pool variants' (the adversarial trainer always trains in chunks), and
    /// which variants without pools the plain trainer trains with its fused whole-batch step instead.
    /// </summary>
    private static string DescribeSgd(IReadOnlyList<AdvTrainVariant> variants, SgdOptions sgd)
    {
        string chunked = sgd.Describe();
        string[] fused = variants.Where(v => v.Layers.Length == 0 && Trainer.Describe(v.Create(1), sgd) != chunked).Select(v => v.Id).ToArray();
        return fused.Length == 0 ? chunked : chunked + $" ({string.Join(", ", fused)}: step=fused, each batch whole in the fused step, instead of chunks={sgd.Chunks})";
    }

    private static AdvTrainRun? RunOne(AdvTrainVariant variant, ulong seed, SgdOptions sgd, AdversarialTrainingOptions poolOptions, Dataset train, Dataset heldOut, int[] robustIndices, int certifyCount, string folder, int threads, bool reportOnly, TextWriter log, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        SgdOptions runSgd = sgd with { Seed = seed };
        AdversarialTrainingOptions pools = poolOptions with { Layers = variant.Layers };
        IClassifier net = variant.Create(seed).AsClassifier();
        // Runs without pools are the plain trainer's, whose settings line says how it trains this network.
        string sgdSettings = variant.Layers.Length == 0 ? Trainer.Describe(net, runSgd) : runSgd.Describe();
        string settings = $"{sgdSettings}; {(variant.Layers.Length == 0 ? "no pools (Trainer)" : pools.Describe())}; train={train.Name} ({train.Count}); robustness={robustIndices.Length} of {heldOut.Name}";
        string stem = Path.Combine(folder, $"{variant.Id}-seed{seed}");
        var jsonOptions = new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        if (RunStore.FindRun<AdvTrainRun>(stem, net, settings, r => r.Settings, jsonOptions, keep: reportOnly, log, "advtrain") is { } done)
        {
            // Figures that are not part of the settings, measured on the stored network if the run lacks them.
            AdvTrainRun completed = done;
            if (done.Spread is null && !reportOnly) completed = completed with { Spread = Spread(net, heldOut, robustIndices) };
            if (certifyCount > 0 && done.CertifiedCount != certifyCount && !reportOnly) completed = completed with { CertifiedRadius = MeanCertifiedRadius(net, heldOut, robustIndices.AsSpan(0, certifyCount), threads), CertifiedCount = certifyCount };
            if (!ReferenceEquals(completed, done)) RunStore.SaveRun(stem, completed, jsonOptions);
            return completed with { FromCheckpoint = true };
        }

        if (reportOnly) return null;
        net.Initialize(seed);
        AdversarialTrainingResult trained;
        if (variant.Layers.Length == 0)
        {
            // No pools: the plain trainer, exactly the catalogue's recipe.
            TrainingResult plain = Trainer.Fit(net, train, runSgd, progress, cancellationToken);
            trained = new AdversarialTrainingResult(plain.EpochLosses, plain.Elapsed, 0, Array.Empty<PoolSummary>());
        }
        else
        {
            trained = AdversarialTrainer.Fit(net, train, runSgd, pools, progress, cancellationToken, new RefreshLog(log, $"{variant.Id} seed {seed}"));
        }
        Checkpoint.Save(stem + ".ckpt", net, new CheckpointState(runSgd.Epochs, seed, Array.Empty<float>(), settings));

        // Robustness: untargeted minimum distortion of the fixed held-out examples the network classifies correctly,
        // in the input space and in the space of each hidden layer (for FC100-100-10 the outputs of the sigmoids).
        int[] hidden = AdvTrainModel.HiddenActivations(net);
        AttackStatistics input = Robustness(net, heldOut, robustIndices, 0, seed, threads, cancellationToken);
        List<double> hiddenRobustness = hidden.Select(k => Robustness(net, heldOut, robustIndices, k, seed, threads, cancellationToken).MeanDistortion).ToList();
        var run = new AdvTrainRun
        {
            Variant = variant.Id,
            Seed = seed,
            TestError = Evaluation.ErrorRate(net, heldOut),
            TrainError = Evaluation.ErrorRate(net, train),
            Robustness = input.MeanDistortion,
            RobustnessCi95 = input.Ci95,
            RobustnessAttacked = input.Attempted,
            RobustnessSucceeded = input.Succeeded,
            HiddenRobustness1 = hiddenRobustness.Count > 0 ? hiddenRobustness[0] : double.NaN,
            HiddenRobustness2 = hiddenRobustness.Count > 1 ? hiddenRobustness[1] : double.NaN,
            HiddenRobustness = hiddenRobustness,
            HiddenLayers = hidden.ToList(),
            Spread = Spread(net, heldOut, robustIndices),
            CertifiedRadius = certifyCount > 0 ? MeanCertifiedRadius(net, heldOut, robustIndices.AsSpan(0, certifyCount), threads) : double.NaN,
            CertifiedCount = certifyCount,
            TrainSeconds = trained.Elapsed.TotalSeconds,
            AttackSeconds = trained.AttackSeconds,
            Pools = trained.Pools.ToList(),
            Settings = settings,
        };
        RunStore.SaveRun(stem, run, jsonOptions);
        return run;
    }

    /// <summary>Untargeted minimum distortion in activation <paramref name="layer"/>'s space over the correctly classified examples.</summary>
    private static AttackStatistics Robustness(IClassifier net, Dataset heldOut, int[] indices, int layer, ulong seed, int threads, CancellationToken cancellationToken)
    {
        AttackOptions options = RobustnessAttack with { Layer = layer };
        // One example per forward pass, as the published figures were measured (a batch can round differently).
        return AttackStatistics.Of(LayerSpaceAttack.Run(net, heldOut, indices, TargetPolicy.Every, options, seed, threads, cancellationToken: cancellationToken, batch: 1).Results);
    }

    /// <summary>
    /// The natural spread of the input and of each hidden activation (<see cref="AdvTrainModel.HiddenActivations"/>) over
    /// the examples <paramref name="indices"/>: the RMS over the activation's values of each value's standard deviation
    /// over the examples (see <see cref="AdvTrainRun.Spread"/>).
    /// </summary>
    public static List<double> Spread(INetwork net, Dataset data, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        var spread = new List<double>();
        foreach (int layer in AdvTrainModel.HiddenActivations(net).Prepend(0))
        {
            // One example per forward pass, as the robustness attack sees them.
            Dataset space = LayerSpaceAttack.Project(net, data, indices, layer, batch: 1);
            spread.Add(SpreadOf(space));
        }

        return spread;
    }

    /// <summary>sqrt(mean over the values of the variance over the examples), the variance with divisor n − 1 (NaN for fewer than 2 examples).</summary>
    internal static double SpreadOf(Dataset space)
    {
        int n = space.Count, length = space.SampleLength;
        if (n < 2) return double.NaN;
        var mean = new double[length];
        var square = new double[length];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = space.Sample(i);
            for (int j = 0; j < length; j++) mean[j] += x[j];
        }

        for (int j = 0; j < length; j++) mean[j] /= n;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = space.Sample(i);
            for (int j = 0; j < length; j++) square[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
        }

        return Math.Sqrt(square.Sum() / ((double)(n - 1) * length));
    }

    /// <summary>Mean certified L2 radius (CROWN bounds, the network's input box) of the examples <paramref name="indices"/>, 0 for a misclassified one.</summary>
    private static double MeanCertifiedRadius(INetwork net, Dataset data, ReadOnlySpan<int> indices, int threads)
    {
        if (net is not ICertifiable certifiable) return double.NaN;
        float[] inputs = new float[indices.Length * data.SampleLength];
        int[] labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            data.Sample(indices[i]).CopyTo(inputs.AsSpan(i * data.SampleLength, data.SampleLength));
            labels[i] = data.Labels[indices[i]];
        }

        CertifiedRadius[] radii = Certifier.Certify(certifiable, inputs, labels, indices.Length, new CertifyOptions { Threads = threads });
        return radii.Average(r => r.Correct ? r.Radius : 0);
    }

    private static AdvTrainSummary Summarise(AdvTrainModel model, AdvTrainVariant v, List<AdvTrainRun> runs)
    {
        static double Sd(IReadOnlyList<double> x)
        {
            if (x.Count < 2) return 0;
            double m = x.Average();
            return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1));
        }

        double[] errors = runs.Select(r => r.TestError).ToArray();
        double[] robust = runs.Select(r => r.Robustness).ToArray();
        return new AdvTrainSummary
        {
            Variant = v.Id,
            Letter = v.Letter,
            Description = v.Description,
            Seeds = runs.Count,
            TestError = errors.Average(),
            TestErrorSd = Sd(errors),
            TestErrorMin = errors.Min(),
            TestErrorMax = errors.Max(),
            Robustness = robust.Average(),
            RobustnessSd = Sd(robust),
            HiddenRobustness1 = runs.Average(r => r.HiddenRobustness1),
            HiddenRobustness2 = runs.Average(r => r.HiddenRobustness2),
            HiddenRobustness = Enumerable.Range(0, runs.Min(r => r.HiddenFigures().Count)).Select(i => runs.Average(r => r.HiddenFigures()[i])).ToList(),
            Spread = runs.Any(r => r.Spread is null) ? new List<double>() : Enumerable.Range(0, runs.Min(r => r.Spread!.Count)).Select(i => runs.Average(r => r.Spread![i])).ToList(),
            CertifiedRadius = runs.Average(r => r.CertifiedRadius),
            CertifiedRadiusSd = Sd(runs.Select(r => r.CertifiedRadius).ToArray()),
            TrainSeconds = runs.Average(r => r.TrainSeconds),
            AttackSeconds = runs.Average(r => r.AttackSeconds),
            Paper = Paper(model, v),
        };
    }

    /// <summary>Writes a line per pool refresh (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class RefreshLog(TextWriter log, string name) : IProgress<(int Layer, PoolRefresh Refresh)>
    {
        public void Report((int Layer, PoolRefresh Refresh) value)
        {
            PoolRefresh r = value.Refresh;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: pool {value.Layer} refreshed, {r.Succeeded}/{r.Attacked} made (distortion {r.MeanDistortion:F4}{(AdvTrainReport.Resized(r.MeanDistortion, r.StoredDistortion) ? $", stored {r.StoredDistortion:F4}" : "")}), +{r.Added} / {r.Replaced} replaced, {r.Seconds:F1} s"));
        }
    }

    private static string Describe(AttackOptions a) => string.Create(CultureInfo.InvariantCulture,
        $"L-BFGS-B, c from {a.InitialC:R} ×{a.GrowthFactor:R} (≤ {a.BracketSteps} bracketing, {a.BisectionSteps} bisection steps), ≤ {a.MaxIterations} iterations and {a.MaxEvaluations} evaluations per run");
}
