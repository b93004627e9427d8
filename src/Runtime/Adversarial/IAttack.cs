using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>The norm in which an attack measures (and bounds or minimises) its perturbation.</summary>
public enum AttackNorm
{
    /// <summary>The Euclidean norm ‖r‖₂.</summary>
    L2,

    /// <summary>The largest absolute change ‖r‖∞.</summary>
    LInf,
}

/// <summary>
/// An adversarial attack on any <see cref="IClassifier"/>, in the space of one activation (the input, or the output
/// of a hidden layer), inside that activation's box, targeted or untargeted.
/// </summary>
/// <remarks>
/// Every result is verified by a fresh forward pass at batch 1 (see <see cref="AttackResult"/>). The results depend
/// only on the network, the examples, the targets and the attack's settings (its seed included): not on the batch
/// size, the number of threads or the scheduling.
/// </remarks>
public interface IAttack
{
    /// <summary>Short name ("fgsm", "pgd", "cw", "deepfool", "ddn", "fmn", "lbfgs", "ensemble"), with the norm where it has several.</summary>
    string Name { get; }

    /// <summary>The norm the attack bounds (fixed-budget attacks) or minimises (minimum-norm attacks).</summary>
    AttackNorm Norm { get; }

    /// <summary>Whether the attack searches for the smallest perturbation (true) or any perturbation within a budget ε (false).</summary>
    bool MinimumNorm { get; }

    /// <summary>The attacked activation: 0 = the input, k = the output of layer k.</summary>
    int Layer { get; }

    /// <summary>
    /// Attacks the examples <paramref name="indices"/> of <paramref name="data"/> (activations of <see cref="Layer"/>
    /// with their true labels): untargeted if <paramref name="targets"/> is null, else example i towards
    /// <c>targets[i]</c> (a label other than its own). Returns one result per index, in order.
    /// </summary>
    AttackResult[] Run(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets = null, AttackExecution? execution = null);
}

/// <summary>How an attack run is executed; none of these settings changes the results.</summary>
public sealed record AttackExecution
{
    /// <summary>Examples stepped together per forward/backward call (each keeps its own state). Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Threads to use (0: every processor); batches are spread over them.</summary>
    public int Threads { get; init; }

    /// <summary>Receives the number of finished examples.</summary>
    public IProgress<int>? Progress { get; init; }

    /// <summary>Stops between batches.</summary>
    public CancellationToken CancellationToken { get; init; }
}
