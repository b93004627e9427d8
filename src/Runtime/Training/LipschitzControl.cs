using Intriguing.Layers;

namespace Intriguing.Training;

/// <summary>
/// The per-step work of <see cref="LipschitzOptions"/> for one network: the tracked norms σ_k of its dense and
/// convolution layers (each tracked in its layer home), the gradient of the penalties and of the margin's global
/// bound, and the projections. Allocates only in its constructor; runs on the calling thread.
/// </summary>
internal sealed class LipschitzControl
{
    /// <summary>Power steps of the first estimate, from the random start vectors.</summary>
    internal const int WarmupIterations = 50;

    private readonly LipschitzOptions _options;
    private readonly Layer[] _layers;
    private readonly double _fixed;
    private readonly float[] _row = [];
    private bool _warm;

    private sealed class Layer(LayerInfo info, int count, float tau, Dense.NormTracker? dense, Convolution.NormTracker? conv)
    {
        public LayerInfo Info { get; } = info;
        public int Offset => Info.WeightOffset;
        public int Count { get; } = count;
        public float Tau { get; } = tau;
        public Dense.NormTracker? Dense { get; } = dense;
        public Convolution.NormTracker? Conv { get; } = conv;
        public double Sigma => Dense?.Sigma ?? Conv!.Sigma;

        public void Rescaled(double factor)
        {
            if (Dense is not null) Dense.Rescaled(factor);
            else Conv!.Rescaled(factor);
        }

        public double Iterate(ReadOnlySpan<float> weights, int iterations) =>
            Dense is not null ? Dense.Iterate(weights, iterations) : Conv!.Iterate(weights, iterations);

        public void AddGradient(Span<float> gradient, float coefficient)
        {
            if (Dense is not null) Dense.AddGradient(gradient, coefficient);
            else Conv!.AddGradient(gradient, coefficient);
        }

        public float AddParseval(ReadOnlySpan<float> weights, Span<float> gradient, float beta) =>
            Dense is not null ? Dense.AddParsevalGradient(weights, gradient, beta) : Conv!.AddParsevalGradient(weights, gradient, beta);

        public double Certified(ReadOnlySpan<float> weights) =>
            Dense is not null ? Layers.Dense.CertifiedNorm(weights, Info.OutputLength, Info.InputLength) : Conv!.CertifiedNorm(weights);
    }

    /// <summary>Trackers for every dense and convolution layer of <paramref name="network"/>, seeded from <paramref name="seed"/>.</summary>
    public LipschitzControl(INetwork network, LipschitzOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        var layers = new List<Layer>();
        double constant = 1;
        foreach (LayerInfo info in network.Summary.Layers)
        {
            ulong layerSeed = SeededRandom.Derive(seed, TrackerStream + (ulong)info.Index);
            if (info.Kind == LayerKind.Dense)
            {
                layers.Add(new Layer(info, info.OutputLength * info.InputLength, options.TauOf(layers.Count), new Dense.NormTracker(info.OutputLength, info.InputLength, layerSeed), null));
            }
            else if (info.Kind == LayerKind.Conv && info.Geometry is { } g)
            {
                layers.Add(new Layer(info, g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel, options.TauOf(layers.Count), null, new Convolution.NormTracker(g, layerSeed)));
            }
            else if (info.Kind != LayerKind.Softmax)
            {
                // Parameter-free layers: their bound is fixed by the summary (ReLU 1, pooling, normalisation, dropout).
                constant *= info.Lipschitz.Compute(network, info, null).Bound;
            }
        }

        if (options.LayerTaus is { } taus && taus.Count != layers.Count)
        {
            throw new ArgumentException($"{network.Name} has {layers.Count} dense and convolution layers but {taus.Count} values of τ were given.", nameof(options));
        }

        _layers = layers.ToArray();
        _fixed = constant;
        if (options.GloRoEpsilon > 0)
        {
            // GloRo's pair bounds ‖w_j − w_i‖·(bounds below) need the logits to be the output of a dense layer.
            LayerInfo? last = _layers.Length == 0 ? null : _layers[^1].Info;
            if (last is null || last.Kind != LayerKind.Dense || last.Index != network.LayerCount - 1 || network.Summary.Layers[^1].Kind != LayerKind.Softmax)
            {
                throw new ArgumentException($"GloRo training needs a dense layer right below the soft-max; {network.Name} has none.", nameof(options));
            }

            _row = new float[last.InputLength];
        }
    }

    /// <summary>Classes (outputs of the last dense layer) for GloRo's pair bounds; 0 without GloRo.</summary>
    public int Classes => _row.Length == 0 ? 0 : _layers[^1].Info.OutputLength;

    /// <summary>
    /// GloRo's pair margins ε·K_ji, K_ji = ‖w_j − w_i‖₂·Π_{k below the last layer} σ_k·(fixed factor), from the last
    /// <see cref="Refresh"/>, into <paramref name="pairs"/> (n × n, zero diagonal).
    /// </summary>
    public void PairMargins(ReadOnlySpan<float> parameters, float epsilon, Span<float> pairs)
    {
        Layer last = _layers[^1];
        int n = last.Info.OutputLength, m = last.Info.InputLength;
        double lower = _fixed;
        for (int k = 0; k < _layers.Length - 1; k++) lower *= _layers[k].Sigma;
        ReadOnlySpan<float> w = parameters.Slice(last.Offset, n * m);
        for (int j = 0; j < n; j++)
        {
            pairs[j * n + j] = 0;
            for (int i = 0; i < j; i++)
            {
                System.Numerics.Tensors.TensorPrimitives.Subtract(w.Slice(j * m, m), w.Slice(i * m, m), _row);
                float value = (float)(epsilon * lower * System.Numerics.Tensors.TensorPrimitives.Norm<float>(_row));
                pairs[j * n + i] = value;
                pairs[i * n + j] = value;
            }
        }
    }

    /// <summary>Stream of the trackers' start vectors (the ASCII of "lipsch").</summary>
    internal const ulong TrackerStream = 0x6863_7370_696CUL;

    /// <summary>Number of controlled layers.</summary>
    public int Count => _layers.Length;

    /// <summary>The tracked norm σ_k of controlled layer <paramref name="k"/> (last estimate).</summary>
    public double Sigma(int k) => _layers[k].Sigma;

    /// <summary>The product of the parameter-free layers' bounds below the soft-max.</summary>
    public double FixedFactor => _fixed;

    /// <summary>
    /// Updates every tracker on <paramref name="parameters"/> (<see cref="LipschitzOptions.PowerIterations"/> power
    /// steps; <see cref="WarmupIterations"/> the first time) and returns the global logit bound L = Π_k σ_k times the
    /// fixed factor.
    /// </summary>
    public double Refresh(ReadOnlySpan<float> parameters)
    {
        int iterations = _warm ? _options.PowerIterations : Math.Max(WarmupIterations, _options.PowerIterations);
        _warm = true;
        double product = _fixed;
        foreach (Layer layer in _layers) product *= layer.Iterate(parameters.Slice(layer.Offset, layer.Count), iterations);
        return product;
    }

    /// <summary>
    /// Writes the gradient of the norm terms into the weight blocks of <paramref name="gradient"/> (overwritten there;
    /// other entries untouched) with the pairs of the last <see cref="Refresh"/>: the penalty's, the Parseval
    /// regulariser's, and <paramref name="boundSensitivity"/>·∂L/∂W (L the bound <see cref="Refresh"/> returned,
    /// <paramref name="bound"/>). Returns the value of the penalty and Parseval terms.
    /// </summary>
    public float WriteGradient(ReadOnlySpan<float> parameters, Span<float> gradient, double bound, double boundSensitivity) =>
        WriteGradient(parameters, gradient, bound, boundSensitivity, default, default);

    /// <summary>
    /// <see cref="WriteGradient(ReadOnlySpan{float}, Span{float}, double, double)"/> plus GloRo's term for
    /// <paramref name="pairSensitivity"/> = ∂E/∂(ε·K_ji) at <paramref name="pairs"/> (<see cref="PairMargins"/>): each
    /// ε·K_ji is linear in every σ_k below the last layer and in ‖w_j − w_i‖.
    /// </summary>
    public float WriteGradient(ReadOnlySpan<float> parameters, Span<float> gradient, double bound, double boundSensitivity, ReadOnlySpan<float> pairs, ReadOnlySpan<float> pairSensitivity)
    {
        double value = 0;
        double pairTotal = 0; // Σ_ji S_ji·ε·K_ji = Σ_ji S_ji·pairs_ji: σ_k·∂E/∂σ_k for every layer below the last
        for (int i = 0; i < pairSensitivity.Length; i++) pairTotal += (double)pairSensitivity[i] * pairs[i];
        int lastIndex = _layers.Length - 1;
        int index = -1;
        foreach (Layer layer in _layers)
        {
            index++;
            Span<float> g = gradient.Slice(layer.Offset, layer.Count);
            g.Clear();
            double sigma = layer.Sigma;
            double coefficient = 0;
            switch (_options.Penalty)
            {
                case NormPenalty.Hinge when sigma > layer.Tau:
                    value += _options.Beta * (sigma - layer.Tau) * (sigma - layer.Tau);
                    coefficient += 2 * _options.Beta * (sigma - layer.Tau);
                    break;
                case NormPenalty.Log when sigma > 0:
                    value += _options.Beta * Math.Log(sigma);
                    coefficient += _options.Beta / sigma;
                    break;
            }

            if (boundSensitivity != 0 && sigma > 0) coefficient += boundSensitivity * bound / sigma;
            if (pairTotal != 0 && index < lastIndex && sigma > 0) coefficient += pairTotal / sigma;
            layer.AddGradient(g, (float)coefficient);
            if (!pairSensitivity.IsEmpty && index == lastIndex) AddPairGradient(parameters.Slice(layer.Offset, layer.Count), g, layer.Info.OutputLength, layer.Info.InputLength, pairs, pairSensitivity);
            if (_options.Parseval > 0) value += layer.AddParseval(parameters.Slice(layer.Offset, layer.Count), g, _options.Parseval);
        }

        return (float)value;
    }

    /// <summary>
    /// The projection after a step: one tracker update per layer on the new <paramref name="parameters"/>, then every
    /// layer whose estimate exceeds τ_k is rescaled to τ_k (the tracked vectors stay valid; σ_k scales with W), so that
    /// the trackers describe the projected weights. With <paramref name="clipConvolutions"/> the convolutions are
    /// clipped instead (<see cref="ClipConvolutions"/>); without it they are left alone if the options say
    /// <see cref="LipschitzOptions.RescaleBetweenClips"/> = false.
    /// </summary>
    public void Project(Span<float> parameters, bool clipConvolutions = false)
    {
        Refresh(parameters);
        foreach (Layer layer in _layers)
        {
            if ((clipConvolutions || _options.OnlyClipsConvolutions) && layer.Conv is not null) continue;
            double sigma = layer.Sigma;
            if (sigma > layer.Tau)
            {
                Scale(parameters.Slice(layer.Offset, layer.Count), layer.Tau / sigma);
                layer.Rescaled(layer.Tau / sigma);
            }
        }

        if (clipConvolutions) ClipConvolutions(parameters);
    }

    /// <summary>
    /// Clips the singular values of every convolution's periodic operator at τ_k (<see cref="Convolution.NormTracker.Clip"/>),
    /// then rescales it while its certified norm exceeds τ_k (<see cref="ProjectCertified"/>), so that afterwards every
    /// convolution's certified norm is at most τ_k; its tracker is updated on the new kernels.
    /// </summary>
    public void ClipConvolutions(Span<float> parameters)
    {
        foreach (Layer layer in _layers)
        {
            if (layer.Conv is null) continue;
            Span<float> w = parameters.Slice(layer.Offset, layer.Count);
            bool clipped = layer.Conv.Clip(w, layer.Tau);
            bool rescaled = RescaleToCertified(layer, w, out _);
            if (clipped || rescaled) layer.Iterate(w, _options.PowerIterations);
        }
    }

    /// <summary>
    /// The exact projection: rescales every layer whose certified norm (<see cref="Dense.CertifiedNorm"/>, the Fourier
    /// bound) exceeds τ_k until it is at most τ_k. Returns the certified norms after it.
    /// </summary>
    public void ProjectCertified(Span<float> parameters, Span<double> norms)
    {
        for (int k = 0; k < _layers.Length; k++)
        {
            Layer layer = _layers[k];
            RescaleToCertified(layer, parameters.Slice(layer.Offset, layer.Count), out double bound);
            if (k < norms.Length) norms[k] = bound;
        }
    }

    /// <summary>Rescales <paramref name="w"/> until its certified norm <paramref name="bound"/> is at most τ; returns whether it rescaled.</summary>
    private static bool RescaleToCertified(Layer layer, Span<float> w, out double bound)
    {
        bound = layer.Certified(w);
        bool rescaled = false;
        for (int attempt = 0; bound > layer.Tau && attempt < 8; attempt++)
        {
            // Rounding the rescaled weights to float can raise the norm by a few ulps: aim slightly below τ.
            Scale(w, layer.Tau / bound * (1 - 1e-5 * (1 << attempt)));
            bound = layer.Certified(w);
            rescaled = true;
        }

        if (bound > layer.Tau) throw new InvalidOperationException($"{layer.Info.Name}: the projection could not bring the certified norm {bound} to τ = {layer.Tau}.");
        return rescaled;
    }

    /// <summary>g_j += c·(w_j − w_i), g_i −= c·(w_j − w_i), c = S_ji·pairs_ji/‖w_j − w_i‖² (the gradient of S_ji·ε·lower·‖w_j − w_i‖).</summary>
    private void AddPairGradient(ReadOnlySpan<float> w, Span<float> g, int n, int m, ReadOnlySpan<float> pairs, ReadOnlySpan<float> sensitivity)
    {
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                float s = sensitivity[j * n + i];
                if (i == j || s == 0) continue;
                System.Numerics.Tensors.TensorPrimitives.Subtract(w.Slice(j * m, m), w.Slice(i * m, m), _row);
                double norm2 = System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(_row);
                if (norm2 == 0) continue;
                float c = (float)(s * pairs[j * n + i] / norm2);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_row, c, g.Slice(j * m, m), g.Slice(j * m, m));
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_row, -c, g.Slice(i * m, m), g.Slice(i * m, m));
            }
        }
    }

    private static void Scale(Span<float> w, double factor) => System.Numerics.Tensors.TensorPrimitives.Multiply(w, (float)factor, w);
}
