namespace Intriguing.Training;

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,

    /// <summary>Linear decay from the initial rate to <see cref="SgdOptions.FinalLearningRateFraction"/> of it at the last step.</summary>
    Linear,

    /// <summary>Half-cosine decay from the initial rate to <see cref="SgdOptions.FinalLearningRateFraction"/> of it.</summary>
    Cosine,

    /// <summary>Multiplied by <see cref="SgdOptions.StepFactor"/> every <see cref="SgdOptions.StepEpochs"/> epochs.</summary>
    Step,
}

/// <summary>Settings of mini-batch stochastic gradient descent with momentum. Weight decay comes from the network's layers.</summary>
public sealed record SgdOptions
{
    /// <summary>Passes over the training set. Default 30.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Samples per step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Initial learning rate. Default 0.1.</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Momentum μ (v ← μ·v − η·g). Default 0.9; 0 is plain SGD.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Nesterov momentum (θ ← θ + μ·v − η·g after the velocity update). Default off.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Learning-rate schedule. Default <see cref="LearningRateSchedule.Cosine"/>.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Final rate as a fraction of the initial one (linear and cosine schedules). Default 0.01.</summary>
    public float FinalLearningRateFraction { get; init; } = 0.01f;

    /// <summary>Step schedule: factor applied every <see cref="StepEpochs"/> epochs. Default 0.1.</summary>
    public float StepFactor { get; init; } = 0.1f;

    /// <summary>Step schedule: epochs between reductions. Default 10.</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>Seed of the shuffling; the same seed (and <see cref="Chunks"/>) gives the same parameters. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Number of parts each batch is split into for parallel gradient computation (summed in a fixed order), for
    /// networks trained through <see cref="IClassifier.LossAndGradient"/>.
    /// Results depend on this value but not on <see cref="Threads"/>. Networks with a fused step
    /// (<see cref="Trainer.HasFusedStep"/>) train every batch whole and split it by parameter rows instead, so this value
    /// does not affect them. Default 2.
    /// </summary>
    public int Chunks { get; init; } = 2;

    /// <summary>Threads used for the chunks. Default: the number of cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether the network's <c>[Dropout]</c> layers drop units during training (training mode of the workspaces).
    /// Default <see langword="true"/>; networks without dropout train identically either way.
    /// </summary>
    public bool Dropout { get; init; } = true;

    /// <summary>
    /// Split the fused one-sample step (forward product and update) of large dense layers over <see cref="Threads"/>
    /// threads by rows, each thread bound to its own core for the duration of <see cref="Trainer.Run"/> so that its rows
    /// stay in that core's cache (results are bit-identical either way). Default false: it pays only on otherwise idle
    /// cores. Measured on the 2-core build machine (<c>train-table 2 split</c> against <c>train-table 2</c>, idle):
    /// FC100-100-10 115–122k samples/s against 87–98k on one thread, FC200-200-10 52–53k against 39–41k; in the VM's slow
    /// episodes and with another busy process it can be slower than one thread (<c>bench/reference/train_results.md</c>).
    /// Batches of two or more samples of such networks are always split by rows (<see cref="Trainer"/>).
    /// </summary>
    public bool SplitSingleSampleSteps { get; init; }

    /// <summary>
    /// Control of the dense and convolution layers' operator norms (penalty, projection, Parseval, Lipschitz margin);
    /// null (the default) or inactive options train as without. A network with a fused step keeps it: the norm terms'
    /// gradient, taken at the parameters before the step, is applied after it as a correction of the velocity and the
    /// parameters (the same update up to float rounding). A resumed run restarts the norm trackers (re-warmed by
    /// power iteration), so it is close to but not bit-identical with an uninterrupted one.
    /// </summary>
    public LipschitzOptions? Lipschitz { get; init; }

    /// <summary>
    /// Test hook: a run whose <see cref="Lipschitz"/> options change the objective trains through the chunks' gradients
    /// even for a network with a fused step (the reference of the fused step's correction).
    /// </summary>
    internal bool ChunkedObjective { get; init; }

    /// <summary>Where to write a checkpoint after every epoch and to resume from if it exists; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// The settings that determine the trained parameters, as one line (thread count and checkpoint path excluded);
    /// stored in checkpoints so that a run never resumes from a checkpoint made with other settings.
    /// </summary>
    public string Describe() => Describe(fusedStep: false);

    /// <summary>
    /// <see cref="Describe()"/> for a network trained by the fused step when <paramref name="fusedStep"/> is set:
    /// <c>step=fused</c> in place of the chunk count, which does not apply to it (<see cref="Trainer.Describe"/>).
    /// </summary>
    internal string Describe(bool fusedStep) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"sgd epochs={Epochs} batch={BatchSize} lr={LearningRate:R} momentum={Momentum:R} nesterov={Nesterov} schedule={Schedule} final={FinalLearningRateFraction:R} stepFactor={StepFactor:R} stepEpochs={StepEpochs} seed={Seed} {(fusedStep ? "step=fused" : $"chunks={Chunks}")}{(Dropout ? "" : " dropout=off")}{(Lipschitz is { Active: true } l ? " " + l.Describe() : "")}");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1 (got {Epochs}).", nameof(Epochs));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be positive and finite (got {LearningRate}).", nameof(LearningRate));
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"Momentum must be in [0, 1) (got {Momentum}).", nameof(Momentum));
        if (!(FinalLearningRateFraction >= 0 && FinalLearningRateFraction <= 1)) throw new ArgumentException($"FinalLearningRateFraction must be in [0, 1] (got {FinalLearningRateFraction}).", nameof(FinalLearningRateFraction));
        if (!(StepFactor > 0 && StepFactor <= 1)) throw new ArgumentException($"StepFactor must be in (0, 1] (got {StepFactor}).", nameof(StepFactor));
        if (StepEpochs < 1) throw new ArgumentException($"StepEpochs must be at least 1 (got {StepEpochs}).", nameof(StepEpochs));
        if (Chunks < 1) throw new ArgumentException($"Chunks must be at least 1 (got {Chunks}).", nameof(Chunks));
        if (Threads < 1) throw new ArgumentException($"Threads must be at least 1 (got {Threads}).", nameof(Threads));
        Lipschitz?.Validate();
    }

    /// <summary>The learning rate at <paramref name="step"/> of <paramref name="totalSteps"/> (in <paramref name="epoch"/>).</summary>
    public float RateAt(int epoch, long step, long totalSteps)
    {
        double t = totalSteps <= 1 ? 0 : (double)step / (totalSteps - 1);
        double f = FinalLearningRateFraction;
        double factor = Schedule switch
        {
            LearningRateSchedule.Constant => 1,
            LearningRateSchedule.Linear => 1 - (1 - f) * t,
            LearningRateSchedule.Cosine => f + (1 - f) * 0.5 * (1 + Math.Cos(Math.PI * t)),
            LearningRateSchedule.Step => Math.Pow(StepFactor, epoch / StepEpochs),
            _ => 1,
        };
        return (float)(LearningRate * factor);
    }
}
