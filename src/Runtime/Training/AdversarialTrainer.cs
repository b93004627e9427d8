using System.Diagnostics;
using System.Numerics.Tensors;
using Intriguing.Adversarial;
using Intriguing.Data;

namespace Intriguing.Training;

/// <summary>How one pool fared over a run of <see cref="AdversarialTrainer"/>.</summary>
/// <param name="Layer">The pool's activation (0 = input).</param>
/// <param name="Refreshes">Refreshes done.</param>
/// <param name="Attacked">Examples attacked over all refreshes.</param>
/// <param name="Succeeded">Verified adversarial examples made.</param>
/// <param name="MeanDistortion">Mean RMS distortion of the examples made, in the pool's space, as the attack found them (NaN if none).</param>
/// <param name="StoredDistortion">Mean RMS distortion of the examples as stored, after the overshoot or resizing
/// (<see cref="AdversarialTrainingOptions.Overshoot"/>, <see cref="AdversarialTrainingOptions.PoolDistortion"/>) and the
/// clipping to the box (NaN if none).</param>
/// <param name="AttackSeconds">Wall time spent making them.</param>
/// <param name="FinalCount">Examples in the pool at the end.</param>
/// <param name="Drawn">Pool examples trained on over the run.</param>
public sealed record PoolSummary(int Layer, int Refreshes, long Attacked, long Succeeded, double MeanDistortion, double StoredDistortion, double AttackSeconds, int FinalCount, long Drawn = 0);

/// <summary>The outcome of a run of <see cref="AdversarialTrainer"/>.</summary>
/// <param name="EpochLosses">Mean objective of each epoch (cross-entropy over clean and pool examples, plus weight decay).</param>
/// <param name="Elapsed">Wall time of the whole run.</param>
/// <param name="AttackSeconds">Part of it spent making pool examples.</param>
/// <param name="Pools">Per pool, what was made.</param>
public sealed record AdversarialTrainingResult(IReadOnlyList<double> EpochLosses, TimeSpan Elapsed, double AttackSeconds, IReadOnlyList<PoolSummary> Pools);

/// <summary>
/// Mini-batch SGD with momentum plus pools of adversarial examples for chosen activations (Szegedy et al., Sec. 4.2),
/// deterministic for a seed whatever the number of threads.
/// </summary>
/// <remarks>
/// <para>The clean part of training is that of <see cref="Trainer"/>: epoch e visits the training set in the order of a
/// permutation drawn from <c>SeededRandom(Derive(seed, e))</c>, with the same learning-rate schedule and update. Every
/// <see cref="AdversarialTrainingOptions.RefreshPeriod"/> steps after the warm-up, training pauses while each pool is
/// refreshed with examples made against the current network (the attacks of a refresh run in parallel, see
/// <see cref="AdversarialPool.Refresh(IClassifier, Dataset, int, AttackOptions, ulong, int, CancellationToken, double, double, int)"/>). Each step adds pool examples to the clean batch (see
/// <see cref="AdversarialTrainingOptions"/>); an example of activation k goes through the layers above k only, with
/// <see cref="IClassifier.LossAndLayerGradient"/>, so it trains only those layers.</para>
/// <para>Each step's examples are split into <see cref="SgdOptions.Chunks"/> fixed parts per source (clean batch and each
/// pool), computed in parallel and summed in a fixed order; the gradient is the sum over all examples divided by their
/// number, plus the weight-decay gradient. With no pools this is the objective of <see cref="Trainer"/>, computed as a
/// sum and then scaled, so the two agree up to rounding.</para>
/// <para>Dropout: with <see cref="SgdOptions.Dropout"/> set (the default), the workspaces are in training mode, so each
/// example's pass applies the masks of the dropout layers above its activation (every layer for clean and input-pool
/// examples), keyed like <see cref="Trainer"/>'s by the run's seed, the global step and the example's place in the step:
/// the clean examples take places 0…batch − 1, as in <see cref="Trainer"/>, and each pool's draw the places after them.
/// The attacks that make pool examples are inference passes.</para>
/// <para>No checkpoints are written within a run: the pools are part of the state. Callers that need to resume keep the
/// finished run's parameters (see the <c>advtrain</c> experiment).</para>
/// </remarks>
public sealed class AdversarialTrainer : IDisposable
{
    private readonly IClassifier _network;
    private readonly Dataset _data;
    private readonly SgdOptions _sgd;
    private readonly AdversarialTrainingOptions _options;
    private readonly AdversarialPool[] _pools;
    private readonly AttackOptions[] _attacks;
    private readonly Ddn[]? _batchedAttacks;
    private readonly WorkerPool _workers;
    private readonly int _chunks;
    private readonly NetworkWorkspace[] _workspaces;
    private readonly float[][] _inputs;
    private readonly int[][] _labels;
    private readonly float[][] _sums;
    private readonly float[][] _scratch;
    private readonly float[] _losses;
    private readonly float[] _velocity;
    private readonly float[] _gradient;
    private readonly int[][] _drawn;
    private readonly int[] _drawnCount;
    private readonly Action<int> _chunkJob;
    private int[] _order = Array.Empty<int>();
    private int _orderStart;
    private int _cleanCount;
    private long _globalStep;

    /// <summary>Per pool, the place in the step of its first drawn example (dropout masks are keyed by it).</summary>
    private readonly int[] _maskOffsets;

    /// <summary>Prepares training; makes the (empty) pools and allocates every per-step buffer once.</summary>
    public AdversarialTrainer(IClassifier network, Dataset data, SgdOptions sgd, AdversarialTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sgd);
        ArgumentNullException.ThrowIfNull(options);
        sgd.Validate();
        if (sgd.Lipschitz is { Active: true }) throw new ArgumentException("Adversarial training does not apply SgdOptions.Lipschitz; train with Trainer for norm control.", nameof(sgd));
        options.Validate(network);
        if (data.SampleLength != network.InputLength) throw new ArgumentException($"{data.Name} has samples of {data.SampleLength} values but {network.Name} takes {network.InputLength}.", nameof(data));
        if (data.Classes > network.OutputLength) throw new ArgumentException($"{data.Name} has {data.Classes} classes but {network.Name} has {network.OutputLength} outputs.", nameof(data));
        if (data.Count == 0) throw new ArgumentException($"{data.Name} has no samples to train on.", nameof(data));
        data.ThrowIfNotFinite(nameof(data));
        _network = network;
        _data = data;
        _sgd = sgd;
        _options = options;
        _pools = options.Layers.Select(k => new AdversarialPool(k, options.PoolSize, network.ActivationLength(k))).ToArray();
        _attacks = options.Layers.Select(k => options.Attack with { Layer = k }).ToArray();
        _batchedAttacks = options.Ddn is { } ddn ? options.Layers.Select(k => new Ddn(ddn with { Layer = k })).ToArray() : null;

        _chunks = Math.Min(sgd.Chunks, sgd.BatchSize);
        int adversarialMax = AdversarialPerStep(sgd.BatchSize);
        int rows = Math.Max(Ceil(sgd.BatchSize, _chunks), Ceil(adversarialMax, _chunks));
        int width = Math.Max(network.InputLength, _pools.Length == 0 ? 0 : _pools.Max(p => p.SampleLength));
        _workers = new WorkerPool(Math.Min(sgd.Threads, _chunks));
        _workspaces = new NetworkWorkspace[_chunks];
        _inputs = new float[_chunks][];
        _labels = new int[_chunks][];
        _sums = new float[_chunks][];
        _scratch = new float[_chunks][];
        for (int c = 0; c < _chunks; c++)
        {
            _workspaces[c] = network.CreateWorkspace(Math.Max(1, rows));
            _workspaces[c].Training = sgd.Dropout;
            _workspaces[c].TrainingSeed = SeededRandom.Derive(sgd.Seed, Trainer.DropoutStream);
            _inputs[c] = new float[Math.Max(1, rows) * width];
            _labels[c] = new int[Math.Max(1, rows)];
            _sums[c] = new float[network.ParameterBufferLength];
            _scratch[c] = new float[network.ParameterBufferLength];
        }

        _losses = new float[_chunks];
        _velocity = new float[network.ParameterBufferLength];
        _gradient = new float[network.ParameterBufferLength];
        _drawn = _pools.Select(_ => new int[Math.Max(1, adversarialMax)]).ToArray();
        _maskOffsets = _pools.Select((_, p) => sgd.BatchSize + p * adversarialMax).ToArray();
        _drawnCount = new int[_pools.Length];
        _drawnTotal = new long[_pools.Length];
        _chunkJob = ComputeChunk;
    }

    /// <summary>The pools, in the order of <see cref="AdversarialTrainingOptions.Layers"/>.</summary>
    public IReadOnlyList<AdversarialPool> Pools => _pools;

    /// <summary>Pool examples added to a step with <paramref name="clean"/> clean examples.</summary>
    public int AdversarialPerStep(int clean) => _options.Layers.Count == 0 ? 0 : (int)Math.Round(_options.MixingRatio * clean, MidpointRounding.AwayFromZero);

    private static int Ceil(int a, int b) => (a + b - 1) / b;

    /// <summary>Trains <paramref name="network"/> on <paramref name="data"/> with the given settings.</summary>
    public static AdversarialTrainingResult Fit(IClassifier network, Dataset data, SgdOptions sgd, AdversarialTrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, IProgress<(int Layer, PoolRefresh Refresh)>? refreshes = null)
    {
        using var trainer = new AdversarialTrainer(network, data, sgd, options);
        return trainer.Run(progress, cancellationToken, refreshes);
    }

    /// <summary>Runs every epoch from the network's current parameters (and zero momentum).</summary>
    /// <param name="progress">Receives training progress.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <param name="refreshes">Receives each pool refresh (its layer and what it made).</param>
    /// <exception cref="OperationCanceledException">Cancelled; the parameters are those of the last completed step.</exception>
    public AdversarialTrainingResult Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, IProgress<(int Layer, PoolRefresh Refresh)>? refreshes = null)
    {
        int n = _data.Count;
        int batch = _sgd.BatchSize;
        int stepsPerEpoch = Ceil(n, batch);
        long totalSteps = (long)stepsPerEpoch * _sgd.Epochs;
        long firstRefresh = (long)_options.WarmupEpochs * stepsPerEpoch;
        int[] order = new int[n];
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        double attackSeconds = 0;
        var refreshCounts = new int[_pools.Length];
        var attacked = new long[_pools.Length];
        var succeeded = new long[_pools.Length];
        var distortionSum = new double[_pools.Length];
        var storedSum = new double[_pools.Length];
        var poolSeconds = new double[_pools.Length];
        int refreshIndex = 0;
        for (int epoch = 0; epoch < _sgd.Epochs; epoch++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            new SeededRandom(SeededRandom.Derive(_sgd.Seed, (ulong)epoch)).Shuffle(order.AsSpan());
            // Draws of pool examples: their own stream per epoch, so the clean order is that of Trainer.
            var mix = new SeededRandom(SeededRandom.Derive(SeededRandom.Derive(_sgd.Seed, 0xAD5A), (ulong)epoch));
            double epochLoss = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long global = (long)epoch * stepsPerEpoch + step;
                if (_pools.Length > 0 && global >= firstRefresh && (global - firstRefresh) % _options.RefreshPeriod == 0)
                {
                    for (int p = 0; p < _pools.Length; p++)
                    {
                        ulong seed = SeededRandom.Derive(SeededRandom.Derive(_sgd.Seed, 0xAD00 + (ulong)_pools[p].Layer), (ulong)refreshIndex);
                        PoolRefresh r = _batchedAttacks is null
                            ? _pools[p].Refresh(_network, _data, _options.RefreshCount, _attacks[p], seed, _options.AttackThreads, cancellationToken, _options.Overshoot, _options.PoolDistortion, _options.SourceCandidates)
                            : _pools[p].Refresh(_network, _data, _options.RefreshCount, _batchedAttacks[p], seed, _options.AttackThreads, cancellationToken, _options.Overshoot, _options.PoolDistortion, _options.SourceCandidates);
                        refreshCounts[p]++;
                        attacked[p] += r.Attacked;
                        succeeded[p] += r.Succeeded;
                        if (r.Succeeded > 0)
                        {
                            distortionSum[p] += r.MeanDistortion * r.Succeeded;
                            storedSum[p] += r.StoredDistortion * r.Succeeded;
                        }

                        poolSeconds[p] += r.Seconds;
                        attackSeconds += r.Seconds;
                        refreshes?.Report((_pools[p].Layer, r));
                    }

                    refreshIndex++;
                }

                int count = Math.Min(batch, n - step * batch);
                _order = order;
                _orderStart = step * batch;
                _globalStep = global;
                float loss = Step(count, mix, _sgd.RateAt(epoch, global, totalSteps));
                if (!float.IsFinite(loss))
                {
                    throw new InvalidOperationException($"Adversarial training of {_network.Name} diverged at epoch {epoch + 1}, step {step + 1} (loss {loss}); lower the learning rate.");
                }

                epochLoss += loss * count;
                if (progress is not null && (step % 200 == 199 || step == stepsPerEpoch - 1))
                {
                    progress.Report(new TrainingProgress(epoch + 1, _sgd.Epochs, step + 1, stepsPerEpoch, epochLoss / Math.Min(n, step * batch + count), clock.Elapsed));
                }
            }

            losses.Add(epochLoss / n);
        }

        clock.Stop();
        var pools = _pools.Select((pool, p) => new PoolSummary(pool.Layer, refreshCounts[p], attacked[p], succeeded[p], succeeded[p] > 0 ? distortionSum[p] / succeeded[p] : double.NaN, succeeded[p] > 0 ? storedSum[p] / succeeded[p] : double.NaN, poolSeconds[p], pool.Count, _drawnTotal[p])).ToArray();
        return new AdversarialTrainingResult(losses, clock.Elapsed, attackSeconds, pools);
    }

    /// <summary>Steps taken with pool examples available (rotates which pools get the remainder of the split).</summary>
    private long _steps;

    /// <summary>Pool examples trained on so far, per pool.</summary>
    private readonly long[] _drawnTotal;

    /// <summary>
    /// One step on <paramref name="count"/> clean examples (from the current order) and the pool examples drawn with
    /// <paramref name="mix"/>; returns the step's objective.
    /// </summary>

    private float Step(int count, SeededRandom mix, float rate)
    {
        // Split the pool examples evenly over the non-empty pools, then draw them (on this thread, in pool order). The
        // pools that get one more when the examples do not divide evenly rotate from step to step, so that with fewer
        // examples per step than pools every pool still gets its share.
        int nonEmpty = 0;
        foreach (AdversarialPool pool in _pools) if (pool.Count > 0) nonEmpty++;
        int adversarial = nonEmpty == 0 ? 0 : AdversarialPerStep(count);
        int first = nonEmpty == 0 ? 0 : (int)(_steps++ % nonEmpty);
        int seen = 0, total = count;
        for (int p = 0; p < _pools.Length; p++)
        {
            AdversarialPool pool = _pools[p];
            if (pool.Count == 0)
            {
                _drawnCount[p] = 0;
                continue;
            }

            int m = adversarial / nonEmpty + ((seen - first + nonEmpty) % nonEmpty < adversarial % nonEmpty ? 1 : 0);
            seen++;
            for (int i = 0; i < m; i++) _drawn[p][i] = mix.NextInt(pool.Count);
            _drawnCount[p] = m;
            _drawnTotal[p] += m;
            total += m;
        }

        _cleanCount = count;
        _workers.Run(_chunks, _chunkJob);

        // g = (1/N)·Σ_c s_c in chunk order, plus the weight-decay gradient; then the momentum update.
        Span<float> g = _gradient;
        _sums[0].CopyTo(g);
        float loss = _losses[0];
        for (int c = 1; c < _chunks; c++)
        {
            TensorPrimitives.Add(g, _sums[c], g);
            loss += _losses[c];
        }

        float scale = 1f / total;
        TensorPrimitives.Multiply(g, scale, g);
        float penalty = _network.AddWeightDecay(g);
        Trainer.Update(_network.Parameters, _velocity, g, _sgd.Momentum, rate, _sgd.Nesterov);
        return loss * scale + penalty;
    }

    /// <summary>Chunk <paramref name="c"/>: its part of the clean batch and of each pool's draw, summed losses and gradients.</summary>
    private void ComputeChunk(int c)
    {
        float[] sum = _sums[c];
        Array.Clear(sum);
        float loss = 0;

        // Clean examples: part c of the batch, through the whole network.
        var (start, size) = Part(_cleanCount, c);
        if (size > 0)
        {
            int length = _data.SampleLength;
            for (int b = 0; b < size; b++)
            {
                int index = _order[_orderStart + start + b];
                _data.Sample(index).CopyTo(_inputs[c].AsSpan(b * length, length));
                _labels[c][b] = _data.Labels[index];
            }

            loss += Accumulate(c, 0, length, size, start);
        }

        // Pool examples: part c of each pool's draw, through the layers above the pool's activation.
        for (int p = 0; p < _pools.Length; p++)
        {
            (start, size) = Part(_drawnCount[p], c);
            if (size == 0) continue;
            AdversarialPool pool = _pools[p];
            int length = pool.SampleLength;
            for (int b = 0; b < size; b++)
            {
                pool.CopyTo(_drawn[p][start + b], _inputs[c].AsSpan(b * length, length), out _labels[c][b]);
            }

            loss += Accumulate(c, pool.Layer, length, size, _maskOffsets[p] + start);
        }

        _losses[c] = loss;
    }

    private float Accumulate(int c, int layer, int length, int size, int offset)
    {
        NetworkWorkspace workspace = _workspaces[c];
        workspace.TrainingStep = _globalStep;
        workspace.SampleOffset = offset;
        float loss = _network.LossAndLayerGradient(_workspaces[c], layer, _inputs[c].AsSpan(0, size * length), _labels[c].AsSpan(0, size), size, default, _scratch[c]);
        TensorPrimitives.Add(_sums[c], _scratch[c], _sums[c]);
        return loss;
    }

    /// <summary>Part <paramref name="c"/> of <paramref name="count"/> items split into the fixed number of chunks.</summary>
    private (int Start, int Size) Part(int count, int c)
    {
        int size = Ceil(count, _chunks);
        int start = Math.Min(count, c * size);
        return (start, Math.Min(size, count - start));
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _workers.Dispose();
}
