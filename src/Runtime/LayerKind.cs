namespace Intriguing;

// Compiled into the runtime and, linked, into the generator (Intriguing.Generator.csproj), so both name the layer kinds
// with one enum. Keep it to C# that compiles for netstandard2.0, without references to runtime types.

/// <summary>The kind of a layer in a declared stack.</summary>
public enum LayerKind
{
    /// <summary>Fully connected layer.</summary>
    Dense,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>Rectified linear unit.</summary>
    ReLU,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Soft-max (last layer only).</summary>
    Softmax,
    /// <summary>Inverted dropout: the identity at inference, a random mask scaled by 1/(1 − p) in training.</summary>
    Dropout,
    /// <summary>2-D convolution (cross-correlation) with zero or circular padding; see <c>LayerInfo.Geometry</c>.</summary>
    Conv,
    /// <summary>Max-pooling over square windows, possibly overlapping; see <c>LayerInfo.Geometry</c>.</summary>
    MaxPool,
    /// <summary>The paper's contrast normalisation x / (ε + ‖x‖²)^γ across channels at each position; see <c>LayerInfo.Norm</c>.</summary>
    ContrastNorm,
    /// <summary>AlexNet's local response normalisation across channels; see <c>LayerInfo.Norm</c>.</summary>
    LocalResponseNorm,
    /// <summary>Average pooling over square windows, possibly overlapping; see <c>LayerInfo.Geometry</c>.</summary>
    AvgPool,
}
