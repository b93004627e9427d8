using System.Globalization;

namespace Intriguing.Training;

/// <summary>The penalty on the operator norm σ_k of every dense and convolution layer.</summary>
public enum NormPenalty
{
    /// <summary>No penalty.</summary>
    None,

    /// <summary>β·Σ_k max(0, σ_k − τ_k)².</summary>
    Hinge,

    /// <summary>β·Σ_k log σ_k.</summary>
    Log,
}

/// <summary>How the projection (<see cref="LipschitzOptions.Project"/>) brings a convolution's norm to τ.</summary>
public enum ConvolutionProjection
{
    /// <summary>Rescale the kernels as a whole by τ/σ, like a dense layer.</summary>
    Rescale,

    /// <summary>
    /// Every <see cref="LipschitzOptions.ClipPeriod"/> steps clip the singular values of the layer's periodic operator
    /// at τ and truncate the kernels back to their k × k support (Sedghi et al. 2019), then rescale if the certified
    /// norm still exceeds τ; on the other steps rescale (or nothing, see <see cref="LipschitzOptions.RescaleBetweenClips"/>).
    /// </summary>
    Clip,
}

/// <summary>
/// Control of the layers' operator norms during training (<see cref="SgdOptions.Lipschitz"/>): a penalty on each dense
/// and convolution layer's norm, a projection after every step that keeps it at most τ, Parseval regularisation, and
/// Lipschitz-margin training (Tsuzuku et al. 2018) through the network's global bound. Every option is off by default.
/// </summary>
/// <remarks>
/// The norms are the ones <see cref="Spectral.LipschitzAnalysis"/> certifies: ‖W‖₂ for a dense layer, the Fourier
/// bound for a convolution (<see cref="Layers.Convolution.LipschitzBound"/>). During training they are tracked by
/// power iteration with persistent vectors (lower estimates that converge to them); <c>docs/lipschitz.md</c> derives
/// the gradients and says what the projection guarantees.
/// </remarks>
public sealed record LipschitzOptions
{
    /// <summary>The penalty on each layer's norm. Default <see cref="NormPenalty.None"/>.</summary>
    public NormPenalty Penalty { get; init; }

    /// <summary>β, the penalty's weight. Default 0.01.</summary>
    public float Beta { get; init; } = 0.01f;

    /// <summary>τ, the target (hinge penalty) and limit (projection) of every controlled layer's norm. Default 1.</summary>
    public float Tau { get; init; } = 1;

    /// <summary>
    /// Per-layer τ_k in the order of the network's dense and convolution layers, overriding <see cref="Tau"/>; null
    /// (the default) for τ everywhere.
    /// </summary>
    public IReadOnlyList<float>? LayerTaus { get; init; }

    /// <summary>
    /// Before training and after every epoch rescale each layer whose certified norm exceeds τ_k to at most τ_k, and
    /// after every step each layer whose tracked norm exceeds τ_k to τ_k (convolutions as <see cref="ConvolutionProjection"/>
    /// says), so that the certified norm of every layer is at most τ_k at the start and at the end of each epoch, and
    /// that of every convolution also after each clip. Default off.
    /// </summary>
    public bool Project { get; init; }

    /// <summary>
    /// How the projection treats convolutions: <see cref="ConvolutionProjection.Rescale"/> (the default) or
    /// <see cref="ConvolutionProjection.Clip"/>, which needs <see cref="Project"/>.
    /// </summary>
    public ConvolutionProjection ConvolutionProjection { get; init; }

    /// <summary>
    /// Steps between two clips of the convolutions under <see cref="ConvolutionProjection.Clip"/> (the clip follows steps
    /// k, 2k, … of the run, counted from its start). Default 1: after every step.
    /// </summary>
    public int ClipPeriod { get; init; } = 1;

    /// <summary>
    /// Under <see cref="ConvolutionProjection.Clip"/>, whether the steps between two clips rescale the convolutions as
    /// <see cref="ConvolutionProjection.Rescale"/> does (the default), keeping their tracked norms at most τ after every
    /// step; if false they are left alone until the next clip (their certified norms are at most τ after each clip and
    /// at the end of every epoch, and may exceed it in between).
    /// </summary>
    public bool RescaleBetweenClips { get; init; } = true;

    /// <summary>β of the Parseval regulariser (β/4)·‖WWᵀ − I‖²_F of every layer (Cissé et al. 2017); 0 (the default) is off.</summary>
    public float Parseval { get; init; }

    /// <summary>
    /// ε of Lipschitz-margin training: √2·ε·L is added to every logit but the true one before the cross-entropy, L the
    /// product of the layers' bounds up to the logits, differentiated through the tracked norms. 0 (the default) is off.
    /// </summary>
    public float MarginEpsilon { get; init; }

    /// <summary>
    /// ε of GloRo training (Leino et al. 2021): the cross-entropy gets the extra logit z_⊥ = max_{i≠j} (z_i + ε·K_ji)
    /// of the predicted class j, K_ji = ‖w_j − w_i‖₂·(product of the bounds below the last layer), which must be a
    /// dense layer right below the soft-max; differentiated through the rows and the tracked norms. 0 (the default) is
    /// off; excludes <see cref="MarginEpsilon"/>.
    /// </summary>
    public float GloRoEpsilon { get; init; }

    /// <summary>
    /// Epochs over which the ε of the margin or of GloRo grows linearly from 0 to <see cref="MarginEpsilon"/> or
    /// <see cref="GloRoEpsilon"/> (by step). Default 0: ε throughout.
    /// </summary>
    public int MarginWarmupEpochs { get; init; }

    /// <summary>Power-iteration steps per layer and training step. Default 1 (the vectors persist across steps).</summary>
    public int PowerIterations { get; init; } = 1;

    /// <summary>Whether any option is on.</summary>
    public bool Active => Penalty != NormPenalty.None || Project || Parseval > 0 || MarginEpsilon > 0 || GloRoEpsilon > 0;

    /// <summary>Whether the objective changes (penalty, Parseval or margin), so that the step needs the full gradient.</summary>
    public bool ChangesObjective => Penalty != NormPenalty.None || Parseval > 0 || MarginEpsilon > 0 || GloRoEpsilon > 0;

    /// <summary>τ_k of controlled layer <paramref name="k"/>.</summary>
    public float TauOf(int k) => LayerTaus is { } taus && k < taus.Count ? taus[k] : Tau;

    /// <summary>The ε of the margin or of GloRo at <paramref name="step"/> of <paramref name="stepsPerEpoch"/>-step epochs.</summary>
    public float EpsilonAt(long step, int stepsPerEpoch)
    {
        float epsilon = MarginEpsilon > 0 ? MarginEpsilon : GloRoEpsilon;
        if (MarginWarmupEpochs <= 0) return epsilon;
        double warm = (double)MarginWarmupEpochs * stepsPerEpoch;
        return (float)(epsilon * Math.Min(1, (step + 1) / warm));
    }

    /// <summary>Whether a projection after step <paramref name="step"/> (0-based, counted over the run) clips the convolutions.</summary>
    internal bool ClipsAfter(long step) => Project && ConvolutionProjection == ConvolutionProjection.Clip && (step + 1) % ClipPeriod == 0;

    /// <summary>Whether the projection after a step that does not clip leaves the convolutions alone.</summary>
    internal bool OnlyClipsConvolutions => Project && ConvolutionProjection == ConvolutionProjection.Clip && !RescaleBetweenClips;

    /// <summary>The settings as one line, for checkpoints and reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"lipschitz penalty={Penalty} beta={Beta:R} tau={(LayerTaus is null ? Tau.ToString("R", CultureInfo.InvariantCulture) : string.Join(",", LayerTaus.Select(t => t.ToString("R", CultureInfo.InvariantCulture))))} project={Project} parseval={Parseval:R} margin={MarginEpsilon:R}{(GloRoEpsilon > 0 ? string.Create(CultureInfo.InvariantCulture, $" gloro={GloRoEpsilon:R}") : "")} warmup={MarginWarmupEpochs} power={PowerIterations}{(ConvolutionProjection == ConvolutionProjection.Clip ? string.Create(CultureInfo.InvariantCulture, $" conv=clip/{ClipPeriod}{(RescaleBetweenClips ? "" : "/only")}") : "")}");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Penalty)) throw new ArgumentException($"Unknown penalty {Penalty}.", nameof(Penalty));
        if (!(Beta >= 0) || float.IsInfinity(Beta)) throw new ArgumentException($"Beta must be finite and at least 0 (got {Beta}).", nameof(Beta));
        if (!(Tau > 0) || float.IsInfinity(Tau)) throw new ArgumentException($"Tau must be positive and finite (got {Tau}).", nameof(Tau));
        if (LayerTaus is { } taus && taus.Any(t => !(t > 0) || float.IsInfinity(t))) throw new ArgumentException("Every LayerTaus value must be positive and finite.", nameof(LayerTaus));
        if (!(Parseval >= 0) || float.IsInfinity(Parseval)) throw new ArgumentException($"Parseval must be finite and at least 0 (got {Parseval}).", nameof(Parseval));
        if (!(MarginEpsilon >= 0) || float.IsInfinity(MarginEpsilon)) throw new ArgumentException($"MarginEpsilon must be finite and at least 0 (got {MarginEpsilon}).", nameof(MarginEpsilon));
        if (!(GloRoEpsilon >= 0) || float.IsInfinity(GloRoEpsilon)) throw new ArgumentException($"GloRoEpsilon must be finite and at least 0 (got {GloRoEpsilon}).", nameof(GloRoEpsilon));
        if (MarginEpsilon > 0 && GloRoEpsilon > 0) throw new ArgumentException("Choose one certified objective: MarginEpsilon or GloRoEpsilon.", nameof(GloRoEpsilon));
        if (MarginWarmupEpochs < 0) throw new ArgumentException($"MarginWarmupEpochs must be at least 0 (got {MarginWarmupEpochs}).", nameof(MarginWarmupEpochs));
        if (!Enum.IsDefined(ConvolutionProjection)) throw new ArgumentException($"Unknown convolution projection {ConvolutionProjection}.", nameof(ConvolutionProjection));
        if (ConvolutionProjection == ConvolutionProjection.Clip && !Project) throw new ArgumentException("ConvolutionProjection Clip needs Project.", nameof(ConvolutionProjection));
        if (ClipPeriod < 1) throw new ArgumentException($"ClipPeriod must be at least 1 (got {ClipPeriod}).", nameof(ClipPeriod));
        if (PowerIterations < 1) throw new ArgumentException($"PowerIterations must be at least 1 (got {PowerIterations}).", nameof(PowerIterations));
    }
}
