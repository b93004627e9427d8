using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The element-wise nonlinearities sigmoid, tanh and ReLU. Their kernels are <see cref="Activations"/>' (shared with
/// the fused training steps); their Lipschitz bounds are their largest slopes: 1/4, 1 and 1.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Activation
{
    private static readonly LayerLipschitz s_sigmoid = LayerLipschitz.Fixed(0.25, SigmoidBoundText());
    private static readonly LayerLipschitz s_tanh = LayerLipschitz.Fixed(1, TanhBoundText());
    private static readonly LayerLipschitz s_relu = LayerLipschitz.Fixed(1, ReLUBoundText());

    /// <summary>The sigmoid's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz SigmoidLipschitz() => s_sigmoid;

    /// <summary>Tanh's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz TanhLipschitz() => s_tanh;

    /// <summary>The ReLU's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz ReLULipschitz() => s_relu;
}
