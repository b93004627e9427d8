using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Intriguing.Generated;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// The fused SGD steps of a network of dense layers and activations that ends in a soft-max, run from the layout the
/// generated code describes (<see cref="IDenseStackNetwork.DenseStack"/>): each parameter's gradient is formed and
/// applied at once, so no gradient buffer is written. Both steps give bit-identical parameters and velocities to
/// <see cref="IClassifier.LossAndGradient"/> followed by <see cref="Trainer.Update"/>, for any splitter; they return
/// E before the step, its weight-decay part summed in another order (equal to float rounding).
/// </summary>
/// <remarks>
/// Holds its own activation and gradient buffers (A0…AL, D0…DL for up to <see cref="MaxBatch"/> samples), so no other
/// pass on the network disturbs the look-ahead of the one-sample step. Not thread-safe; nothing allocates per step.
/// </remarks>
internal sealed class DenseStackSgd
{
    private readonly IDenseStackNetwork _network;
    private readonly DenseStackLayout _layout;
    private readonly float[][] _a, _d;
    private readonly int[] _lengths;
    private readonly int _lowestDense;
    private readonly int _derivedAbove = -1, _derivedActivation = -1;
    private DenseStepPlan? _steps;
    private bool _ahead;

    /// <summary>Prepares the steps of <paramref name="network"/> for batches of up to <paramref name="maxBatch"/> samples.</summary>
    public DenseStackSgd(IDenseStackNetwork network, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _network = network;
        _layout = network.DenseStack;
        if (_layout.InputLength != network.InputLength || _layout.ParameterBufferLength != network.ParameterBufferLength || _layout.Count != network.LayerCount)
        {
            throw new ArgumentException($"{network.Name}'s dense-stack layout does not match its shape.", nameof(network));
        }

        int layers = _layout.Count;
        MaxBatch = maxBatch;
        _lengths = new int[layers + 1];
        _a = new float[layers + 1][];
        _d = new float[layers + 1][];
        for (int k = 0; k <= layers; k++)
        {
            _lengths[k] = k == 0 ? _layout.InputLength : _layout[k - 1].OutputLength;
            _a[k] = new float[NetworkGuard.BufferLength((long)maxBatch * _lengths[k])];
            _d[k] = new float[NetworkGuard.BufferLength((long)maxBatch * _lengths[k])];
        }

        // The one-sample step forms the lowest dense layer's δ itself (DenseStepPlan.DeriveLowestDelta) when a dense layer
        // takes that layer's output, directly or through one sigmoid, tanh or ReLU.
        _lowestDense = 0;
        while (_layout[_lowestDense].Kind != DenseStackLayerKind.Dense) _lowestDense++;
        int next = _lowestDense + 1;
        if (next < layers && _layout[next].Kind == DenseStackLayerKind.Dense)
        {
            _derivedAbove = next;
        }
        else if (next + 1 < layers && Fused(_layout[next].Kind) != FusedActivation.None && _layout[next + 1].Kind == DenseStackLayerKind.Dense)
        {
            (_derivedActivation, _derivedAbove) = (next, next + 1);
        }
    }

    /// <summary>The largest batch of <see cref="BatchStep"/>.</summary>
    public int MaxBatch { get; }

    /// <summary>
    /// The dense layers of the one-sample step, top layer first, with the buffers of their δ and x (made on first use).
    /// </summary>
    private DenseStepPlan Steps => _steps ??= MakePlan();

    private DenseStepPlan MakePlan()
    {
        var plan = new DenseStepPlan();
        for (int i = _layout.Count - 1; i >= 0; i--)
        {
            DenseStackLayerValues l = _layout[i];
            if (l.Kind == DenseStackLayerKind.Dense) plan.Add(l.WeightsOffset, l.BiasOffset, l.OutputLength, l.InputLength, l.WeightDecay, _d[i + 1], _a[i]);
        }

        if (_derivedActivation >= 0)
        {
            int k = _derivedActivation + 1;
            plan.DeriveLowestDelta(Fused(_layout[_derivedActivation].Kind), _d[k], _a[k]);
        }
        else if (_derivedAbove >= 0)
        {
            plan.DeriveLowestDelta(FusedActivation.None);
        }

        return plan;
    }

    /// <summary>
    /// One step of SGD with momentum on a single labelled sample: v ← μ·v − η·∂E/∂θ, θ ← θ + v (Nesterov:
    /// θ ← θ + μ·v − η·∂E/∂θ), E the cross-entropy plus weight decay.
    /// </summary>
    /// <param name="input">One sample.</param>
    /// <param name="label">Its label.</param>
    /// <param name="velocity">The velocity, laid out like the parameters.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="splitter">Splits the step of large layers over threads; null for the calling thread only.</param>
    /// <param name="nextInput">Optional: the sample of the next step. If the first layer is dense, its output for that
    /// sample under the updated parameters is formed in the same pass over W as the update (bit-identical to a forward
    /// pass), and the next <see cref="Step"/> with that very input skips the product. A batch step discards it; the
    /// parameters must not be changed in between by other means.</param>
    /// <returns>E before the step.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Step(ReadOnlySpan<float> input, int label, Span<float> velocity, float momentum, float rate, bool nesterov, FusedStepSplitter? splitter = null, ReadOnlySpan<float> nextInput = default)
    {
        DenseStackLayout layout = _layout;
        int layers = layout.Count, inputLength = layout.InputLength, outputLength = _lengths[layers];
        bool lookAhead = layout[0].Kind == DenseStackLayerKind.Dense;
        bool ahead = _ahead;
        _ahead = false;
        NetworkGuard.Length(input, inputLength, nameof(input));
        NetworkGuard.Length(velocity, layout.ParameterBufferLength, nameof(velocity));
        if ((uint)label >= (uint)outputLength) throw new ArgumentOutOfRangeException(nameof(label), label, "The label must be in 0.." + (outputLength - 1) + ".");
        bool forwarded = false;
        if (lookAhead)
        {
            if (!nextInput.IsEmpty) NetworkGuard.Length(nextInput, inputLength, nameof(nextInput));
            // The previous step may have formed this input's first layer already (its nextInput).
            forwarded = ahead && MemoryMarshal.Cast<float, int>(input.Slice(0, inputLength)).SequenceEqual(MemoryMarshal.Cast<float, int>((ReadOnlySpan<float>)A(0, 1)));
        }

        if (!forwarded) input.Slice(0, inputLength).CopyTo(A(0, 1));
        Span<float> parameters = _network.Parameters;
        if (splitter is null)
        {
            ForwardLayers(parameters, forwarded ? 1 : 0, layers, 1);
        }
        else
        {
            // The same forward pass, with the lowest dense layer split over the threads by the rows they update below; the
            // upper ones are stepped by the calling thread, which keeps them in its cache.
            for (int i = 0; i < layers; i++)
            {
                DenseStackLayerValues l = layout[i];
                if (l.Kind != DenseStackLayerKind.Dense)
                {
                    ForwardLayers(parameters, i, i + 1, 1);
                }
                else if (i == _lowestDense)
                {
                    if (!(i == 0 && forwarded)) SgdKernels.DenseForward(Steps, parameters, A(i + 1, 1), splitter);
                }
                else
                {
                    SgdKernels.DenseForward(A(i, 1), Weights(parameters, l), Bias(parameters, l), A(i + 1, 1));
                }
            }
        }

        float loss = CrossEntropy(A(layers - 1, 1), A(layers, 1), new ReadOnlySpan<int>(in label), D(layers - 1, 1), 1, outputLength, 1f);
        float penalty = 0f; // (λ/2)·‖W‖² of the weights before the step, summed by the layer steps
        for (int i = layers - 2; i >= 1; i--)
        {
            // dX = dY·W of the dense layers with the weights before the step, the activations' backward functions; the
            // lowest dense layer's δ (and the activation below the layer above it) may be formed by the step below.
            if (i == _derivedAbove || i == _derivedActivation) continue;
            DenseStackLayerValues l = layout[i];
            switch (l.Kind)
            {
                case DenseStackLayerKind.Dense:
                    Gemm.MultiplyAB(D(i + 1, 1), Weights(parameters, l), D(i, 1), 1, l.InputLength, l.OutputLength);
                    break;
                case DenseStackLayerKind.Softmax:
                    Intriguing.Layers.Softmax.Backward(A(i + 1, 1), D(i + 1, 1), D(i, 1), 1, l.OutputLength);
                    break;
                default:
                    Backward(l.Kind, A(i + 1, 1), D(i + 1, 1), D(i, 1));
                    break;
            }
        }

        // Every dense layer stepped at once with dW = dY ⊗ X + λ·W, db = dY: the upper layers and the last rows of the
        // lowest on this thread, the lowest layer's other rows on the splitter's helpers. With nextInput and a dense first
        // layer, the next sample's product W′·x + b′ is formed in the same pass over its W, into A1.
        if (lookAhead)
        {
            penalty += SgdKernels.DenseSteps(Steps, parameters, velocity, momentum, rate, nesterov, splitter, nextInput, nextInput.IsEmpty ? default : A(1, 1));
            if (!nextInput.IsEmpty)
            {
                nextInput.Slice(0, inputLength).CopyTo(A(0, 1));
                _ahead = true;
            }
        }
        else
        {
            penalty += SgdKernels.DenseSteps(Steps, parameters, velocity, momentum, rate, nesterov, splitter);
        }

        return loss + penalty;
    }

    /// <summary>
    /// The workspace whose <see cref="NetworkWorkspace.LogitMargin"/> or <see cref="NetworkWorkspace.PairMargins"/>
    /// change the steps' cross-entropy (Lipschitz-margin or GloRo training) and which receives its sensitivities, as
    /// the generated <c>LossAndGradient</c> does; null (the default) for the plain cross-entropy.
    /// </summary>
    internal NetworkWorkspace? Objective { get; set; }

    private float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> delta, int rows, int cols, float scale) =>
        Objective is { } objective
            ? Intriguing.Layers.Softmax.CrossEntropy(logits, probabilities, labels, delta, rows, cols, scale, objective)
            : Intriguing.Layers.Softmax.CrossEntropy(logits, probabilities, labels, delta, rows, cols, scale);

    /// <summary>
    /// One step of SGD with momentum on a batch of labelled samples, E the mean cross-entropy plus weight decay, each
    /// layer's gradient formed a block of rows at a time and applied at once (<see cref="SgdKernels.DenseBatchStep"/>).
    /// The splitter divides each large layer by rows of W, never the batch. A batch of one is <see cref="Step"/>.
    /// </summary>
    /// <param name="inputs">The samples, batch × input length.</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="batch">Number of samples, 1…<see cref="MaxBatch"/>.</param>
    /// <param name="velocity">The velocity, laid out like the parameters.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="splitter">Splits the large layers over threads by rows; null for the calling thread only.</param>
    /// <returns>E before the step.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float BatchStep(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch, Span<float> velocity, float momentum, float rate, bool nesterov, FusedStepSplitter? splitter = null)
    {
        DenseStackLayout layout = _layout;
        int layers = layout.Count, inputLength = layout.InputLength;
        _ahead = false;
        if (batch < 1 || batch > MaxBatch) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"The batch must be between 1 and {MaxBatch}.");
        NetworkGuard.Length(inputs, batch * inputLength, nameof(inputs));
        NetworkGuard.Length(labels, batch, nameof(labels));
        if (batch == 1) return Step(inputs, labels[0], velocity, momentum, rate, nesterov, splitter);
        NetworkGuard.Length(velocity, layout.ParameterBufferLength, nameof(velocity));
        bool firstDense = layout[0].Kind == DenseStackLayerKind.Dense;
        if (!firstDense) inputs.Slice(0, batch * inputLength).CopyTo(A(0, batch));
        Span<float> parameters = _network.Parameters;

        // The forward pass, each large dense layer (and the activation after it) split over the threads by the rows of W
        // they step below.
        for (int i = 0; i < layers; i++)
        {
            DenseStackLayerValues l = layout[i];
            if (l.Kind != DenseStackLayerKind.Dense)
            {
                ForwardLayers(parameters, i, i + 1, batch);
                continue;
            }

            ReadOnlySpan<float> x = i == 0 ? inputs : A(i, batch);
            FusedActivation next = i + 1 < layers ? Fused(layout[i + 1].Kind) : FusedActivation.None;
            if (next != FusedActivation.None)
            {
                SgdKernels.DenseBatchForward(x, Weights(parameters, l), Bias(parameters, l), A(i + 1, batch), batch, l.OutputLength, l.InputLength, splitter, next, A(i + 2, batch));
                i++;
            }
            else
            {
                SgdKernels.DenseBatchForward(x, Weights(parameters, l), Bias(parameters, l), A(i + 1, batch), batch, l.OutputLength, l.InputLength, splitter);
            }
        }

        // E = (1/batch) Σ_s [log Σ_i e^(z_si) − z_s,label]; ∂E/∂z = (p − onehot(label)) / batch.
        float scale = 1f / batch;
        float loss = scale * CrossEntropy(A(layers - 1, batch), A(layers, batch), labels, D(layers - 1, batch), batch, _lengths[layers], scale);
        float penalty = 0f; // (λ/2)·‖W‖² of the weights before the step, summed by the layer steps
        bool activationDone = false;
        for (int i = layers - 2; i >= 0; i--)
        {
            DenseStackLayerValues l = layout[i];
            switch (l.Kind)
            {
                case DenseStackLayerKind.Dense:
                    // dX = dY·W with the weights before the step (and the backward function of an activation below it, when
                    // that is not the first layer), then W and b stepped with dW = dYᵀ·X + λ·W, db = Σ_samples dY.
                    if (i > 0)
                    {
                        FusedActivation below = i > 1 ? Fused(layout[i - 1].Kind) : FusedActivation.None;
                        if (below != FusedActivation.None)
                        {
                            SgdKernels.DenseBatchInputGradient(D(i + 1, batch), Weights(parameters, l), D(i, batch), batch, l.OutputLength, l.InputLength, splitter, below, A(i, batch), D(i - 1, batch));
                            activationDone = true;
                        }
                        else
                        {
                            SgdKernels.DenseBatchInputGradient(D(i + 1, batch), Weights(parameters, l), D(i, batch), batch, l.OutputLength, l.InputLength, splitter);
                        }
                    }

                    Span<float> biasVelocity = l.BiasOffset >= 0 ? velocity.Slice(l.BiasOffset, l.OutputLength) : default;
                    ReadOnlySpan<float> x = i == 0 && firstDense ? inputs : A(i, batch);
                    penalty += SgdKernels.DenseBatchStep(Weights(parameters, l), Bias(parameters, l), velocity.Slice(l.WeightsOffset, l.OutputLength * l.InputLength), biasVelocity,
                        D(i + 1, batch), x, batch, l.OutputLength, l.InputLength, l.WeightDecay, momentum, rate, nesterov, splitter);
                    break;
                case DenseStackLayerKind.Softmax:
                    if (i > 0) Intriguing.Layers.Softmax.Backward(A(i + 1, batch), D(i + 1, batch), D(i, batch), batch, l.OutputLength);
                    break;
                default:
                    if (activationDone)
                    {
                        activationDone = false; // taken with the input gradient of the layer above
                        break;
                    }

                    if (i > 0) Backward(l.Kind, A(i + 1, batch), D(i + 1, batch), D(i, batch));
                    break;
            }
        }

        return loss + penalty;
    }

    /// <summary>Runs layers <paramref name="from"/>+1 … <paramref name="to"/> as the generated forward pass does.</summary>
    private void ForwardLayers(Span<float> parameters, int from, int to, int batch)
    {
        for (int i = from; i < to; i++)
        {
            DenseStackLayerValues l = _layout[i];
            Span<float> x = A(i, batch), y = A(i + 1, batch);
            switch (l.Kind)
            {
                case DenseStackLayerKind.Dense:
                    Gemm.MultiplyABt(x, Weights(parameters, l), y, batch, l.OutputLength, l.InputLength);
                    if (l.BiasOffset >= 0) Intriguing.Layers.Dense.AddBias(y, Bias(parameters, l), batch);
                    break;
                case DenseStackLayerKind.Sigmoid:
                    Intriguing.Layers.Activation.Sigmoid(x, y);
                    break;
                case DenseStackLayerKind.Tanh:
                    Intriguing.Layers.Activation.Tanh(x, y);
                    break;
                case DenseStackLayerKind.ReLU:
                    Intriguing.Layers.Activation.ReLU(x, y);
                    break;
                default:
                    Intriguing.Layers.Softmax.Forward(x, y, batch, l.OutputLength);
                    break;
            }
        }
    }

    private static void Backward(DenseStackLayerKind kind, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (kind)
        {
            case DenseStackLayerKind.Sigmoid:
                Intriguing.Layers.Activation.SigmoidBackward(y, dy, dx);
                break;
            case DenseStackLayerKind.Tanh:
                Intriguing.Layers.Activation.TanhBackward(y, dy, dx);
                break;
            default:
                Intriguing.Layers.Activation.ReLUBackward(y, dy, dx);
                break;
        }
    }

    private static FusedActivation Fused(DenseStackLayerKind kind) => kind switch
    {
        DenseStackLayerKind.Sigmoid => FusedActivation.Sigmoid,
        DenseStackLayerKind.Tanh => FusedActivation.Tanh,
        DenseStackLayerKind.ReLU => FusedActivation.ReLU,
        _ => FusedActivation.None,
    };

    private static Span<float> Weights(Span<float> parameters, DenseStackLayerValues l) => parameters.Slice(l.WeightsOffset, l.OutputLength * l.InputLength);

    private static Span<float> Bias(Span<float> parameters, DenseStackLayerValues l) => l.BiasOffset >= 0 ? parameters.Slice(l.BiasOffset, l.OutputLength) : default;

    private Span<float> A(int k, int batch) => new(_a[k], 0, batch * _lengths[k]);

    private Span<float> D(int k, int batch) => new(_d[k], 0, batch * _lengths[k]);
}
