using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Numerics.Tensors;
using Intriguing.Data;
using Intriguing.Generated;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>Mini-batch SGD with momentum for any <see cref="IClassifier"/>, deterministic for a seed.</summary>
/// <remarks>
/// <para>Epoch e visits the training set in the order of a permutation drawn from
/// <c>SeededRandom(Derive(seed, e))</c>, so a run resumed from the checkpoint after epoch e continues exactly as
/// the uninterrupted run would. The last batch of an epoch may be smaller.</para>
/// <para>A network of dense layers and activations (<see cref="HasFusedStep"/>) trains each batch whole in a fused
/// batch step run from the layout the generated code describes, which gives bit-identical parameters to the batch's gradient followed by the
/// update without writing a gradient buffer; its large layers are split over the threads by rows of W (forward
/// product, gradient and update of a row on one thread, each thread bound to its core), so the result does not depend
/// on the thread count. Other networks split each batch into <see cref="SgdOptions.Chunks"/> fixed parts whose
/// gradients are computed in parallel and combined in a fixed order, weighted by their sizes; again the result does not
/// depend on the thread count.</para>
/// <para>Workspaces are in training mode (<see cref="NetworkWorkspace.Training"/>) when <see cref="SgdOptions.Dropout"/> is
/// set: the network's dropout layers draw masks from the run's seed, the global step and each sample's index in its
/// batch, so they too do not depend on the thread count or the chunking.</para>
/// <para>Update (momentum μ, rate η): v ← μ·v − η·g; θ ← θ + v (Nesterov: θ ← θ + μ·v − η·g). A batch of one
/// sample of such a network goes through the fused one-sample step, which gives bit-identical parameters without
/// writing a gradient.</para>
/// <para>Norm control (<see cref="SgdOptions.Lipschitz"/>): penalties, Parseval and the certified objectives add their
/// gradient (computed on the calling thread from the layers' norm trackers) to the combined gradient before the update,
/// which needs the chunk path; the projection rescales the layers after every step, or clips the convolutions' singular
/// values every few steps (and rescales by their certified norms before training and after every epoch). docs/lipschitz.md derives each term.</para>
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly IClassifier _network;
    private readonly Dataset _data;
    private readonly SgdOptions _options;
    private readonly WorkerPool _pool;
    private readonly FusedStepSplitter? _splitter;
    private readonly bool _fusedStep;
    private readonly DenseStackSgd? _fused;
    private readonly NetworkWorkspace[] _workspaces;
    private readonly float[][] _gradients;
    private readonly float[] _losses;
    private readonly float[] _batch;
    private readonly int[] _labels;
    private readonly AlignedBuffer _velocityBuffer; // 64-byte aligned like the parameters: the fused steps stream both
    private Span<float> _velocity => _velocityBuffer.Span;
    private readonly float[] _gradient;
    private readonly Action<int> _chunkJob;
    private readonly Action<int> _updateJob;
    private readonly Action<int> _gatherJob;
    private readonly float[] _weights;
    private int _stepChunks;
    private int[] _order = Array.Empty<int>();
    private int _orderStart;
    private float _stepRate;
    private int _batchCount;
    private long _globalStep;
    private readonly LipschitzOptions? _lipschitz;
    private readonly LipschitzControl? _control;
    private readonly float[]? _controlGradient;
    private readonly double[] _certifiedNorms;
    private int _stepsPerEpoch = 1;
    private readonly float[] _pairs = [];
    private readonly float[] _pairSensitivity = [];
    private readonly NetworkWorkspace? _objective; // the fused steps' margins and sensitivities (a changed objective only)
    private readonly float[] _before = []; // the parameters before a fused step of a changed objective

    /// <summary>Prepares training of <paramref name="network"/> on <paramref name="data"/>; allocates every buffer once.</summary>
    public Trainer(IClassifier network, Dataset data, SgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.SampleLength != network.InputLength) throw new ArgumentException($"{data.Name} has samples of {data.SampleLength} values but {network.Name} takes {network.InputLength}.", nameof(data));
        if (data.Classes > network.OutputLength) throw new ArgumentException($"{data.Name} has {data.Classes} classes but {network.Name} has {network.OutputLength} outputs.", nameof(data));
        if (data.Count == 0) throw new ArgumentException($"{data.Name} has no samples to train on.", nameof(data));
        data.ThrowIfNotFinite(nameof(data));

        _network = network;
        _data = data;
        _options = options;
        _lipschitz = options.Lipschitz is { Active: true } lipschitz ? lipschitz : null;
        _control = _lipschitz is null ? null : new LipschitzControl(network, _lipschitz, options.Seed);
        _controlGradient = _lipschitz?.ChangesObjective == true ? new float[network.ParameterBufferLength] : null;
        _certifiedNorms = new double[_control?.Count ?? 0];
        // A changed objective keeps the fused steps: its cross-entropy (margin, GloRo) through their objective workspace,
        // the norm terms' gradient as a correction after the step (CorrectFusedStep).
        _fused = network is IDenseStackNetwork stack && !(options.ChunkedObjective && _controlGradient is not null) ? new DenseStackSgd(stack, options.BatchSize) : null;
        _fusedStep = _fused is not null;
        if (_fused is not null && _controlGradient is not null)
        {
            _objective = network.CreateWorkspace(1);
            _fused.Objective = _objective;
            _before = new float[network.ParameterBufferLength];
        }

        // A network with a fused step trains each batch as one chunk, split over the threads by the rows of its large
        // layers (a one-sample batch only if SplitSingleSampleSteps); other networks split the batch into chunks.
        int chunks = _fusedStep ? 1 : Math.Min(options.Chunks, options.BatchSize);
        int chunkSize = (options.BatchSize + chunks - 1) / chunks;
        bool split = options.Threads > 1 && _fusedStep && (options.BatchSize > 1 || options.SplitSingleSampleSteps);
        _pool = new WorkerPool(split ? options.Threads : Math.Min(options.Threads, chunks));
        _splitter = split && _pool.Threads > 1 ? new FusedStepSplitter(_pool) : null;
        _workspaces = new NetworkWorkspace[_fusedStep ? 0 : chunks]; // the fused steps hold their own buffers
        _gradients = new float[_workspaces.Length][];
        for (int c = 0; c < _workspaces.Length; c++)
        {
            _workspaces[c] = network.CreateWorkspace(chunkSize);
            _workspaces[c].Training = options.Dropout;
            _workspaces[c].TrainingSeed = SeededRandom.Derive(options.Seed, DropoutStream);
            _gradients[c] = new float[network.ParameterBufferLength];
        }

        if (_lipschitz?.GloRoEpsilon > 0)
        {
            // GloRo: one matrix of pair margins read by every chunk, a sensitivity matrix per chunk and their combination.
            int n = _control!.Classes;
            _pairs = new float[n * n];
            _pairSensitivity = new float[n * n];
            foreach (NetworkWorkspace workspace in _workspaces.Append(_objective).OfType<NetworkWorkspace>())
            {
                workspace.PairMargins = _pairs;
                workspace.PairMarginSensitivity = new float[n * n];
            }
        }

        _losses = new float[chunks];
        _batch = new float[options.BatchSize * data.SampleLength];
        _labels = new int[options.BatchSize];
        _velocityBuffer = new AlignedBuffer(network.ParameterBufferLength);
        _gradient = new float[_pool.Threads * CombineBlock]; // one block of the combined gradient per thread
        _chunkJob = ComputeChunk;
        _updateJob = CombineAndUpdate;
        _gatherJob = Gather;
        _weights = new float[chunks];
        ChunkSize = chunkSize;
    }

    /// <summary>Stream index of the dropout masks' seed, derived from <see cref="SgdOptions.Seed"/> (the ASCII of "dropout").</summary>
    internal const ulong DropoutStream = 0x74756F706F7264UL;

    private int ChunkSize { get; }

    /// <summary>Trains <paramref name="network"/> on <paramref name="data"/> with <paramref name="options"/>.</summary>
    public static TrainingResult Fit(IClassifier network, Dataset data, SgdOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var trainer = new Trainer(network, data, options);
        return trainer.Run(progress, cancellationToken);
    }

    /// <summary>
    /// Runs the remaining epochs. If <see cref="SgdOptions.CheckpointPath"/> names an existing checkpoint, training
    /// resumes after its last completed epoch; a checkpoint is written after every epoch.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; the last completed epoch's checkpoint remains.</exception>
    public TrainingResult Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int startEpoch = 0;
        if (_options.CheckpointPath is { } path && File.Exists(path))
        {
            CheckpointState state = Checkpoint.Load(path, _network);
            string settings = Describe(_network, _options);
            if (state.Settings != settings)
            {
                throw new CheckpointException($"{path}: the checkpoint was made with other settings ({state.Settings}) than this run ({settings}); delete it or train with those settings.");
            }

            startEpoch = Math.Min(state.EpochsDone, _options.Epochs);
            if (state.OptimizerState.Length == _velocity.Length) state.OptimizerState.CopyTo(_velocity);
        }

        // The projection holds from the start: the initial (or resumed) weights are brought to σ_k ≤ τ_k first.
        if (_lipschitz?.Project == true) _control!.ProjectCertified(_network.Parameters, _certifiedNorms);

        int n = _data.Count;
        int stepsPerEpoch = (n + _options.BatchSize - 1) / _options.BatchSize;
        _stepsPerEpoch = stepsPerEpoch;
        long totalSteps = (long)stepsPerEpoch * _options.Epochs;
        int[] order = new int[n];
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        long samples = 0;
        // A split one-sample step keeps each thread's rows in its core's cache only if the threads stay on their cores.
        using IDisposable? affinity = _splitter is not null && _fusedStep ? _pool.BindThreads() : null;
        for (int epoch = startEpoch; epoch < _options.Epochs; epoch++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            new SeededRandom(SeededRandom.Derive(_options.Seed, (ulong)epoch)).Shuffle(order.AsSpan());
            double epochLoss = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * _options.BatchSize;
                int count = Math.Min(_options.BatchSize, n - start);
                // The chunks gather their own samples (in parallel) from these indices.
                _order = order;
                _orderStart = start;
                _globalStep = (long)epoch * stepsPerEpoch + step;

                float loss = Step(count, _options.RateAt(epoch, (long)epoch * stepsPerEpoch + step, totalSteps));
                if (!float.IsFinite(loss))
                {
                    throw new InvalidOperationException($"Training of {_network.Name} diverged at epoch {epoch + 1}, step {step + 1} (loss {loss}); lower the learning rate.");
                }

                epochLoss += loss * count;
                samples += count;
                if (progress is not null && (step % 200 == 199 || step == stepsPerEpoch - 1))
                {
                    progress.Report(new TrainingProgress(epoch + 1, _options.Epochs, step + 1, stepsPerEpoch, epochLoss / Math.Min(n, start + count), clock.Elapsed));
                }
            }

            losses.Add(epochLoss / n);
            // The per-step projection uses tracked (lower) estimates; the certified norms are brought to τ every epoch.
            if (_lipschitz?.Project == true) _control!.ProjectCertified(_network.Parameters, _certifiedNorms);
            if (_options.CheckpointPath is { } checkpoint)
            {
                Checkpoint.Save(checkpoint, _network, new CheckpointState(epoch + 1, _options.Seed, _velocity.ToArray(), Describe(_network, _options)));
            }
        }

        clock.Stop();
        return new TrainingResult(losses, startEpoch, clock.Elapsed, samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
    }

    /// <summary>
    /// The settings that determine the parameters <paramref name="network"/> is trained to, as stored in checkpoints:
    /// <see cref="SgdOptions.Describe()"/>, with <c>step=fused</c> in place of the chunk count for a network with a fused
    /// step (<see cref="HasFusedStep"/>), which trains every batch whole whatever <see cref="SgdOptions.Chunks"/> says.
    /// </summary>
    public static string Describe(INetwork network, SgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Describe(HasFusedStep(network) && !(options.ChunkedObjective && options.Lipschitz?.ChangesObjective == true));
    }

    /// <summary>
    /// Whether the trainer's fused SGD steps cover <paramref name="network"/>: a classifier of dense layers and
    /// activations, whose generated code describes its layers for them. Other networks (convolutions, pooling,
    /// normalisation, dropout, whose masks need the training mode) train through the gradient of each chunk.
    /// </summary>
    public static bool HasFusedStep(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network is IDenseStackNetwork;
    }

    /// <summary>One SGD step on the first <paramref name="count"/> samples of the batch buffer; returns the batch objective.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float Step(int count, float rate)
    {
        float loss = StepCore(count, rate);
        if (_lipschitz?.Project == true) _control!.Project(_network.Parameters, _lipschitz.ClipsAfter(_globalStep));
        return loss;
    }

    /// <summary><see cref="Step"/> before the projection.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float StepCore(int count, float rate)
    {
        double bound = 0;
        float epsilon = 0;
        if (_controlGradient is not null)
        {
            // Norm control: the trackers follow the current weights (a power step on them, even right after the
            // projection's: reusing the projection's state instead made margin training collapse, docs/lipschitz.md);
            // the margin c = √2·ε·L shifts the logits.
            bound = _control!.Refresh(_network.Parameters);
            epsilon = _lipschitz!.EpsilonAt(_globalStep, _stepsPerEpoch);
            float margin = _lipschitz.MarginEpsilon > 0 ? (float)(Math.Sqrt(2) * epsilon * bound) : 0;
            foreach (NetworkWorkspace workspace in _workspaces) workspace.LogitMargin = margin;
            if (_objective is not null) _objective.LogitMargin = margin;
            if (_pairs.Length > 0) _control.PairMargins(_network.Parameters, epsilon, _pairs);
        }

        if (_fused is not null)
        {
            float fusedLoss;
            if (_objective is not null) _network.Parameters.CopyTo(_before);
            if (count == 1)
            {
                // One sample: the fused step, same result without a gradient buffer. Within an epoch of one-sample batches
                // it also forms the next sample's first layer in its pass over W (bit-identical) — not under norm control,
                // whose correction or projection changes W after the step.
                int index = _order[_orderStart];
                ReadOnlySpan<float> next = _options.BatchSize == 1 && _lipschitz is null && _orderStart + 1 < _order.Length ? _data.Sample(_order[_orderStart + 1]) : default;
                fusedLoss = _fused.Step(_data.Sample(index), _data.Labels[index], _velocity, _options.Momentum, rate, _options.Nesterov, _splitter, next);
            }
            else
            {
                // The whole batch in one fused step: the same result as one chunk's gradient followed by the update.
                _batchCount = count;
                if (_splitter is not null) _pool.RunPinned(_gatherJob);
                else Gather(0);

                fusedLoss = _fused.BatchStep(_batch.AsSpan(0, count * _data.SampleLength), _labels.AsSpan(0, count), count, _velocity, _options.Momentum, rate, _options.Nesterov, _splitter);
            }

            return _objective is null ? fusedLoss : fusedLoss + CorrectFusedStep(bound, epsilon, rate);
        }

        _batchCount = count;
        int chunks = (count + ChunkSize - 1) / ChunkSize;

        _pool.Run(chunks, _chunkJob);

        // g = Σ_c (n_c / n)·g_c in chunk order; each g_c already includes the weight decay, and Σ n_c / n = 1.
        float loss = 0;
        double sensitivity = 0;
        for (int c = 0; c < chunks; c++)
        {
            _weights[c] = chunks == 1 ? 1 : (float)Math.Min(ChunkSize, count - c * ChunkSize) / count;
            loss += _weights[c] * _losses[c];
            sensitivity += _weights[c] * _workspaces[c].MarginSensitivity;
        }

        if (_controlGradient is not null)
        {
            // Plus the norm terms' gradient, g_W += ∂(penalty + Parseval)/∂W + ∂E/∂c·√2·ε·∂L/∂W.
            if (_pairs.Length > 0)
            {
                // ∂E/∂(ε·K) = Σ_c w_c·S_c, in chunk order.
                Array.Clear(_pairSensitivity);
                for (int c = 0; c < chunks; c++)
                {
                    float[] chunk = _workspaces[c].PairMarginSensitivity!;
                    for (int i = 0; i < chunk.Length; i++) _pairSensitivity[i] += _weights[c] * chunk[i];
                }
            }

            loss += _control!.WriteGradient(_network.Parameters, _controlGradient, bound, sensitivity * Math.Sqrt(2) * epsilon, _pairs, _pairSensitivity);
        }

        if (chunks == 1)
        {
            if (_controlGradient is not null) TensorPrimitives.Add(_gradients[0], _controlGradient, _gradients[0]);
            Update(_network.Parameters, _velocity, _gradients[0], _options.Momentum, rate, _options.Nesterov);
            return loss;
        }

        // Combine the chunk gradients and update, fused and split over the threads by parameter range.
        _stepChunks = chunks;
        _stepRate = rate;
        _pool.Run(_pool.Threads, _updateJob);
        return loss;
    }

    /// <summary>
    /// After a fused step of a changed objective: the norm terms' gradient g_p at the parameters before the step (with
    /// the step's margin sensitivities), applied as the rest of the same update, v ← v − η·g_p and θ ← θ − η·g_p
    /// (Nesterov: θ ← θ − (1 + μ)·η·g_p), which is v ← μ·v − η·(g + g_p) and its θ up to float rounding. Returns the
    /// norm terms' value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float CorrectFusedStep(double bound, float epsilon, float rate)
    {
        NetworkWorkspace objective = _objective!;
        if (_pairs.Length > 0) objective.PairMarginSensitivity.AsSpan().CopyTo(_pairSensitivity);
        float value = _control!.WriteGradient(_before, _controlGradient, bound, objective.MarginSensitivity * Math.Sqrt(2) * epsilon, _pairs, _pairSensitivity);
        float parameterRate = _options.Nesterov ? (1 + _options.Momentum) * rate : rate;
        TensorPrimitives.MultiplyAdd(_controlGradient, -rate, _velocity, _velocity);
        TensorPrimitives.MultiplyAdd(_controlGradient, -parameterRate, _network.Parameters, _network.Parameters);
        return value;
    }

    /// <summary>Parameters combined and updated per block, so the combined gradient never leaves the L1 cache.</summary>
    private const int CombineBlock = 1024;

    /// <summary>
    /// Part <paramref name="part"/> of the parameters: g = Σ_c w_c·g_c (in chunk order), then the momentum update, a block
    /// of <see cref="CombineBlock"/> parameters at a time (the same arithmetic for every element whatever the blocks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CombineAndUpdate(int part)
    {
        int n = _velocity.Length, parts = _pool.Threads;
        int size = (n / parts + 63) & ~63;
        int start = Math.Min(n, part * size), end = part == parts - 1 ? n : Math.Min(n, start + size);
        Span<float> scratch = _gradient.AsSpan(part * CombineBlock, CombineBlock);
        for (int blockStart = start; blockStart < end; blockStart += CombineBlock)
        {
            int length = Math.Min(CombineBlock, end - blockStart);
            Span<float> g = scratch.Slice(0, length);
            TensorPrimitives.Multiply(_gradients[0].AsSpan(blockStart, length), _weights[0], g);
            for (int c = 1; c < _stepChunks; c++)
            {
                // g += w_c·g_c, multiply then add (never fused), so every element is computed alike whatever the split.
                Elementwise.Map(g, _gradients[c].AsSpan(blockStart, length), g, new AddMultiplied(_weights[c]));
            }

            if (_controlGradient is not null) TensorPrimitives.Add(g, _controlGradient.AsSpan(blockStart, length), g);
            Update(_network.Parameters.Slice(blockStart, length), _velocity.Slice(blockStart, length), g, _options.Momentum, _stepRate, _options.Nesterov);
        }
    }

    /// <summary>Copies part <paramref name="part"/> of the batch's samples and labels (of the pool's threads; all of them without a splitter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gather(int part)
    {
        int parts = _splitter is null ? 1 : _pool.Threads;
        (int start, int end) = WorkerPool.PartRange(_batchCount, part, parts);
        int length = _data.SampleLength;
        for (int b = start; b < end; b++)
        {
            int index = _order[_orderStart + b];
            _data.Sample(index).CopyTo(_batch.AsSpan(b * length, length));
            _labels[b] = _data.Labels[index];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeChunk(int c)
    {
        int start = c * ChunkSize;
        int size = Math.Min(ChunkSize, _batchCount - start);
        int length = _data.SampleLength;
        for (int b = start; b < start + size; b++)
        {
            int index = _order[_orderStart + b];
            _data.Sample(index).CopyTo(_batch.AsSpan(b * length, length));
            _labels[b] = _data.Labels[index];
        }

        // Dropout masks are keyed by the global step and each sample's place in the whole batch, not by the chunk.
        NetworkWorkspace workspace = _workspaces[c];
        workspace.TrainingStep = _globalStep;
        workspace.SampleOffset = start;
        _losses[c] = _network.LossAndGradient(workspace, _batch.AsSpan(start * length, size * length), _labels.AsSpan(start, size), size, _gradients[c]);
    }

    /// <summary>v ← μ·v − η·g; θ ← θ + v, or with Nesterov θ ← θ + μ·v − η·g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Update(Span<float> parameters, Span<float> velocity, ReadOnlySpan<float> gradient, float momentum, float rate, bool nesterov)
    {
        if (parameters.Length != velocity.Length || parameters.Length != gradient.Length) throw new ArgumentException("Parameters, velocity and gradient differ in length.");
        Elementwise.Update(parameters, velocity, gradient, new MomentumStep(momentum, rate, nesterov));
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _pool.Dispose();
}
