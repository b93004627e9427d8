using System.Globalization;
using Intriguing.Adversarial;

namespace Intriguing.Training;

/// <summary>
/// Settings of hidden-layer adversarial training (Szegedy et al., Sec. 4.2): which activations get a pool of
/// adversarial examples, how large the pools are, how often and how much of them is regenerated, how many pool
/// examples join each batch, and the attack that makes them. The paper gives none of these; the defaults are ours.
/// </summary>
/// <remarks>
/// <para>Every <see cref="RefreshPeriod"/> steps (from the end of epoch <see cref="WarmupEpochs"/> on), each pool gets
/// ⌈<see cref="RefreshFraction"/>·<see cref="PoolSize"/>⌉ fresh examples made against the current network (fewer if some
/// attacks fail); while a pool is filling they are added, afterwards they replace random older ones.</para>
/// <para>Each step then trains on the clean batch plus ⌊<see cref="MixingRatio"/>·batch⌉ pool examples, split as evenly as
/// possible over the non-empty pools and drawn uniformly from them. An example of activation k trains only the layers
/// above k. The objective is the mean cross-entropy over all the examples of the step plus weight decay.</para>
/// </remarks>
public sealed record AdversarialTrainingOptions
{
    /// <summary>Activations that get a pool: 0 = the input, k = the output of layer k. Default none (plain SGD).</summary>
    public IReadOnlyList<int> Layers { get; init; } = Array.Empty<int>();

    /// <summary>Examples per pool. Default 2,000.</summary>
    public int PoolSize { get; init; } = 2000;

    /// <summary>Fraction of a pool regenerated at each refresh. Default 0.2 (so an example lives about five refreshes).</summary>
    public double RefreshFraction { get; init; } = 0.2;

    /// <summary>Training steps between refreshes. Default 1,000 (about an epoch of MNIST at batch 64).</summary>
    public int RefreshPeriod { get; init; } = 1000;

    /// <summary>
    /// Pool examples per clean example in each batch, over all pools together. Default 0.05 (3 per batch of 64), chosen on
    /// held-out validation data (docs/advtrain-search.md): larger ratios raised the validation error of the pool variants;
    /// 0.5 (the earlier default) raised it by 0.4–0.75 points for the input, hidden-layer-1 and all-layer pools (means over 3 seeds, 50 epochs).
    /// </summary>
    public double MixingRatio { get; init; } = 0.05;

    /// <summary>
    /// How far beyond the decision boundary a pool example is stored: the attack finds the minimum perturbation r of an
    /// activation x (the example x + r sits just across the boundary) and the pool keeps x + <see cref="Overshoot"/>·r,
    /// clipped to the activation's box (the attack's box). Default 1: the minimum-distortion example itself.
    /// </summary>
    public double Overshoot { get; init; } = 1;

    /// <summary>
    /// If positive, a fixed size for the stored perturbations instead of <see cref="Overshoot"/>'s factor: the pool keeps
    /// x + (D/‖r‖)·r, with D this value and ‖r‖ the RMS of the minimum perturbation, clipped to the box (so the stored
    /// RMS distortion is D, or less where the box bites). An example whose minimum perturbation is larger than D is stored
    /// short of the decision boundary, on the correct side. Default 0: off.
    /// </summary>
    public double PoolDistortion { get; init; }

    /// <summary>
    /// How the source examples of a refresh are chosen: 1 (the default) draws them uniformly from the training set;
    /// K &gt; 1 draws K times as many and keeps those nearest the decision boundary, the correctly classified ones with
    /// the smallest probability margin p(label) − max p(other) under the current network
    /// (see <see cref="AdversarialPool.Refresh(IClassifier, Data.Dataset, int, AttackOptions, ulong, int, CancellationToken, double, double, int)"/>).
    /// </summary>
    public int SourceCandidates { get; init; } = 1;

    /// <summary>Epochs of plain training before the first refresh (the pools start empty). Default 1.</summary>
    public int WarmupEpochs { get; init; } = 1;

    /// <summary>
    /// The attack that makes pool examples (its <see cref="AttackOptions.Layer"/> is set per pool). Default
    /// <see cref="CheapAttack"/>: a shorter search over c than the reproduction's attack.
    /// </summary>
    public AttackOptions Attack { get; init; } = CheapAttack;

    /// <summary>
    /// If set, pool examples are made by the batched DDN attack (<see cref="Ddn"/>, L2 minimum norm) with these settings
    /// instead of L-BFGS (<see cref="Attack"/>): many examples share each forward and backward call, each targeted at its
    /// most likely wrong label. Its <see cref="BatchedAttackOptions.Layer"/> is set per pool. Default null (L-BFGS).
    /// </summary>
    public DdnOptions? Ddn { get; init; }

    /// <summary>Threads for making pool examples; results do not depend on it. Default: the number of cores.</summary>
    public int AttackThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The default pool attack: c from 1, at most 4 ×10 bracketing steps and 3 bisection steps, 40 L-BFGS-B iterations and
    /// 80 evaluations per run (the reproduction uses 8, 7, 100 and 200). The examples are still verified and pulled
    /// back to the decision boundary; they are slightly less minimal but several times cheaper.
    /// </summary>
    public static AttackOptions CheapAttack { get; } = new()
    {
        InitialC = 1,
        BracketSteps = 4,
        BisectionSteps = 3,
        MaxIterations = 40,
        MaxEvaluations = 80,
    };

    /// <summary>Examples made at each refresh of one pool.</summary>
    public int RefreshCount => (int)Math.Ceiling(RefreshFraction * PoolSize);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting for <paramref name="network"/>.</summary>
    public void Validate(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(Layers);
        ArgumentNullException.ThrowIfNull(Attack);
        foreach (int layer in Layers)
        {
            if (layer < 0 || layer >= network.LayerCount) throw new ArgumentException($"Pool layer {layer} is not an activation below {network.Name}'s output (0…{network.LayerCount - 1}).", nameof(Layers));
        }

        if (Layers.Distinct().Count() != Layers.Count) throw new ArgumentException($"Pool layers must be distinct (got {string.Join(", ", Layers)}).", nameof(Layers));
        if (PoolSize < 1) throw new ArgumentException($"PoolSize must be at least 1 (got {PoolSize}).", nameof(PoolSize));
        if (!(RefreshFraction > 0 && RefreshFraction <= 1)) throw new ArgumentException($"RefreshFraction must be in (0, 1] (got {RefreshFraction}).", nameof(RefreshFraction));
        if (RefreshPeriod < 1) throw new ArgumentException($"RefreshPeriod must be at least 1 (got {RefreshPeriod}).", nameof(RefreshPeriod));
        if (!(MixingRatio >= 0) || double.IsInfinity(MixingRatio)) throw new ArgumentException($"MixingRatio must be non-negative and finite (got {MixingRatio}).", nameof(MixingRatio));
        if (!(Overshoot >= 1) || double.IsInfinity(Overshoot)) throw new ArgumentException($"Overshoot must be at least 1 and finite (got {Overshoot}).", nameof(Overshoot));
        if (!(PoolDistortion >= 0) || double.IsInfinity(PoolDistortion)) throw new ArgumentException($"PoolDistortion must be non-negative and finite (got {PoolDistortion}).", nameof(PoolDistortion));
        if (PoolDistortion > 0 && Overshoot != 1) throw new ArgumentException($"PoolDistortion ({PoolDistortion}) and Overshoot ({Overshoot}) both size the stored perturbation; set one of them.", nameof(PoolDistortion));
        if (SourceCandidates < 1) throw new ArgumentException($"SourceCandidates must be at least 1 (got {SourceCandidates}).", nameof(SourceCandidates));
        if (WarmupEpochs < 0) throw new ArgumentException($"WarmupEpochs must be non-negative (got {WarmupEpochs}).", nameof(WarmupEpochs));
        if (AttackThreads < 1) throw new ArgumentException($"AttackThreads must be at least 1 (got {AttackThreads}).", nameof(AttackThreads));
        Attack.Validate();
        Ddn?.Validate();
    }

    /// <summary>
    /// The settings that determine the result, as one line (thread count excluded). <see cref="Overshoot"/>,
    /// <see cref="PoolDistortion"/> and <see cref="SourceCandidates"/> appear only when they are not 1, 0 and 1, so the line of the default settings (and the
    /// run caches keyed by it) is that of earlier versions; with <see cref="Ddn"/> set its settings replace L-BFGS's.
    /// </summary>
    public string Describe()
    {
        AttackOptions a = Attack;
        string attack = Ddn is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"attack=ddn(steps={d.Steps} gamma={d.Gamma:R} eps0={d.InitialNorm:R} alpha={d.StepSize:R}..{d.FinalStepSize:R} boundary={d.BoundarySteps})")
            : string.Create(CultureInfo.InvariantCulture, $"attack(c0={a.InitialC:R} growth={a.GrowthFactor:R} bracket={a.BracketSteps} bisect={a.BisectionSteps} iter={a.MaxIterations} evals={a.MaxEvaluations} m={a.HistorySize})");
        string overshoot = (Overshoot == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $" overshoot={Overshoot:R}"))
            + (PoolDistortion == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" distortion={PoolDistortion:R}"))
            + (SourceCandidates == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $" candidates={SourceCandidates}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"pools=[{string.Join(",", Layers)}] size={PoolSize} refresh={RefreshFraction:R}/{RefreshPeriod} steps mix={MixingRatio:R}{overshoot} warmup={WarmupEpochs} {attack}");
    }
}
