using Intriguing.Layers;

namespace Intriguing.Composition;

/// <summary>
/// A network composed at run time from a <see cref="NetworkSummary"/> and a parameter buffer: each layer runs the same
/// kernel of its layer home (<c>Intriguing.Layers</c>) that generated code calls, so the numerics are those of the
/// generated network with the same summary. Made by <see cref="Create"/> or by an import
/// (<see cref="Interop.OnnxModel.Import(string, Interop.OnnxImportOptions?)"/>); no compilation step.
/// </summary>
/// <remarks>
/// A stack that ends in a soft-max is a <see cref="ComposedClassifier"/>, any other a <see cref="ComposedRegressor"/>.
/// The layers dispatch per call rather than being specialized, and the workspace holds every activation and its
/// gradient like a generated one; nothing allocates after <see cref="CreateWorkspace"/>.
/// </remarks>
public abstract class ComposedNetwork : INetwork
{
    private readonly float[] _parameters;
    private readonly LayerInfo[] _layers;
    private readonly int[] _lengths;
    private readonly int _scratchLength;
    private ComposedWorkspace? _defaultWorkspace;

    private protected ComposedNetwork(NetworkSummary summary, int inputLength, ReadOnlySpan<float> parameters)
    {
        Summary = summary;
        Name = summary.Name;
        _layers = summary.Layers.ToArray();
        _lengths = new int[_layers.Length + 1];
        _lengths[0] = inputLength;
        int scratch = 1;
        for (int i = 0; i < _layers.Length; i++)
        {
            _lengths[i + 1] = _layers[i].OutputLength;
            LayerGeometry? g = _layers[i].Geometry;
            scratch = _layers[i].Kind switch
            {
                LayerKind.Conv => Math.Max(scratch, Convolution.ColumnLength(g!)),
                LayerKind.LocalResponseNorm => Math.Max(scratch, 2 * g!.InputLength),
                LayerKind.ContrastNorm => Math.Max(scratch, 2 * g!.InputHeight * g.InputWidth),
                _ => scratch,
            };
        }

        _scratchLength = scratch;
        _parameters = parameters.ToArray();
    }

    /// <summary>
    /// Composes a network from <paramref name="summary"/> (its layers, shapes, geometry and parameter offsets, as a
    /// generated network's <see cref="INetwork.Summary"/> gives them) with a copy of <paramref name="parameters"/>.
    /// </summary>
    /// <param name="summary">The layers in stack order; a soft-max may only be the last layer.</param>
    /// <param name="inputLength">Values per input sample.</param>
    /// <param name="parameters">The parameter buffer; every layer's weights and bias must lie inside it.</param>
    /// <returns>A <see cref="ComposedClassifier"/> when the last layer is a soft-max, otherwise a <see cref="ComposedRegressor"/>.</returns>
    /// <exception cref="ArgumentException">The layers do not chain, lack the geometry or parameters their kind needs, or reach outside the buffer.</exception>
    public static ComposedNetwork Create(NetworkSummary summary, int inputLength, ReadOnlySpan<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Validate(summary, inputLength, parameters.Length);
        return summary.Layers[^1].Kind == LayerKind.Softmax
            ? new ComposedClassifier(summary, inputLength, parameters)
            : new ComposedRegressor(summary, inputLength, parameters);
    }

    /// <summary>Composes a network with the summary and a copy of the current parameters of <paramref name="network"/>.</summary>
    /// <param name="network">Any network, generated or composed.</param>
    /// <returns>The composed network.</returns>
    public static ComposedNetwork From(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Create(network.Summary, network.InputLength, network.Parameters);
    }

    private static void Validate(NetworkSummary summary, int inputLength, int bufferLength)
    {
        if (summary.Layers.Count == 0) throw new ArgumentException("A network has at least one layer.", nameof(summary));
        if (inputLength <= 0) throw new ArgumentException($"The input length must be positive (is {inputLength}).", nameof(inputLength));
        int length = inputLength;
        for (int i = 0; i < summary.Layers.Count; i++)
        {
            LayerInfo l = summary.Layers[i] ?? throw new ArgumentException($"Layer {i + 1} is null.", nameof(summary));
            string where = $"Layer {i + 1} ({l.Name}, {l.Kind})";
            if (l.InputLength != length) throw new ArgumentException($"{where} reads {l.InputLength} values but the layer below writes {length}.", nameof(summary));
            if (l.OutputLength <= 0) throw new ArgumentException($"{where} writes no values.", nameof(summary));
            if (l.Kind == LayerKind.Softmax && i != summary.Layers.Count - 1) throw new ArgumentException($"{where}: a soft-max can only be the last layer.", nameof(summary));
            bool geometric = l.Kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool or LayerKind.LocalResponseNorm or LayerKind.ContrastNorm;
            if (geometric)
            {
                LayerGeometry g = l.Geometry ?? throw new ArgumentException($"{where} has no geometry.", nameof(summary));
                if (g.InputLength != l.InputLength || g.OutputLength != l.OutputLength)
                {
                    throw new ArgumentException($"{where}: its geometry ({g.InputLength} → {g.OutputLength} values) does not match its lengths ({l.InputLength} → {l.OutputLength}).", nameof(summary));
                }

                if (l.Kind is LayerKind.LocalResponseNorm or LayerKind.ContrastNorm && l.Norm is null) throw new ArgumentException($"{where} has no normalisation parameters.", nameof(summary));
            }
            else if (l.Kind != LayerKind.Dense && l.OutputLength != l.InputLength)
            {
                throw new ArgumentException($"{where} must write as many values as it reads.", nameof(summary));
            }

            if (l.Kind is LayerKind.Dense or LayerKind.Conv)
            {
                long weights = l.Kind == LayerKind.Dense ? (long)l.OutputLength * l.InputLength : WeightCount(l.Geometry!);
                int biases = l.Kind == LayerKind.Dense ? l.OutputLength : l.Geometry!.OutputChannels;
                if (l.WeightOffset < 0 || l.WeightOffset + weights > bufferLength || l.BiasOffset < -1 || (l.BiasOffset >= 0 && (long)l.BiasOffset + biases > bufferLength))
                {
                    throw new ArgumentException($"{where}: its weights or bias lie outside the parameter buffer of {bufferLength} values.", nameof(summary));
                }
            }

            length = l.OutputLength;
        }
    }

    private static long WeightCount(LayerGeometry g) => (long)g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel;

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int InputLength => _lengths[0];

    /// <inheritdoc/>
    public int OutputLength => _lengths[^1];

    /// <inheritdoc/>
    public int LayerCount => _layers.Length;

    /// <inheritdoc/>
    public int ParameterBufferLength => _parameters.Length;

    /// <inheritdoc/>
    public NetworkSummary Summary { get; }

    /// <inheritdoc/>
    public Span<float> Parameters => _parameters;

    /// <inheritdoc/>
    public int ActivationLength(int layer)
    {
        NetworkGuard.Layer(layer, 0, LayerCount, nameof(layer));
        return _lengths[layer];
    }

    /// <summary>
    /// Re-initialises the parameters from <paramref name="seed"/> by the generator's rule: dense and convolution weights
    /// uniform in (−a, a), layer by layer from one <see cref="SeededRandom"/> stream, a = √(6 / fan-in) before a ReLU
    /// and √(6 / (fan-in + fan-out)) otherwise; biases zero.
    /// </summary>
    /// <param name="seed">Seed of the initialisation.</param>
    public void Initialize(ulong seed)
    {
        var random = new SeededRandom(seed);
        Array.Clear(_parameters);
        for (int i = 0; i < _layers.Length; i++)
        {
            LayerInfo l = _layers[i];
            if (l.Kind is not (LayerKind.Dense or LayerKind.Conv)) continue;
            bool he = i + 1 < _layers.Length && _layers[i + 1].Kind == LayerKind.ReLU;
            int fanIn, fanOut, count;
            if (l.Kind == LayerKind.Dense)
            {
                (fanIn, fanOut, count) = (l.InputLength, l.OutputLength, l.InputLength * l.OutputLength);
            }
            else
            {
                LayerGeometry g = l.Geometry!;
                int area = g.Kernel * g.Kernel;
                (fanIn, fanOut, count) = (g.InputChannels * area, g.OutputChannels * area, (int)WeightCount(g));
            }

            float limit = (float)Math.Sqrt(6.0 / (he ? fanIn : fanIn + fanOut));
            Initializers.Uniform(_parameters.AsSpan(l.WeightOffset, count), limit, random);
        }
    }

    /// <summary>Makes a workspace for batches of up to <paramref name="maxBatch"/> samples; give each thread its own.</summary>
    /// <param name="maxBatch">The largest batch; at least 1.</param>
    /// <returns>The workspace.</returns>
    public NetworkWorkspace CreateWorkspace(int maxBatch = 1) => new ComposedWorkspace(this, maxBatch);

    /// <summary>Runs one sample through the network in an internal workspace (not thread-safe).</summary>
    /// <param name="input">The input sample (<see cref="InputLength"/> values).</param>
    /// <param name="output">Receives the output (<see cref="OutputLength"/> values).</param>
    public void Forward(ReadOnlySpan<float> input, Span<float> output) => Forward(_defaultWorkspace ??= new ComposedWorkspace(this, 1), input, output, 1);

    /// <inheritdoc/>
    public void Forward(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, Span<float> outputs, int batch = 1)
    {
        ComposedWorkspace ws = Own(workspace, batch);
        NetworkGuard.Length(inputs, batch * InputLength, nameof(inputs));
        NetworkGuard.Length(outputs, batch * OutputLength, nameof(outputs));
        ws.Masked = false;
        inputs.Slice(0, batch * InputLength).CopyTo(ws.A(0, batch));
        ForwardLayers(ws, 0, LayerCount, batch);
        ws.A(LayerCount, batch).CopyTo(outputs);
        ws.Batch = batch;
        ws.Reach = LayerCount;
    }

    /// <inheritdoc/>
    public void ForwardTo(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> inputs, Span<float> activations, int batch = 1)
    {
        ComposedWorkspace ws = Own(workspace, batch);
        NetworkGuard.Layer(layer, 0, LayerCount, nameof(layer));
        NetworkGuard.Length(inputs, batch * InputLength, nameof(inputs));
        NetworkGuard.Length(activations, batch * _lengths[layer], nameof(activations));
        ws.Masked = false;
        inputs.Slice(0, batch * InputLength).CopyTo(ws.A(0, batch));
        ForwardLayers(ws, 0, layer, batch);
        ws.A(layer, batch).CopyTo(activations);
        ws.Batch = batch;
        ws.Reach = layer;
    }

    /// <inheritdoc/>
    public void ForwardFrom(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, Span<float> outputs, int batch = 1)
    {
        ComposedWorkspace ws = Own(workspace, batch);
        NetworkGuard.Layer(layer, 0, LayerCount, nameof(layer));
        NetworkGuard.Length(activations, batch * _lengths[layer], nameof(activations));
        NetworkGuard.Length(outputs, batch * OutputLength, nameof(outputs));
        ws.Masked = false;
        activations.Slice(0, batch * _lengths[layer]).CopyTo(ws.A(layer, batch));
        ForwardLayers(ws, layer, LayerCount, batch);
        ws.A(LayerCount, batch).CopyTo(outputs);
        ws.Batch = batch;
        ws.Reach = layer == 0 ? LayerCount : -1;
    }

    /// <inheritdoc/>
    public void Backward(NetworkWorkspace workspace, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient = default)
    {
        ComposedWorkspace ws = Own(workspace, 1);
        int batch = ws.Batch;
        if (ws.Reach != LayerCount) throw new InvalidOperationException("Backward needs the activations of a Forward or LossAndGradient call on this workspace first.");
        NetworkGuard.Length(outputGradient, batch * OutputLength, nameof(outputGradient));
        NetworkGuard.OptionalLength(gradient, ParameterBufferLength, nameof(gradient));
        NetworkGuard.OptionalLength(inputGradient, batch * InputLength, nameof(inputGradient));
        outputGradient.Slice(0, batch * OutputLength).CopyTo(ws.D(LayerCount, batch));
        if (!gradient.IsEmpty) gradient.Slice(0, ParameterBufferLength).Clear();
        BackwardLayers(ws, LayerCount, 0, batch, gradient, !inputGradient.IsEmpty);
        if (!inputGradient.IsEmpty) ws.D(0, batch).CopyTo(inputGradient);
    }

    /// <inheritdoc/>
    public void BackwardFrom(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activationGradient, Span<float> gradient, Span<float> inputGradient = default)
    {
        ComposedWorkspace ws = Own(workspace, 1);
        NetworkGuard.Layer(layer, 0, LayerCount, nameof(layer));
        int batch = ws.Batch;
        if (ws.Reach < layer) throw new InvalidOperationException($"BackwardFrom needs activations 0…{layer} of one pass from the input (ForwardTo this or a higher layer, Forward or LossAndGradient) on this workspace first.");
        NetworkGuard.Length(activationGradient, batch * _lengths[layer], nameof(activationGradient));
        NetworkGuard.OptionalLength(gradient, ParameterBufferLength, nameof(gradient));
        NetworkGuard.OptionalLength(inputGradient, batch * InputLength, nameof(inputGradient));
        activationGradient.Slice(0, batch * _lengths[layer]).CopyTo(ws.D(layer, batch));
        if (!gradient.IsEmpty) gradient.Slice(0, ParameterBufferLength).Clear();
        BackwardLayers(ws, layer, 0, batch, gradient, !inputGradient.IsEmpty);
        if (!inputGradient.IsEmpty) ws.D(0, batch).CopyTo(inputGradient);
    }

    /// <inheritdoc/>
    public float AddWeightDecay(Span<float> gradient)
    {
        NetworkGuard.Length(gradient, ParameterBufferLength, nameof(gradient));
        float penalty = 0f;
        foreach (LayerInfo l in _layers)
        {
            if (l.WeightDecay == 0 || l.WeightOffset < 0) continue;
            int count = WeightLength(l);
            penalty += Objectives.WeightDecay(_parameters.AsSpan(l.WeightOffset, count), gradient.Slice(l.WeightOffset, count), (float)l.WeightDecay);
        }

        return penalty;
    }

    /// <summary>The weight-decay penalty Σ (λ/2)·‖W‖² alone.</summary>
    /// <returns>The penalty.</returns>
    public float WeightDecayPenalty()
    {
        float penalty = 0f;
        foreach (LayerInfo l in _layers)
        {
            if (l.WeightDecay == 0 || l.WeightOffset < 0) continue;
            penalty += Objectives.WeightDecayPenalty(_parameters.AsSpan(l.WeightOffset, WeightLength(l)), (float)l.WeightDecay);
        }

        return penalty;
    }

    /// <summary>Upper bounds of every layer's Lipschitz constant and their product, by each layer's method in <see cref="Summary"/>.</summary>
    /// <param name="options">Options of the operator-norm computations.</param>
    /// <returns>The report.</returns>
    public Spectral.LipschitzReport LipschitzBounds(Spectral.SpectralNormOptions? options = null) => Spectral.LipschitzAnalysis.Analyze(this, options);

    private static int WeightLength(LayerInfo l) => l.Kind == LayerKind.Dense ? l.OutputLength * l.InputLength : (int)WeightCount(l.Geometry!);

    private protected ComposedWorkspace Own(NetworkWorkspace workspace, int batch)
    {
        if (workspace is not ComposedWorkspace own || !ReferenceEquals(own.Network, this)) throw NetworkGuard.ForeignWorkspace(workspace, Name);
        own.Check(batch);
        return own;
    }

    private protected int Length(int layer) => _lengths[layer];

    /// <summary>Runs layers <paramref name="from"/>+1 … <paramref name="to"/>.</summary>
    private protected void ForwardLayers(ComposedWorkspace ws, int from, int to, int batch)
    {
        for (int k = from + 1; k <= to; k++)
        {
            LayerInfo l = _layers[k - 1];
            Span<float> x = ws.A(k - 1, batch), y = ws.A(k, batch);
            LayerGeometry? g = l.Geometry;
            switch (l.Kind)
            {
                case LayerKind.Dense:
                    Gemm.MultiplyABt(x, _parameters.AsSpan(l.WeightOffset, l.OutputLength * l.InputLength), y, batch, l.OutputLength, l.InputLength);
                    if (l.BiasOffset >= 0) Dense.AddBias(y, _parameters.AsSpan(l.BiasOffset, l.OutputLength), batch);
                    break;
                case LayerKind.Conv:
                    Convolution.Forward(g!, x, _parameters.AsSpan(l.WeightOffset, WeightLength(l)), l.BiasOffset >= 0 ? _parameters.AsSpan(l.BiasOffset, g!.OutputChannels) : default, y, ws.Scratch, batch);
                    break;
                case LayerKind.ReLU: Activation.ReLU(x, y); break;
                case LayerKind.Sigmoid: Activation.Sigmoid(x, y); break;
                case LayerKind.Tanh: Activation.Tanh(x, y); break;
                case LayerKind.Softmax: Softmax.Forward(x, y, batch, l.OutputLength); break;
                case LayerKind.MaxPool: MaxPooling.Forward(g!, x, y, ws.Argmax(k, batch), batch); break;
                case LayerKind.AvgPool: AveragePooling.Forward(g!, x, y, batch); break;
                case LayerKind.LocalResponseNorm:
                    LocalResponseNorm.Forward(g!, (float)l.Norm!.K, (float)l.Norm.Alpha, (float)l.Norm.Beta, x, y, ws.Scratch, batch);
                    break;
                case LayerKind.ContrastNorm:
                    ContrastNorm.Forward(g!, (float)l.Norm!.Epsilon, (float)l.Norm.Gamma, x, y, ws.Scratch, batch);
                    break;
                case LayerKind.Dropout:
                    if (ws.Masked) Dropout.Forward(x, y, batch, l.OutputLength, (float)l.DropoutRate, ws.TrainingSeed, ws.TrainingStep, ws.SampleOffset, k);
                    else x.CopyTo(y);
                    break;
                default:
                    throw new NotSupportedException($"Layer {k} ({l.Name}) has a kind the composed network does not run: {l.Kind}.");
            }
        }
    }

    /// <summary>Back-propagates ∂E/∂activation <paramref name="top"/> down to activation <paramref name="bottom"/>.</summary>
    private protected void BackwardLayers(ComposedWorkspace ws, int top, int bottom, int batch, Span<float> gradient, bool bottomDelta)
    {
        for (int k = top; k > bottom; k--)
        {
            LayerInfo l = _layers[k - 1];
            bool delta = bottomDelta || k - 1 > bottom;
            Span<float> x = ws.A(k - 1, batch), y = ws.A(k, batch), dy = ws.D(k, batch), dx = ws.D(k - 1, batch);
            LayerGeometry? g = l.Geometry;
            switch (l.Kind)
            {
                case LayerKind.Dense:
                    if (!gradient.IsEmpty)
                    {
                        Gemm.MultiplyAtB(dy, x, gradient.Slice(l.WeightOffset, l.OutputLength * l.InputLength), l.OutputLength, l.InputLength, batch);
                        if (l.BiasOffset >= 0) Dense.SumRows(dy, gradient.Slice(l.BiasOffset, l.OutputLength), batch);
                    }

                    if (delta) Gemm.MultiplyAB(dy, _parameters.AsSpan(l.WeightOffset, l.OutputLength * l.InputLength), dx, batch, l.InputLength, l.OutputLength);
                    break;
                case LayerKind.Conv:
                    if (!gradient.IsEmpty || delta)
                    {
                        int weights = WeightLength(l);
                        Convolution.Backward(g!, x, _parameters.AsSpan(l.WeightOffset, weights), dy,
                            gradient.IsEmpty ? default : gradient.Slice(l.WeightOffset, weights),
                            gradient.IsEmpty || l.BiasOffset < 0 ? default : gradient.Slice(l.BiasOffset, g!.OutputChannels),
                            delta ? dx : default, ws.Scratch, batch);
                    }

                    break;
                case LayerKind.ReLU: if (delta) Activation.ReLUBackward(y, dy, dx); break;
                case LayerKind.Sigmoid: if (delta) Activation.SigmoidBackward(y, dy, dx); break;
                case LayerKind.Tanh: if (delta) Activation.TanhBackward(y, dy, dx); break;
                case LayerKind.Softmax: if (delta) Softmax.Backward(y, dy, dx, batch, l.OutputLength); break;
                case LayerKind.MaxPool: if (delta) MaxPooling.Backward(g!, dy, dx, ws.Argmax(k, batch), batch); break;
                case LayerKind.AvgPool: if (delta) AveragePooling.Backward(g!, dy, dx, batch); break;
                case LayerKind.LocalResponseNorm:
                    if (delta) LocalResponseNorm.Backward(g!, (float)l.Norm!.K, (float)l.Norm.Alpha, (float)l.Norm.Beta, x, dy, dx, ws.Scratch, batch);
                    break;
                case LayerKind.ContrastNorm:
                    if (delta) ContrastNorm.Backward(g!, (float)l.Norm!.Epsilon, (float)l.Norm.Gamma, x, dy, dx, ws.Scratch, batch);
                    break;
                case LayerKind.Dropout:
                    if (!delta) break;
                    if (ws.Masked) Dropout.Backward(dy, dx, batch, l.OutputLength, (float)l.DropoutRate, ws.TrainingSeed, ws.TrainingStep, ws.SampleOffset, k);
                    else dy.CopyTo(dx);
                    break;
                default:
                    throw new NotSupportedException($"Layer {k} ({l.Name}) has a kind the composed network does not run: {l.Kind}.");
            }
        }
    }

    /// <summary>Buffers of one thread's passes through a composed network: every activation and its gradient.</summary>
    private protected sealed class ComposedWorkspace : NetworkWorkspace
    {
        private readonly float[][] _a;
        private readonly float[][] _d;
        private readonly int[]?[] _argmax;
        private readonly int[] _lengths;
        private readonly float[] _scratch;

        public ComposedWorkspace(ComposedNetwork network, int maxBatch) : base(maxBatch)
        {
            Network = network;
            _lengths = network._lengths;
            _a = new float[_lengths.Length][];
            _d = new float[_lengths.Length][];
            _argmax = new int[]?[_lengths.Length];
            for (int k = 0; k < _lengths.Length; k++)
            {
                _a[k] = new float[NetworkGuard.BufferLength((long)maxBatch * _lengths[k])];
                _d[k] = new float[NetworkGuard.BufferLength((long)maxBatch * _lengths[k])];
                if (k > 0 && network._layers[k - 1].Kind == LayerKind.MaxPool) _argmax[k] = new int[_a[k].Length];
            }

            _scratch = new float[network._scratchLength];
        }

        public ComposedNetwork Network { get; }

        public bool Masked { get; set; }

        public int Batch { get => LastBatch; set => LastBatch = value; }

        /// <summary>The highest activation the last pass computed from its input (−1 when it started above the input, or before any pass).</summary>
        public int Reach { get; set; } = -1;

        public Span<float> Scratch => _scratch;

        public Span<float> A(int layer, int batch) => _a[layer].AsSpan(0, batch * _lengths[layer]);

        public Span<float> D(int layer, int batch) => _d[layer].AsSpan(0, batch * _lengths[layer]);

        public Span<int> Argmax(int layer, int batch) => _argmax[layer].AsSpan(0, batch * _lengths[layer]);

        public void Check(int batch) => CheckBatch(batch);

        public override ReadOnlySpan<float> Outputs(int batch) => A(_lengths.Length - 1, batch);
    }
}

/// <summary>A composed network that ends in a soft-max: its objective is the soft-max cross-entropy.</summary>
public sealed class ComposedClassifier : ComposedNetwork, IClassifier
{
    internal ComposedClassifier(NetworkSummary summary, int inputLength, ReadOnlySpan<float> parameters) : base(summary, inputLength, parameters)
    {
    }

    /// <inheritdoc/>
    public float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch, Span<float> gradient, Span<float> inputGradient = default)
    {
        ComposedWorkspace ws = Own(workspace, batch);
        NetworkGuard.Length(inputs, batch * InputLength, nameof(inputs));
        NetworkGuard.Length(labels, batch, nameof(labels));
        NetworkGuard.OptionalLength(gradient, ParameterBufferLength, nameof(gradient));
        NetworkGuard.OptionalLength(inputGradient, batch * InputLength, nameof(inputGradient));
        ws.Masked = ws.Training;
        inputs.Slice(0, batch * InputLength).CopyTo(ws.A(0, batch));
        ForwardLayers(ws, 0, LayerCount, batch);
        ws.Batch = batch;
        ws.Reach = LayerCount;
        float scale = 1f / batch;
        float loss = scale * Softmax.CrossEntropy(ws.A(LayerCount - 1, batch), ws.A(LayerCount, batch), labels, ws.D(LayerCount - 1, batch), batch, OutputLength, scale, ws);
        if (!gradient.IsEmpty) gradient.Slice(0, ParameterBufferLength).Clear();
        BackwardLayers(ws, LayerCount - 1, 0, batch, gradient, !inputGradient.IsEmpty);
        if (!inputGradient.IsEmpty) ws.D(0, batch).CopyTo(inputGradient);
        return loss + (gradient.IsEmpty ? WeightDecayPenalty() : AddWeightDecay(gradient));
    }

    /// <inheritdoc/>
    public float LossAndLayerGradient(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, ReadOnlySpan<int> labels, int batch, Span<float> activationGradient, Span<float> gradient = default)
    {
        ComposedWorkspace ws = Own(workspace, batch);
        NetworkGuard.Layer(layer, 0, LayerCount - 1, nameof(layer));
        NetworkGuard.Length(activations, batch * Length(layer), nameof(activations));
        NetworkGuard.Length(labels, batch, nameof(labels));
        NetworkGuard.OptionalLength(activationGradient, batch * Length(layer), nameof(activationGradient));
        NetworkGuard.OptionalLength(gradient, ParameterBufferLength, nameof(gradient));
        ws.Masked = ws.Training;
        activations.Slice(0, batch * Length(layer)).CopyTo(ws.A(layer, batch));
        ForwardLayers(ws, layer, LayerCount, batch);
        ws.Batch = batch;
        ws.Reach = layer == 0 ? LayerCount : -1;
        float loss = Softmax.CrossEntropy(ws.A(LayerCount - 1, batch), ws.A(LayerCount, batch), labels, ws.D(LayerCount - 1, batch), batch, OutputLength, 1f);
        if (!gradient.IsEmpty) gradient.Slice(0, ParameterBufferLength).Clear();
        BackwardLayers(ws, LayerCount - 1, layer, batch, gradient, !activationGradient.IsEmpty);
        if (!activationGradient.IsEmpty) ws.D(layer, batch).CopyTo(activationGradient);
        return loss;
    }
}

/// <summary>A composed network that does not end in a soft-max: its objective is the squared error ½‖y − t‖².</summary>
public sealed class ComposedRegressor : ComposedNetwork, IRegressor
{
    internal ComposedRegressor(NetworkSummary summary, int inputLength, ReadOnlySpan<float> parameters) : base(summary, inputLength, parameters)
    {
    }

    /// <inheritdoc/>
    public float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, Span<float> gradient, Span<float> inputGradient = default)
    {
        ComposedWorkspace ws = Own(workspace, batch);
        NetworkGuard.Length(inputs, batch * InputLength, nameof(inputs));
        NetworkGuard.Length(targets, batch * OutputLength, nameof(targets));
        NetworkGuard.OptionalLength(gradient, ParameterBufferLength, nameof(gradient));
        NetworkGuard.OptionalLength(inputGradient, batch * InputLength, nameof(inputGradient));
        ws.Masked = ws.Training;
        inputs.Slice(0, batch * InputLength).CopyTo(ws.A(0, batch));
        ForwardLayers(ws, 0, LayerCount, batch);
        ws.Batch = batch;
        ws.Reach = LayerCount;
        float scale = 1f / batch;
        float loss = scale * Objectives.SquaredError(ws.A(LayerCount, batch), targets, ws.D(LayerCount, batch), batch * OutputLength, scale);
        if (!gradient.IsEmpty) gradient.Slice(0, ParameterBufferLength).Clear();
        BackwardLayers(ws, LayerCount, 0, batch, gradient, !inputGradient.IsEmpty);
        if (!inputGradient.IsEmpty) ws.D(0, batch).CopyTo(inputGradient);
        return loss + (gradient.IsEmpty ? WeightDecayPenalty() : AddWeightDecay(gradient));
    }
}
