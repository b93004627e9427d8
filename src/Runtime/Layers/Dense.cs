using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The dense layer y = x·Wᵀ + b. Its forward and backward passes are generated as calls of <see cref="Gemm"/>;
/// its Lipschitz bound is ‖W‖₂, the largest singular value (<see cref="OperatorNorm"/>'s rounded-up upper bound).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Dense
{
    private static readonly LayerLipschitz s_lipschitz = new SpectralNorm();

    /// <summary>The layer's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz() => s_lipschitz;

    private sealed class SpectralNorm : LayerLipschitz
    {
        public override string Method => BoundText();

        public override LayerBound Compute(INetwork network, LayerInfo layer, SpectralNormOptions? options)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(layer);
            SpectralNormResult r = OperatorNorm.Compute(network.Parameters.Slice(layer.WeightOffset, layer.OutputLength * layer.InputLength), layer.OutputLength, layer.InputLength, options);
            return new LayerBound(layer.Index, layer.Name, layer.Kind, $"{layer.OutputLength}×{layer.InputLength}", r.UpperBound,
                $"‖W‖₂ (Lanczos, {r.Iterations} iterations, ±{r.ErrorEstimate:G2})");
        }
    }
}
