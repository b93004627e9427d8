namespace Intriguing.Spectral;

/// <summary>
/// How an upper bound of one layer's Lipschitz constant (L2) is obtained. Every layer of a generated network's
/// <see cref="NetworkSummary"/> holds one, made by its layer kind (<c>Intriguing.Layers</c>); the summary prints its
/// <see cref="Method"/> and <see cref="LipschitzAnalysis"/> calls <see cref="Compute"/>, so the two cannot disagree.
/// </summary>
public abstract class LayerLipschitz
{
    /// <summary>The method as the summary prints it; for a bound fixed at compile time, with its value.</summary>
    public abstract string Method { get; }

    /// <summary>The bound for the current parameters of <paramref name="network"/>, whose layer <paramref name="layer"/> this is.</summary>
    public abstract LayerBound Compute(INetwork network, LayerInfo layer, SpectralNormOptions? options);

    /// <summary>A bound that does not depend on the parameters: <paramref name="bound"/>, described by <paramref name="method"/>.</summary>
    public static LayerLipschitz Fixed(double bound, string method) => new FixedLipschitz(bound, method);

    /// <inheritdoc/>
    public override string ToString() => Method;

    private sealed class FixedLipschitz(double bound, string method) : LayerLipschitz
    {
        public override string Method => method;

        public override LayerBound Compute(INetwork network, LayerInfo layer, SpectralNormOptions? options)
        {
            ArgumentNullException.ThrowIfNull(layer);
            return new LayerBound(layer.Index, layer.Name, layer.Kind, "", bound, method);
        }
    }
}
