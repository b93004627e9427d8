namespace Intriguing.Spectral;

/// <summary>The upper bound of one layer's Lipschitz constant (Szegedy et al., Sec. 4.3).</summary>
/// <param name="Index">Layer index (1-based).</param>
/// <param name="Name">Layer name.</param>
/// <param name="Kind">Layer kind.</param>
/// <param name="Shape">Weight shape (outputs × inputs) for dense layers, empty otherwise.</param>
/// <param name="Bound">Upper bound of the layer's Lipschitz constant in the L2 norm.</param>
/// <param name="Method">How the bound was obtained.</param>
public sealed record LayerBound(int Index, string Name, LayerKind Kind, string Shape, double Bound, string Method);

/// <summary>Per-layer Lipschitz bounds of a network and their product (an upper bound for the whole map).</summary>
/// <param name="Network">Network name.</param>
/// <param name="Layers">Per-layer bounds.</param>
/// <param name="LogitBound">Product over every layer below the soft-max: a bound for the map from input to logits.</param>
/// <param name="Bound">Product over every layer.</param>
public sealed record LipschitzReport(string Network, IReadOnlyList<LayerBound> Layers, double LogitBound, double Bound)
{
    /// <summary>
    /// A radius no perturbation can cross: if the logits' margin between the predicted class and the runner-up is m,
    /// no perturbation with ‖r‖₂ &lt; m / (√2·L) changes the decision (L = <see cref="LogitBound"/>).
    /// </summary>
    public double CertifiedRadius(double logitMargin) => logitMargin / (Math.Sqrt(2) * LogitBound);
}

/// <summary>Computes <see cref="LipschitzReport"/>s for any <see cref="INetwork"/> from its summary and parameters.</summary>
/// <remarks>
/// Each layer's bound comes from its <see cref="LayerInfo.Lipschitz"/>, made by its layer kind in
/// <c>Intriguing.Layers</c> (e.g. <see cref="Layers.Dense"/>: ‖W‖₂; <see cref="Layers.Convolution"/>: the Fourier
/// method; <see cref="Layers.MaxPooling"/>: √(windows covering one input)), the same object whose method the summary
/// prints. <c>docs/lipschitz.md</c> derives each bound.
/// </remarks>
public static class LipschitzAnalysis
{
    /// <summary>Bounds every layer of <paramref name="network"/>.</summary>
    public static LipschitzReport Analyze(INetwork network, SpectralNormOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Combine(network.Name, network.Summary.Layers.Select(l => l.Lipschitz.Compute(network, l, options)).ToArray());
    }

    /// <summary>The report of per-layer bounds: their product, and the product up to the logits (without the soft-max).</summary>
    public static LipschitzReport Combine(string network, LayerBound[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        double product = 1, logits = 1;
        foreach (LayerBound bound in layers)
        {
            product *= bound.Bound;
            if (bound.Kind != LayerKind.Softmax) logits *= bound.Bound;
        }

        return new LipschitzReport(network, layers, logits, product);
    }
}
