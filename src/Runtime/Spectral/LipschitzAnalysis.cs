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
/// Dense layer: the largest singular value ‖W‖₂ (the runtime's <see cref="OperatorNorm"/>, its rounded-up
/// <c>UpperBound</c>, so the bound does not come out low). Sigmoid: 1/4; tanh and ReLU: 1; soft-max: 1/2 (the Jacobian
/// diag(p) − ppᵀ has row sums 2pᵢ(1 − pᵢ) ≤ 1/2, so its norm is at most 1/2 by Gershgorin).
/// </remarks>
public static class LipschitzAnalysis
{
    /// <summary>Bounds every layer of <paramref name="network"/>.</summary>
    public static LipschitzReport Analyze(INetwork network, SpectralNormOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var layers = new List<LayerBound>();
        double product = 1, logits = 1;
        foreach (LayerInfo l in network.Summary.Layers)
        {
            LayerBound bound = l.Kind switch
            {
                LayerKind.Dense => Dense(network, l, options),
                LayerKind.Sigmoid => new LayerBound(l.Index, l.Name, l.Kind, "", 0.25, "max σ′ = 1/4"),
                LayerKind.Tanh => new LayerBound(l.Index, l.Name, l.Kind, "", 1, "max tanh′ = 1"),
                LayerKind.ReLU => new LayerBound(l.Index, l.Name, l.Kind, "", 1, "max slope 1"),
                LayerKind.Softmax => new LayerBound(l.Index, l.Name, l.Kind, "", 0.5, "‖diag p − ppᵀ‖ ≤ 1/2"),
                _ => throw new NotSupportedException($"No Lipschitz bound for layer kind {l.Kind}."),
            };
            layers.Add(bound);
            product *= bound.Bound;
            if (l.Kind != LayerKind.Softmax) logits *= bound.Bound;
        }

        return new LipschitzReport(network.Name, layers, logits, product);
    }

    private static LayerBound Dense(INetwork network, LayerInfo l, SpectralNormOptions? options)
    {
        SpectralNormResult r = OperatorNorm.Compute(network.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength), l.OutputLength, l.InputLength, options);
        return new LayerBound(l.Index, l.Name, l.Kind, $"{l.OutputLength}×{l.InputLength}", r.UpperBound, $"‖W‖₂ (Lanczos, {r.Iterations} iterations, ±{r.ErrorEstimate:G2})");
    }
}
