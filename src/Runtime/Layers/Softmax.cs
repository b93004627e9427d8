using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The soft-max of each sample (last layer only). Its kernels are <see cref="Activations"/>'. Its Lipschitz bound is
/// 1/2: the Jacobian diag(p) − ppᵀ has row sums 2pᵢ(1 − pᵢ) ≤ 1/2, so its norm is at most 1/2 by Gershgorin.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Softmax
{
    private static readonly LayerLipschitz s_lipschitz = LayerLipschitz.Fixed(0.5, BoundText());

    /// <summary>The soft-max's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz() => s_lipschitz;
}
