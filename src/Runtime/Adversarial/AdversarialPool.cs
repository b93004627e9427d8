using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>What one refresh of an <see cref="AdversarialPool"/> did.</summary>
/// <param name="Attacked">Examples attacked (drawn source examples the network classified correctly).</param>
/// <param name="Succeeded">Verified adversarial examples among them.</param>
/// <param name="Added">Examples added to free slots (while the pool was filling).</param>
/// <param name="Replaced">Examples that replaced older ones.</param>
/// <param name="MeanDistortion">Mean RMS distortion of the new examples in the pool's space, as the attack found them (NaN if none).</param>
/// <param name="StoredDistortion">Mean RMS distortion of the new examples as stored, after the overshoot or resizing and the
/// clipping to the box (see <see cref="AdversarialPool.Refresh(IClassifier, Dataset, int, AttackOptions, ulong, int, CancellationToken, double, double, int)"/>); equal to <paramref name="MeanDistortion"/> without them (NaN if none).</param>
/// <param name="Seconds">Wall time of the refresh.</param>
public readonly record struct PoolRefresh(int Attacked, int Succeeded, int Added, int Replaced, double MeanDistortion, double StoredDistortion, double Seconds);

/// <summary>
/// A fixed-capacity pool of adversarial examples in the space of one activation of a network (the input images for
/// layer 0, the hidden representation φ_k(x) for layer k), each stored with the true label of the example it was made
/// from. Hidden-layer adversarial training (Szegedy et al., Sec. 4.2) mixes such examples into every training batch and
/// keeps the pool fresh by replacing a random part of it with examples made against the current network.
/// </summary>
/// <remarks>
/// <para>While the pool is filling, new examples go to the free slots in order; once it is full, each new example
/// replaces a distinct slot drawn uniformly at random (a seeded partial shuffle), so a refresh of m examples replaces
/// exactly m of them.</para>
/// <para>Everything depends only on the seeds passed in: the same calls give the same pool whatever the thread count.</para>
/// </remarks>
public sealed class AdversarialPool
{
    private readonly float[] _samples;
    private readonly int[] _labels;
    private readonly int[] _sources;
    private readonly int[] _slots;

    /// <summary>Creates an empty pool of <paramref name="capacity"/> examples of <paramref name="sampleLength"/> values for activation <paramref name="layer"/>.</summary>
    public AdversarialPool(int layer, int capacity, int sampleLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleLength, 1);
        Layer = layer;
        Capacity = capacity;
        SampleLength = sampleLength;
        _samples = new float[(long)capacity * sampleLength <= Array.MaxLength ? capacity * sampleLength : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The pool would not fit in one array.")];
        _labels = new int[capacity];
        _sources = new int[capacity];
        _slots = new int[capacity];
    }

    /// <summary>The activation the examples live in (0 = input).</summary>
    public int Layer { get; }

    /// <summary>The most examples the pool holds.</summary>
    public int Capacity { get; }

    /// <summary>Values per example.</summary>
    public int SampleLength { get; }

    /// <summary>Examples held (grows to <see cref="Capacity"/>, then stays).</summary>
    public int Count { get; private set; }

    /// <summary>Examples replaced so far (added to a full pool).</summary>
    public long TotalReplaced { get; private set; }

    /// <summary>Examples inserted so far (added or replacing).</summary>
    public long TotalInserted { get; private set; }

    /// <summary>Example <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public ReadOnlySpan<float> Sample(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The pool holds {Count} examples.");
        return _samples.AsSpan(index * SampleLength, SampleLength);
    }

    /// <summary>The true label of example <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The pool holds {Count} examples.");
        return _labels[index];
    }

    /// <summary>The index in the source data set of the example that example <paramref name="index"/> was made from (−1 if not given).</summary>
    public int Source(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The pool holds {Count} examples.");
        return _sources[index];
    }

    /// <summary>
    /// Inserts <paramref name="labels"/>.Length examples (rows of <paramref name="samples"/>): into free slots first,
    /// then over distinct random slots drawn from <paramref name="random"/>. At most <see cref="Capacity"/> examples are
    /// taken (the rest are ignored). Returns how many were added to free slots and how many replaced older ones.
    /// </summary>
    /// <param name="samples">The examples, row after row.</param>
    /// <param name="labels">Their true labels.</param>
    /// <param name="random">Chooses the replaced slots.</param>
    /// <param name="sources">Optionally, the index of each example's source in its data set (kept for <see cref="Source"/>).</param>
    public (int Added, int Replaced) Insert(ReadOnlySpan<float> samples, ReadOnlySpan<int> labels, SeededRandom random, ReadOnlySpan<int> sources = default)
    {
        ArgumentNullException.ThrowIfNull(random);
        int n = Math.Min(labels.Length, Capacity);
        if (samples.Length < (long)n * SampleLength) throw new ArgumentException($"{n} examples need {n * SampleLength} values; got {samples.Length}.", nameof(samples));
        if (!sources.IsEmpty && sources.Length < n) throw new ArgumentException($"{n} examples need {n} source indices; got {sources.Length}.", nameof(sources));
        int added = Math.Min(n, Capacity - Count);
        for (int i = 0; i < added; i++) Put(Count + i, samples.Slice(i * SampleLength, SampleLength), labels[i], sources.IsEmpty ? -1 : sources[i]);
        int firstFree = Count;
        Count += added;
        int replaced = n - added;
        if (replaced > 0)
        {
            // Distinct slots among those that were full before this call: a partial Fisher–Yates shuffle of their indices.
            for (int i = 0; i < firstFree; i++) _slots[i] = i;
            for (int i = 0; i < replaced; i++)
            {
                int j = i + random.NextInt(firstFree - i);
                (_slots[i], _slots[j]) = (_slots[j], _slots[i]);
                int k = added + i;
                Put(_slots[i], samples.Slice(k * SampleLength, SampleLength), labels[k], sources.IsEmpty ? -1 : sources[k]);
            }
        }

        TotalInserted += n;
        TotalReplaced += replaced;
        return (added, replaced);
    }

    private void Put(int slot, ReadOnlySpan<float> sample, int label, int source)
    {
        sample.CopyTo(_samples.AsSpan(slot * SampleLength, SampleLength));
        _labels[slot] = label;
        _sources[slot] = source;
    }

    /// <summary>Copies example <paramref name="index"/> and its label into a batch row.</summary>
    internal void CopyTo(int index, Span<float> sample, out int label)
    {
        _samples.AsSpan(index * SampleLength, SampleLength).CopyTo(sample);
        label = _labels[index];
    }

    /// <summary>
    /// Makes up to <paramref name="count"/> fresh adversarial examples against <paramref name="network"/> and inserts the
    /// verified ones. Source examples are drawn without replacement from <paramref name="source"/> by a stream of
    /// <paramref name="seed"/>, mapped to the pool's activation by the current network, and those it classifies correctly are
    /// attacked (target: the most likely wrong label, the cheapest target to reach) in parallel by
    /// <see cref="AttackRunner"/>, in the box of the activation (<see cref="LbfgsAttack.DefaultBox"/>). Each stored example
    /// keeps the true label of its source.
    /// </summary>
    /// <remarks>
    /// With <paramref name="overshoot"/> F &gt; 1 the pool stores x + F·r instead of the attack's x + r (r = the minimum
    /// perturbation found, x = the clean activation), computed in double precision and clipped element-wise to the attack's
    /// box: an example beyond the decision boundary rather than on it. With F = 1 the attack's examples are stored unchanged.
    /// With a positive <paramref name="distortion"/> D the factor is D/‖r‖ for each example instead (‖r‖ its RMS
    /// distortion), so every stored perturbation has the RMS size D before clipping, on either side of the boundary.
    /// With <paramref name="candidates"/> K &gt; 1, K·count examples are drawn (at most the whole source) and the count
    /// nearest the decision boundary are kept: the network's probability margin p(label) − max p(other) is computed for
    /// each, misclassified ones go last, and ties keep the draw order.
    /// </remarks>
    /// <param name="network">The network being trained (read only here).</param>
    /// <param name="source">Labelled inputs to draw from (the training set).</param>
    /// <param name="count">Examples to draw.</param>
    /// <param name="attack">Attack settings; its <see cref="AttackOptions.Layer"/> must be this pool's layer.</param>
    /// <param name="seed">Seed of this refresh (draws, slots).</param>
    /// <param name="threads">Threads for the attacks; the result does not depend on it.</param>
    /// <param name="cancellationToken">Stops between examples.</param>
    /// <param name="overshoot">Factor F of the stored perturbation (at least 1; default 1, the attack's example).</param>
    /// <param name="distortion">If positive, the RMS size of every stored perturbation instead (F must then be 1).</param>
    /// <param name="candidates">Examples drawn per example kept, the kept ones being those nearest the boundary (default 1: a uniform draw).</param>
    public PoolRefresh Refresh(IClassifier network, Dataset source, int count, AttackOptions attack, ulong seed, int threads = 0, CancellationToken cancellationToken = default, double overshoot = 1, double distortion = 0, int candidates = 1)
    {
        ArgumentNullException.ThrowIfNull(attack);
        if (attack.Layer != Layer) throw new ArgumentException($"The attack perturbs activation {attack.Layer} but the pool holds activation {Layer}.", nameof(attack));
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(source);
        attack = LayerSpaceAttack.WithDataRange(attack, source);
        (double lower, double upper) = LbfgsAttack.DefaultBox(network, Layer);
        return Refresh(network, source, count, seed, overshoot, distortion, candidates, (attack.Lower ?? lower, attack.Upper ?? upper),
            chosen => LayerSpaceAttack.Run(network, source, chosen, TargetPolicy.RunnerUp, attack, seed, threads, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Like the L-BFGS <see cref="Refresh(IClassifier, Dataset, int, AttackOptions, ulong, int, CancellationToken, double, double, int)"/>,
    /// but the examples are made by a batched minimum-norm <paramref name="attack"/> (e.g. <see cref="Ddn"/>) at this pool's
    /// layer, many examples per network call; each is targeted at its most likely wrong label under the current network.
    /// The stored examples are clipped to the default box of the activation (the data's declared range for the input).
    /// </summary>
    /// <exception cref="ArgumentException">The attack is not a minimum-norm attack, or perturbs another activation.</exception>
    public PoolRefresh Refresh(IClassifier network, Dataset source, int count, IAttack attack, ulong seed, int threads = 0, CancellationToken cancellationToken = default, double overshoot = 1, double distortion = 0, int candidates = 1)
    {
        ArgumentNullException.ThrowIfNull(attack);
        if (attack.Layer != Layer) throw new ArgumentException($"The attack perturbs activation {attack.Layer} but the pool holds activation {Layer}.", nameof(attack));
        if (!attack.MinimumNorm) throw new ArgumentException($"Pool examples need a minimum-norm attack; {attack.Name} bounds its perturbation by a budget.", nameof(attack));
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(source);
        (double lower, double upper) = Layer == 0 && source.InputRange is { } range ? (range.Lower, range.Upper) : LbfgsAttack.DefaultBox(network, Layer);
        return Refresh(network, source, count, seed, overshoot, distortion, candidates, (lower, upper), chosen =>
        {
            Dataset space = LayerSpaceAttack.Project(network, source, chosen, Layer);
            (int[] correct, int[] targets) = RunnerUpTargets(network, space, Layer);
            // Batches of at most 64 examples, at least two per thread when there are enough: the results do not depend on it.
            int perBatch = Math.Clamp((correct.Length + 2 * Math.Max(threads, 1) - 1) / (2 * Math.Max(threads, 1)), 1, 64);
            AttackResult[] results = attack.Run(network, space, correct, targets, new AttackExecution { BatchSize = perBatch, Threads = threads, CancellationToken = cancellationToken });
            return new LayerSpaceAttackResult(space, correct, results);
        });
    }

    private PoolRefresh Refresh(IClassifier network, Dataset source, int count, ulong seed, double overshoot, double distortion, int candidates, (double Lower, double Upper) box, Func<int[], LayerSpaceAttackResult> run)
    {
        if (network.ActivationLength(Layer) != SampleLength) throw new ArgumentException($"Activation {Layer} of {network.Name} has {network.ActivationLength(Layer)} values; the pool holds {SampleLength}.", nameof(network));
        if (source.SampleLength != network.InputLength) throw new ArgumentException($"{source.Name} has samples of {source.SampleLength} values but {network.Name} takes {network.InputLength}.", nameof(source));
        if (!(overshoot >= 1) || double.IsInfinity(overshoot)) throw new ArgumentOutOfRangeException(nameof(overshoot), overshoot, "The overshoot must be at least 1 and finite.");
        if (!(distortion >= 0) || double.IsInfinity(distortion)) throw new ArgumentOutOfRangeException(nameof(distortion), distortion, "The distortion must be non-negative and finite.");
        if (distortion > 0 && overshoot != 1) throw new ArgumentException("Give an overshoot or a distortion, not both.", nameof(distortion));
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        count = Math.Clamp(count, 0, source.Count);
        int drawn = (int)Math.Min((long)count * candidates, source.Count);
        var random = new SeededRandom(SeededRandom.Derive(seed, 1));
        int[] order = new int[source.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        // Partial shuffle: the first `drawn` entries are a uniform draw without replacement.
        for (int i = 0; i < drawn; i++)
        {
            int j = i + random.NextInt(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        if (drawn > count) KeepNearestBoundary(network, source, order, drawn, count);

        // The drawn examples in the pool's space, under the current network; the correctly classified ones attacked.
        (Dataset space, int[] correct, AttackResult[] results) = run(order[..count]);

        AttackResult[] ok = results.Where(r => r.Success).ToArray();
        float[] fresh = new float[ok.Length * SampleLength];
        int[] freshLabels = new int[ok.Length], freshSources = new int[ok.Length];
        (double lower, double upper) = box;
        double storedSum = 0;
        for (int i = 0; i < ok.Length; i++)
        {
            Span<float> row = fresh.AsSpan(i * SampleLength, SampleLength);
            ok[i].Adversarial.CopyTo(row);
            double factor = distortion > 0 ? distortion / ok[i].Distortion : overshoot;
            if (factor != 1)
            {
                // x + F·r with r = x′ − x, clipped to the box.
                ReadOnlySpan<float> x = space.Sample(ok[i].Index);
                for (int j = 0; j < row.Length; j++) row[j] = (float)Math.Clamp(x[j] + factor * ((double)row[j] - x[j]), lower, upper);
                storedSum += Distortions.Rms(row, x);
            }
            else
            {
                storedSum += ok[i].Distortion;
            }

            freshLabels[i] = ok[i].Label;
            freshSources[i] = order[ok[i].Index];
        }

        var (added, replaced) = Insert(fresh, freshLabels, new SeededRandom(SeededRandom.Derive(seed, 2)), freshSources);
        double mean = ok.Length > 0 ? ok.Average(r => r.Distortion) : double.NaN;
        double stored = ok.Length == 0 ? double.NaN : overshoot == 1 && distortion == 0 ? mean : storedSum / ok.Length;
        return new PoolRefresh(correct.Length, ok.Length, added, replaced, mean, stored, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The examples of <paramref name="space"/> (activations of <paramref name="layer"/>) that the network, run from there,
    /// classifies as labelled (ascending), and for each its most likely wrong label; batched forward passes.
    /// </summary>
    internal static (int[] Correct, int[] Targets) RunnerUpTargets(INetwork network, Dataset space, int layer)
    {
        int classes = network.OutputLength, length = space.SampleLength;
        NetworkWorkspace ws = network.CreateWorkspace(Math.Clamp(space.Count, 1, 256));
        float[] outputs = new float[ws.MaxBatch * classes];
        var correct = new List<int>(space.Count);
        var targets = new List<int>(space.Count);
        for (int start = 0; start < space.Count; start += ws.MaxBatch)
        {
            int n = Math.Min(ws.MaxBatch, space.Count - start);
            network.ForwardFrom(ws, layer, space.Samples.AsSpan(start * length, n * length), outputs.AsSpan(0, n * classes), n);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> p = outputs.AsSpan(i * classes, classes);
                int label = space.Labels[start + i], best = 0;
                for (int c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
                if (best != label) continue;
                correct.Add(start + i);
                targets.Add(AttackBatch.RunnerUp(p, label));
            }
        }

        return (correct.ToArray(), targets.ToArray());
    }

    /// <summary>
    /// Reorders the first <paramref name="drawn"/> entries of <paramref name="order"/> so that the first
    /// <paramref name="count"/> are those with the smallest probability margin p(label) − max p(other) under
    /// <paramref name="network"/>; misclassified examples (margin ≤ 0, or not finite) go last; ties keep the draw order.
    /// </summary>
    internal static void KeepNearestBoundary(INetwork network, Dataset source, int[] order, int drawn, int count)
    {
        int classes = network.OutputLength;
        var keys = new double[drawn];
        NetworkWorkspace ws = network.CreateWorkspace(Math.Min(drawn, 256));
        float[] inputs = new float[ws.MaxBatch * source.SampleLength];
        float[] outputs = new float[ws.MaxBatch * classes];
        for (int start = 0; start < drawn; start += ws.MaxBatch)
        {
            int n = Math.Min(ws.MaxBatch, drawn - start);
            for (int i = 0; i < n; i++) source.Sample(order[start + i]).CopyTo(inputs.AsSpan(i * source.SampleLength, source.SampleLength));
            network.Forward(ws, inputs.AsSpan(0, n * source.SampleLength), outputs.AsSpan(0, n * classes), n);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> p = outputs.AsSpan(i * classes, classes);
                int label = source.Labels[order[start + i]];
                float other = float.NegativeInfinity;
                for (int c = 0; c < classes; c++) if (c != label && p[c] > other) other = p[c];
                double margin = (double)p[label] - other;
                keys[start + i] = margin > 0 && double.IsFinite(margin) ? margin : double.PositiveInfinity;
            }
        }

        // OrderBy is stable: equal margins keep the draw order.
        int[] chosen = Enumerable.Range(0, drawn).OrderBy(i => keys[i]).Select(i => order[i]).ToArray();
        chosen.CopyTo(order, 0);
    }
}
