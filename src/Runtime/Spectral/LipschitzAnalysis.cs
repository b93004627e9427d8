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
/// diag(p) − ppᵀ has row sums 2pᵢ(1 − pᵢ) ≤ 1/2, so its norm is at most 1/2 by Gershgorin); dropout: 1 (the identity
/// at inference). Convolution: <see cref="ConvolutionNorm"/>'s certified <c>UpperBound</c> (exact for circular padding
/// with one output per stride step around the map, an upper bound otherwise; see <see cref="ConvolutionBound"/>).
/// Max-pooling: √(largest number of windows covering one input) (<see cref="NonlinearLayerBounds.MaxPoolBound(int, int, int, int, int)"/>);
/// contrast normalisation: ε^(−γ); local response normalisation: <see cref="NonlinearLayerBounds.LocalResponseNormBound"/>.
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
                LayerKind.Dropout => new LayerBound(l.Index, l.Name, l.Kind, "", 1, "identity at inference"),
                LayerKind.Conv => Convolution(network, l),
                LayerKind.MaxPool => Pool(l),
                LayerKind.ContrastNorm => Contrast(l),
                LayerKind.LocalResponseNorm => ResponseNorm(l),
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

    private static LayerGeometry GeometryOf(LayerInfo l)
        => l.Geometry ?? throw new InvalidOperationException($"Layer {l.Index} ({l.Name}, {l.Kind}) has no geometry in the network summary.");

    private static LayerBound Convolution(INetwork network, LayerInfo l)
    {
        LayerGeometry g = GeometryOf(l);
        int count = g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel;
        (double bound, string method) = ConvolutionBound(network.Parameters.Slice(l.WeightOffset, count), g);
        return new LayerBound(l.Index, l.Name, l.Kind, $"{g.InputChannels}×{g.Kernel}×{g.Kernel}×{g.OutputChannels}", bound, method);
    }

    /// <summary>
    /// A certified upper bound of the operator norm of a convolution layer with the given geometry and weights
    /// (<c>[D][C][k][k]</c>), and a description of how it was obtained.
    /// </summary>
    /// <remarks>
    /// Zero padding: <see cref="ConvolutionNorm"/> on the periodic map of which the layer is a compression.
    /// Circular padding: the layer computes outputs i = 0 … H_out − 1 of the periodic map at positions
    /// i·s − p (mod H). When s divides H and H_out ≤ H/s these are distinct outputs of the circular convolution with
    /// stride s, so its norm bounds the layer's (with equality when H_out = H/s, both axes). Otherwise the layer is
    /// the stride-1 circular convolution followed by a selection of outputs in which a position can repeat; the
    /// selection has norm √(largest repetition), which multiplies the stride-1 norm.
    /// </remarks>
    public static (double Bound, string Method) ConvolutionBound(ReadOnlySpan<float> weights, LayerGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        LayerGeometry g = geometry;
        if (g.PaddingMode == PaddingMode.Zero)
        {
            var shape = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding, PaddingMode.Zero);

            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape);
            return (r.UpperBound, $"Fourier, zero padding on {r.PeriodHeight}×{r.PeriodWidth} (≥ ‖·‖; estimate {r.Estimate:G6})");
        }

        bool fits = g.InputHeight % g.Stride == 0 && g.InputWidth % g.Stride == 0
            && g.OutputHeight <= g.InputHeight / g.Stride && g.OutputWidth <= g.InputWidth / g.Stride;
        if (fits)
        {
            var shape = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding, PaddingMode.Circular);
            ConvolutionNormResult r = ConvolutionNorm.Compute(weights, shape);
            bool exact = g.OutputHeight == g.InputHeight / g.Stride && g.OutputWidth == g.InputWidth / g.Stride;
            return (r.UpperBound, $"Fourier, circular{(exact ? "" : ", subset of outputs")} (estimate {r.Estimate:G6}, ±{r.RelativeGap:G2})");
        }

        var unit = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, 1, 1, g.Padding, PaddingMode.Circular);
        ConvolutionNormResult s1 = ConvolutionNorm.Compute(weights, unit);
        int repeat = Repetition(g.OutputHeight, g.Stride, g.InputHeight) * Repetition(g.OutputWidth, g.Stride, g.InputWidth);
        double bound = double.BitIncrement(s1.UpperBound * Math.Sqrt(repeat) * (1 + 1e-15));
        return (bound, $"Fourier, circular stride 1 × √{repeat} (selection of outputs)");
    }

    /// <summary>The largest number of outputs i &lt; count with the same position i·stride mod length.</summary>
    private static int Repetition(int count, int stride, int length)
    {
        int[] hits = new int[length];
        int best = 0;
        for (int i = 0; i < count; i++) best = Math.Max(best, ++hits[(int)((long)i * stride % length)]);
        return best;
    }

    private static LayerBound Pool(LayerInfo l)
    {
        LayerGeometry g = GeometryOf(l);
        int coverage = NonlinearLayerBounds.MaxPoolCoverage(g.InputHeight, g.InputWidth, g.Kernel, g.Kernel, g.Stride, g.Stride, g.Padding);
        return new LayerBound(l.Index, l.Name, l.Kind, $"{g.Kernel}×{g.Kernel}/{g.Stride}", Math.Sqrt(coverage),
            coverage == 1 ? "non-overlapping windows: 1" : $"√(windows covering one input) = √{coverage}");
    }

    private static LayerBound Contrast(LayerInfo l)
    {
        NormParameters n = l.Norm ?? throw new InvalidOperationException($"Layer {l.Index} ({l.Name}) has no normalisation parameters.");
        if (!(n.Gamma >= 0 && n.Gamma <= 1))
        {
            throw new NotSupportedException($"Layer {l.Index} ({l.Name}): the bound ε^(−γ) is proven for γ ∈ [0, 1], not γ = {n.Gamma}.");
        }

        return new LayerBound(l.Index, l.Name, l.Kind, "", NonlinearLayerBounds.ContrastNormBound(n.Epsilon, n.Gamma), "ε^(−γ) (proven; attained at 0)");
    }

    private static LayerBound ResponseNorm(LayerInfo l)
    {
        NormParameters n = l.Norm ?? throw new InvalidOperationException($"Layer {l.Index} ({l.Name}) has no normalisation parameters.");
        return new LayerBound(l.Index, l.Name, l.Kind, "", NonlinearLayerBounds.LocalResponseNormBound(n.K, n.Beta, n.Size), "k^(−β)·(1 + 2β·q·n^(3/4)) (derived, not tight)");
    }
}
