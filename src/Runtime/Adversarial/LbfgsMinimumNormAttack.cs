using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>
/// The box-constrained L-BFGS attack (<see cref="LbfgsAttack"/>) behind the shared interface: untargeted it is the
/// least distorted success over every wrong target. Each example is attacked by one thread from start to end (the
/// L-BFGS-B runs are sequential), so <see cref="AttackExecution.BatchSize"/> has no effect.
/// </summary>
public sealed class LbfgsMinimumNormAttack : IAttack
{
    private readonly AttackOptions _options;

    /// <summary>Prepares the attack.</summary>
    public LbfgsMinimumNormAttack(AttackOptions? options = null)
    {
        options ??= new AttackOptions();
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public string Name => "lbfgs";

    /// <inheritdoc/>
    public AttackNorm Norm => AttackNorm.L2;

    /// <inheritdoc/>
    public bool MinimumNorm => true;

    /// <inheritdoc/>
    public int Layer => _options.Layer;

    /// <inheritdoc/>
    public AttackResult[] Run(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets = null, AttackExecution? execution = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        if (targets is not null && targets.Count != indices.Count) throw new ArgumentException($"{targets.Count} targets for {indices.Count} examples.", nameof(targets));
        execution ??= new AttackExecution();
        var results = new AttackResult[indices.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = execution.Threads > 0 ? execution.Threads : Environment.ProcessorCount, CancellationToken = execution.CancellationToken };
        Parallel.For(0, indices.Count, parallel, () => new LbfgsAttack(network, _options), (i, _, attack) =>
        {
            int index = indices[i];
            ReadOnlySpan<float> x = data.Sample(index);
            int label = data.Labels[index];
            AttackResult r = targets is null ? attack.Untargeted(x, label, index) : attack.Targeted(x, label, targets[i], index);
            results[i] = r with { Attack = Name };
            execution.Progress?.Report(Interlocked.Increment(ref done));
            return attack;
        }, _ => { });
        return results;
    }
}
