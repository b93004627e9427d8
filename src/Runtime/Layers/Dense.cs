using System.Numerics.Tensors;
using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The dense layer y = x·Wᵀ + b. Its forward and backward passes are generated as calls of <see cref="Gemm"/> and of
/// the bias kernels here;
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
            return Bound(layer, network.Parameters.Slice(layer.WeightOffset, layer.OutputLength * layer.InputLength), layer.OutputLength, layer.InputLength, options);
        }
    }

    /// <summary>The layer's bound ‖W‖₂ for the given weights (generated <c>LipschitzBounds()</c> calls it with the layer's constant shape).</summary>
    public static LayerBound Bound(LayerInfo layer, ReadOnlySpan<float> weights, int outputs, int inputs, SpectralNormOptions? options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        SpectralNormResult r = OperatorNorm.Compute(weights.Slice(0, outputs * inputs), outputs, inputs, options);
        return new LayerBound(layer.Index, layer.Name, layer.Kind, $"{outputs}×{inputs}", r.UpperBound,
            $"‖W‖₂ (Lanczos, {r.Iterations} iterations, ±{r.ErrorEstimate:G2})");
    }

    /// <summary>Adds <paramref name="bias"/> to each of the <paramref name="rows"/> rows of <paramref name="x"/>.</summary>
    public static void AddBias(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        int n = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.Slice(r * n, n);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>Sums the <paramref name="rows"/> rows of <paramref name="x"/> into <paramref name="sum"/> (overwritten).</summary>
    public static void SumRows(ReadOnlySpan<float> x, Span<float> sum, int rows)
    {
        int n = sum.Length;
        sum.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sum, x.Slice(r * n, n), sum);
    }
}
