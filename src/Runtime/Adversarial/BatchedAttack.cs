using System.Collections.Concurrent;
using System.Diagnostics;
using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>Settings every batched attack shares: where it attacks, its box, its seed and its final boundary search.</summary>
public abstract record BatchedAttackOptions
{
    /// <summary>Which activation is perturbed: 0 = the input (default), k = the output of layer k.</summary>
    public int Layer { get; init; }

    /// <summary>Lower bound of the box; null for the default of the attacked space (<see cref="LbfgsAttack.DefaultBox"/>).</summary>
    public double? Lower { get; init; }

    /// <summary>Upper bound of the box; null for the default of the attacked space.</summary>
    public double? Upper { get; init; }

    /// <summary>Seed of the attack's random numbers (each example draws from a stream derived from it and the example's index).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Minimum-norm attacks: bisection steps that move the best example towards the clean one along the segment between
    /// them while it stays adversarial (one forward pass each). Default 10; 0 turns the search off.
    /// </summary>
    public int BoundarySteps { get; init; } = 10;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public virtual void Validate()
    {
        if (Layer < 0) throw new ArgumentException($"Layer must be non-negative (got {Layer}).", nameof(Layer));
        if (BoundarySteps < 0) throw new ArgumentException($"BoundarySteps must be non-negative (got {BoundarySteps}).", nameof(BoundarySteps));
        if (Lower is { } lo && Upper is { } hi && !(lo < hi)) throw new ArgumentException($"Lower ({lo}) must be below Upper ({hi}).", nameof(Lower));
    }

    /// <summary>Throws unless <paramref name="value"/> is positive and finite.</summary>
    private protected static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be positive and finite (got {value}).", name);
    }

    /// <summary>Throws unless <paramref name="value"/> is at least <paramref name="least"/>.</summary>
    private protected static void AtLeast(int value, int least, string name)
    {
        if (value < least) throw new ArgumentException($"{name} must be at least {least} (got {value}).", name);
    }
}

/// <summary>
/// The common driver of the batched attacks: splits the examples into batches of <see cref="AttackExecution.BatchSize"/>,
/// spreads the batches over threads, runs the attack on each batch with per-example state, and verifies every result.
/// </summary>
public abstract class BatchedAttack : IAttack
{
    private readonly BatchedAttackOptions _options;

    // Per-thread batch states of earlier runs, reused by later runs on the same network and batch size (a batch of
    // hundreds of MNIST examples holds megabytes of buffers).
    private readonly ConcurrentBag<AttackBatch> _states = [];

    private protected BatchedAttack(BatchedAttackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract AttackNorm Norm { get; }

    /// <inheritdoc/>
    public abstract bool MinimumNorm { get; }

    /// <inheritdoc/>
    public int Layer => _options.Layer;

    /// <inheritdoc/>
    public AttackResult[] Run(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets = null, AttackExecution? execution = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        execution ??= new AttackExecution();
        NetworkGuard.Layer(Layer, 0, network.LayerCount - 1, nameof(BatchedAttackOptions.Layer));
        int n = network.ActivationLength(Layer);
        if (data.SampleLength != n) throw new ArgumentException($"{data.Name} has samples of {data.SampleLength} values but activation {Layer} of {network.Name} has {n}.", nameof(data));
        if (targets is not null && targets.Count != indices.Count) throw new ArgumentException($"{targets.Count} targets for {indices.Count} examples.", nameof(targets));
        for (int i = 0; i < indices.Count; i++)
        {
            if ((uint)indices[i] >= (uint)data.Count) throw new ArgumentException($"Example {indices[i]} is not in {data.Name} ({data.Count} examples).", nameof(indices));
            if (targets is null) continue;
            if ((uint)targets[i] >= (uint)network.OutputLength) throw new ArgumentException($"Target {targets[i]} is not a label of {network.Name}.", nameof(targets));
            if (targets[i] == data.Labels[indices[i]]) throw new ArgumentException($"The target of example {indices[i]} is its own label.", nameof(targets));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(execution.BatchSize, 1, nameof(execution.BatchSize));
        (double lo, double hi) = LbfgsAttack.DefaultBox(network, Layer);
        lo = _options.Lower ?? lo;
        hi = _options.Upper ?? hi;
        int batchSize = Math.Min(execution.BatchSize, Math.Max(1, indices.Count));
        int batches = (indices.Count + batchSize - 1) / batchSize;
        var results = new AttackResult[indices.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = execution.Threads > 0 ? execution.Threads : Environment.ProcessorCount, CancellationToken = execution.CancellationToken };
        AttackBatch Take()
        {
            for (int tries = _states.Count; tries > 0 && _states.TryTake(out AttackBatch? state); tries--)
            {
                if (state.Fits(network, Layer, batchSize, lo, hi)) return state;
            }

            return new AttackBatch(network, Layer, batchSize, lo, hi, Norm);
        }

        Parallel.For(0, batches, parallel, Take, (b, _, batch) =>
        {
            var clock = Stopwatch.StartNew();
            int start = b * batchSize, count = Math.Min(batchSize, indices.Count - start);
            batch.Load(data, indices, targets, start, count);
            batch.CheckClean();
            Attack(batch);
            if (MinimumNorm) batch.RefineBoundary(_options.BoundarySteps);
            batch.Finish(results, start, Name, clock.Elapsed.TotalSeconds);
            execution.Progress?.Report(Interlocked.Add(ref done, count));
            return batch;
        }, _states.Add);
        return results;
    }

    /// <summary>Runs the attack on the loaded batch: records adversarial examples through <see cref="AttackBatch.Record"/>.</summary>
    private protected abstract void Attack(AttackBatch batch);

    /// <summary>The random stream of example <paramref name="index"/> (and of its restart <paramref name="stream"/>).</summary>
    private protected SeededRandom Random(int index, int stream = 0) =>
        new(SeededRandom.Derive(SeededRandom.Derive(_options.Seed, (ulong)index), (ulong)stream));
}
