namespace Intriguing;

/// <summary>
/// What every generated network is: its shapes, parameters, summary and workspaces, the forward passes (whole or from
/// and to any layer) and the backward pass. Training, attacks and analyses are written once against it.
/// </summary>
/// <remarks>
/// <para><b>Objectives.</b> The training loss depends on the last layer and is a separate contract, implemented only
/// where it applies: a network that ends in a soft-max is an <see cref="IClassifier"/> (cross-entropy against labels),
/// any other an <see cref="IRegressor"/> (squared error against targets). No member of this interface throws because of
/// the kind of network.</para>
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

    /// <summary>Length of <see cref="Parameters"/> and of every parameter gradient (padding included).</summary>
    int ParameterBufferLength { get; }

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
    /// Back-propagates <paramref name="activationGradient"/> (∂E/∂activation <paramref name="layer"/>, one row per
    /// sample) through layers <paramref name="layer"/> … 1 for the batch of the last pass in <paramref name="workspace"/>,
    /// which must have computed activations 0 … <paramref name="layer"/> from the input (<see cref="ForwardTo"/> this or a
    /// higher layer, <see cref="Forward"/>, or a <c>LossAndGradient</c>). Writes ∂E/∂parameters into
    /// <paramref name="gradient"/> (overwritten; the layers above <paramref name="layer"/> get zero; no weight decay) and,
    /// if it is not empty, ∂E/∂input into <paramref name="inputGradient"/>. With <paramref name="layer"/> =
    /// <see cref="LayerCount"/> this is <see cref="Backward"/>.
    /// </summary>
    void BackwardFrom(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activationGradient, Span<float> gradient, Span<float> inputGradient = default);

    /// <summary>Adds the weight-decay gradient λ·W to <paramref name="gradient"/> and returns the penalty Σ (λ/2)·‖W‖².</summary>
    float AddWeightDecay(Span<float> gradient);
}

/// <summary>
/// A network that ends in a soft-max, trained against integer labels: its objective is the soft-max cross-entropy.
/// The generator implements this interface for every such network (and <see cref="IRegressor"/> for the others).
/// </summary>
public interface IClassifier : INetwork
{
    /// <summary>
    /// Training objective for a batch: mean cross-entropy over the batch plus weight decay. Writes its gradient with
    /// respect to every parameter into <paramref name="gradient"/> (overwritten; skipped if empty) and, if not empty,
    /// with respect to the inputs into <paramref name="inputGradient"/>. Labels must be in 0…<see cref="INetwork.OutputLength"/>−1.
    /// </summary>
    float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch, Span<float> gradient, Span<float> inputGradient = default);

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
    /// draw their masks as in <see cref="LossAndGradient"/>. Returns the sum of the sample losses.
    /// </summary>
    float LossAndLayerGradient(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, ReadOnlySpan<int> labels, int batch, Span<float> activationGradient, Span<float> gradient = default);
}

/// <summary>
/// A network that does not end in a soft-max (an auto-encoder, a decoder), trained against target vectors: its
/// objective is the squared error ½‖y − t‖². The generator implements this interface for every such network.
/// </summary>
public interface IRegressor : INetwork
{
    /// <summary>
    /// Training objective for a batch: mean over the batch of ½‖y − t‖² plus weight decay, <paramref name="targets"/>
    /// holding batch × <see cref="INetwork.OutputLength"/> values. Writes its gradient with respect to every parameter
    /// into <paramref name="gradient"/> (overwritten; skipped if empty) and, if not empty, with respect to the inputs
    /// into <paramref name="inputGradient"/>.
    /// </summary>
    float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, Span<float> gradient, Span<float> inputGradient = default);
}
