namespace Intriguing;

/// <summary>How a network's training loss is defined; fixed at compile time by its last layer.</summary>
public enum LossKind
{
    /// <summary>Soft-max cross-entropy against integer labels (the network ends in a soft-max).</summary>
    SoftmaxCrossEntropy,

    /// <summary>Squared error ½‖y − t‖² against target vectors (any other network, e.g. an auto-encoder).</summary>
    SquaredError,
}

/// <summary>
/// The contract every generated network implements, so that training, attacks and analyses are written once.
/// </summary>
/// <remarks>
/// <para><b>Layer numbering.</b> Activation 0 is the input; activation <c>k</c> (1 ≤ k ≤ <see cref="LayerCount"/>)
/// is the output of the k-th layer of the declared stack (activations count as layers). The last activation is
/// the network output.</para>
/// <para><b>Memory.</b> Every method works in a <see cref="NetworkWorkspace"/> made by
/// <see cref="CreateWorkspace"/>; after construction nothing allocates. A workspace is not thread-safe: give each
/// thread its own. The network's parameters may be shared by threads that only read them.</para>
/// <para><b>Layout.</b> Batches are row-major: sample after sample, each of the relevant length.
/// <see cref="Parameters"/> is one flat buffer in which every layer block starts on a 64-byte boundary; the
/// padding between blocks is always zero, in the parameters and in every gradient.</para>
/// <para><b>Weight decay.</b> A dense layer with decay λ adds (λ/2)·‖W‖² to the training loss; biases are not decayed.</para>
/// </remarks>
public interface INetwork
{
    /// <summary>The display name (the class name unless <c>[Network(Name = ...)]</c> sets one).</summary>
    string Name { get; }

    /// <summary>Number of input values of one sample.</summary>
    int InputLength { get; }

    /// <summary>Number of output values of one sample.</summary>
    int OutputLength { get; }

    /// <summary>Number of layers in the declared stack (the input is not a layer).</summary>
    int LayerCount { get; }

    /// <summary>Number of trainable parameters (padding excluded).</summary>
    int ParameterCount { get; }

    /// <summary>Length of <see cref="Parameters"/> and of every parameter gradient (padding included).</summary>
    int ParameterBufferLength { get; }

    /// <summary>The training loss of this network.</summary>
    LossKind Loss { get; }

    /// <summary>The compile-time summary: per layer shape, parameters, multiply-adds and Lipschitz-bound method.</summary>
    NetworkSummary Summary { get; }

    /// <summary>The flat parameter buffer (length <see cref="ParameterBufferLength"/>).</summary>
    Span<float> Parameters { get; }

    /// <summary>Length of activation <paramref name="layer"/> for one sample (0 = input).</summary>
    int ActivationLength(int layer);

    /// <summary>Re-initialises every parameter deterministically from <paramref name="seed"/>.</summary>
    void Initialize(ulong seed);

    /// <summary>Makes a workspace for batches of up to <paramref name="maxBatch"/> samples.</summary>
    NetworkWorkspace CreateWorkspace(int maxBatch = 1);

    /// <summary>Runs <paramref name="batch"/> samples through the network and writes their outputs.</summary>
    void Forward(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, Span<float> outputs, int batch = 1);

    /// <summary>Computes activation <paramref name="layer"/> (0 = a copy of the input) for <paramref name="batch"/> samples.</summary>
    void ForwardTo(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> inputs, Span<float> activations, int batch = 1);

    /// <summary>Runs the layers above <paramref name="layer"/> on given activations of that layer and writes the outputs.</summary>
    void ForwardFrom(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, Span<float> outputs, int batch = 1);

    /// <summary>
    /// Back-propagates <paramref name="outputGradient"/> (∂E/∂output, one row per sample) through the batch of the
    /// last <see cref="Forward"/> call in <paramref name="workspace"/>. Writes ∂E/∂parameters into
    /// <paramref name="gradient"/> (overwritten; no weight decay) and, if it is not empty, ∂E/∂input into
    /// <paramref name="inputGradient"/>.
    /// </summary>
    void Backward(NetworkWorkspace workspace, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient = default);

    /// <summary>
    /// Training objective for a batch of a soft-max network: mean cross-entropy over the batch plus weight decay.
    /// Writes its gradient with respect to every parameter into <paramref name="gradient"/> (overwritten) and,
    /// if not empty, with respect to the inputs into <paramref name="inputGradient"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network does not end in a soft-max.</exception>
    float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch, Span<float> gradient, Span<float> inputGradient = default);

    /// <summary>
    /// Training objective for a batch of a regression network: mean over the batch of ½‖y − t‖² plus weight decay.
    /// Gradients as in the label overload.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network ends in a soft-max (use the label overload).</exception>
    float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, Span<float> gradient, Span<float> inputGradient = default);

    /// <summary>
    /// Per-sample loss through the layers above <paramref name="layer"/> (cross-entropy against
    /// <paramref name="labels"/>, no weight decay) for given activations of that layer. Row i of
    /// <paramref name="activationGradient"/> receives the gradient of sample i's loss with respect to its activation
    /// (skipped if the span is empty). Layer 0 gives the gradient with respect to the input. If
    /// <paramref name="gradient"/> is not empty it receives the gradient of the summed loss with respect to every
    /// parameter (overwritten, no weight decay): the layers above <paramref name="layer"/> get their gradients, the
    /// layers at or below it exactly zero, since the activations are given rather than computed by them. This is the
    /// training signal of hidden-layer adversarial examples. An inference pass unless
    /// <see cref="NetworkWorkspace.Training"/> is set, in which case the dropout layers above <paramref name="layer"/>
    /// draw their masks as in <c>LossAndGradient</c>. Returns the sum of the sample losses.
    /// </summary>
    float LossAndLayerGradient(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, ReadOnlySpan<int> labels, int batch, Span<float> activationGradient, Span<float> gradient = default);

    /// <summary>Adds the weight-decay gradient λ·W to <paramref name="gradient"/> and returns the penalty Σ (λ/2)·‖W‖².</summary>
    float AddWeightDecay(Span<float> gradient);

    /// <summary>
    /// One step of SGD with momentum on a single labelled sample, each parameter's gradient applied as soon as it is
    /// computed (no gradient buffer): v ← μ·v − η·∂E/∂θ, θ ← θ + v (Nesterov: θ ← θ + μ·v − η·∂E/∂θ), E the
    /// cross-entropy plus weight decay. Gives bit-identical parameters and velocities to
    /// <see cref="LossAndGradient(NetworkWorkspace, ReadOnlySpan{float}, ReadOnlySpan{int}, int, Span{float}, Span{float})"/>
    /// at batch 1 followed by that update, for any <paramref name="splitter"/> (see <see cref="Training.SgdKernels"/>).
    /// Returns E before the step (its weight-decay part summed in another order than there: equal to float rounding).
    /// The workspace then holds no activations for <see cref="Backward"/>.
    /// </summary>
    /// <param name="workspace">A workspace of this network.</param>
    /// <param name="input">One sample.</param>
    /// <param name="label">Its label.</param>
    /// <param name="velocity">The velocity, laid out like <see cref="Parameters"/>.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="splitter">Splits the step of large layers over threads; null for the calling thread only.</param>
    /// <param name="nextInput">Optional: the sample of the next step on this workspace. If the first layer is dense, its
    /// output for that sample under the updated parameters is formed in the same pass over W as the update (bit-identical
    /// to a forward pass), and the next <c>SgdStep</c> on this workspace with that very input skips the product. Any other
    /// pass on the workspace discards it; the parameters must not be changed in between by other means.</param>
    /// <exception cref="InvalidOperationException">The network does not end in a soft-max.</exception>
    /// <exception cref="NotSupportedException">The network has layers other than dense layers and activations
    /// (convolution, pooling, normalisation, dropout); see <see cref="Training.Trainer.HasFusedStep"/>.</exception>
    float SgdStep(NetworkWorkspace workspace, ReadOnlySpan<float> input, int label, Span<float> velocity, float momentum, float rate, bool nesterov, Training.FusedStepSplitter? splitter = null, ReadOnlySpan<float> nextInput = default);

    /// <summary>
    /// One step of SGD with momentum on a batch of labelled samples, E the mean cross-entropy plus weight decay, each
    /// layer's gradient formed a block of rows at a time and applied at once (no gradient buffer; see
    /// <see cref="Training.SgdKernels.DenseBatchStep"/>). Gives bit-identical parameters and velocities to
    /// <see cref="LossAndGradient(NetworkWorkspace, ReadOnlySpan{float}, ReadOnlySpan{int}, int, Span{float}, Span{float})"/>
    /// on the whole batch followed by that update, for any <paramref name="splitter"/>: the splitter divides each large
    /// layer by rows of W (the forward product, the gradient and the update of a row on the same thread), never the
    /// batch. A batch of one is <see cref="SgdStep"/>.
    /// Returns E before the step (its weight-decay part summed in another order: equal to float rounding). The
    /// workspace then holds no activations for <see cref="Backward"/>.
    /// </summary>
    /// <param name="workspace">A workspace of this network for at least <paramref name="batch"/> samples.</param>
    /// <param name="inputs">The samples, batch × <see cref="InputLength"/>.</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="batch">Number of samples, at least 1.</param>
    /// <param name="velocity">The velocity, laid out like <see cref="Parameters"/>.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="splitter">Splits the large layers over threads by rows; null for the calling thread only.</param>
    /// <exception cref="InvalidOperationException">The network does not end in a soft-max.</exception>
    /// <exception cref="NotSupportedException">The network has layers other than dense layers and activations.</exception>
    float SgdBatchStep(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch, Span<float> velocity, float momentum, float rate, bool nesterov, Training.FusedStepSplitter? splitter = null);
}
