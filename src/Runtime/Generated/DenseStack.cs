using System.ComponentModel;

namespace Intriguing.Generated;

/// <summary>For generated code only: a layer of a <see cref="DenseStackLayout"/>, a dense layer or an activation.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum DenseStackLayerKind
{
    /// <summary>A dense layer y = x·Wᵀ + b.</summary>
    Dense,

    /// <summary>The logistic sigmoid.</summary>
    Sigmoid,

    /// <summary>tanh.</summary>
    Tanh,

    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>The soft-max (the last layer of the stack).</summary>
    Softmax,
}

/// <summary>For generated code only: one layer of a <see cref="DenseStackLayout"/>, in stack order.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record DenseStackLayerValues
{
    /// <summary>What the layer is.</summary>
    public required DenseStackLayerKind Kind { get; init; }

    /// <summary>Values per sample the layer reads.</summary>
    public required int InputLength { get; init; }

    /// <summary>Values per sample the layer writes.</summary>
    public required int OutputLength { get; init; }

    /// <summary>Dense layers: where W (outputs × inputs, row-major) starts in the parameter buffer.</summary>
    public int WeightsOffset { get; init; }

    /// <summary>Dense layers: where b starts in the parameter buffer, or −1 for a layer without bias.</summary>
    public int BiasOffset { get; init; } = -1;

    /// <summary>Dense layers: the weight decay λ of W.</summary>
    public float WeightDecay { get; init; }
}

/// <summary>
/// For generated code only: the layout of a network made of dense layers and activations that ends in a soft-max,
/// in stack order, from which the trainer runs its fused SGD steps (the gradient of each parameter applied as soon
/// as it is formed, no gradient buffer). The generated network describes it; the runtime executes it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DenseStackLayout
{
    private readonly DenseStackLayerValues[] _layers;

    /// <summary>Checks and keeps <paramref name="layers"/>.</summary>
    /// <param name="inputLength">Values per input sample.</param>
    /// <param name="parameterBufferLength">Length of the network's parameter buffer.</param>
    /// <param name="layers">The layers in stack order: dense layers and activations, the last one a soft-max.</param>
    /// <exception cref="ArgumentException">The layers do not chain, reach outside the buffer, or do not end in a soft-max.</exception>
    public DenseStackLayout(int inputLength, int parameterBufferLength, DenseStackLayerValues[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLength);
        if (layers.Length == 0 || layers[^1].Kind != DenseStackLayerKind.Softmax) throw new ArgumentException("A dense stack ends in a soft-max.", nameof(layers));
        int length = inputLength;
        bool dense = false;
        for (int i = 0; i < layers.Length; i++)
        {
            DenseStackLayerValues l = layers[i] ?? throw new ArgumentException($"Layer {i + 1} is null.", nameof(layers));
            if (!Enum.IsDefined(l.Kind)) throw new ArgumentException($"Layer {i + 1} has no known kind ({l.Kind}).", nameof(layers));
            if (l.InputLength != length) throw new ArgumentException($"Layer {i + 1} reads {l.InputLength} values but the layer below writes {length}.", nameof(layers));
            if (l.OutputLength <= 0) throw new ArgumentException($"Layer {i + 1} writes no values.", nameof(layers));
            if (l.Kind == DenseStackLayerKind.Dense)
            {
                dense = true;
                long end = (long)l.WeightsOffset + ((long)l.OutputLength * l.InputLength);
                if (l.WeightsOffset < 0 || end > parameterBufferLength || l.BiasOffset < -1 || (l.BiasOffset >= 0 && (long)l.BiasOffset + l.OutputLength > parameterBufferLength))
                {
                    throw new ArgumentException($"Layer {i + 1}'s weights or bias lie outside the parameter buffer of {parameterBufferLength} values.", nameof(layers));
                }
            }
            else if (l.OutputLength != l.InputLength)
            {
                throw new ArgumentException($"Layer {i + 1} ({l.Kind}) must write as many values as it reads.", nameof(layers));
            }

            length = l.OutputLength;
        }

        if (!dense) throw new ArgumentException("A dense stack has at least one dense layer.", nameof(layers));
        _layers = (DenseStackLayerValues[])layers.Clone();
        InputLength = inputLength;
        ParameterBufferLength = parameterBufferLength;
    }

    /// <summary>Values per input sample.</summary>
    public int InputLength { get; }

    /// <summary>Length of the network's parameter buffer.</summary>
    public int ParameterBufferLength { get; }

    /// <summary>Number of layers (activations count).</summary>
    public int Count => _layers.Length;

    /// <summary>The layer at <paramref name="index"/> (0-based), which reads activation <paramref name="index"/> and writes activation <paramref name="index"/> + 1.</summary>
    public DenseStackLayerValues this[int index] => _layers[index];
}

/// <summary>
/// For generated code only: implemented by a generated classifier made of dense layers and activations, which the
/// trainer then trains with its fused SGD steps (see <c>Trainer.HasFusedStep</c>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IDenseStackNetwork : IClassifier
{
    /// <summary>The network's layers as the fused steps read them.</summary>
    DenseStackLayout DenseStack { get; }
}
