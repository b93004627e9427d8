using Intriguing.Data;
using Intriguing.Spectral;

namespace Intriguing.Certification;

/// <summary>
/// Certificates from the global Lipschitz bound L of the map from input to logits (Tsuzuku et al. 2018): an example
/// with true-class logit margin m = z_y − max_{j≠y} z_j &gt; √2·L·ε keeps its (correct) decision under every
/// perturbation of L2 norm at most ε, since each logit difference z_y − z_j changes by at most √2·L·‖δ‖₂.
/// </summary>
public static class LipschitzCertificate
{
    /// <summary>
    /// The true-class logit margin z_y − max_{j≠y} z_j of every example of <paramref name="data"/> (negative when it
    /// is misclassified), from the logits (activation <c>LayerCount − 1</c>) of an inference pass.
    /// </summary>
    public static double[] Margins(IClassifier network, Dataset data, int batch = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        int classes = network.OutputLength, logitLayer = network.LayerCount - 1;
        if (network.ActivationLength(logitLayer) != classes) throw new ArgumentException($"{network.Name}: the layer below the soft-max has {network.ActivationLength(logitLayer)} values, not {classes}.", nameof(network));
        int size = Math.Min(batch, Math.Max(1, data.Count));
        NetworkWorkspace workspace = network.CreateWorkspace(size);
        float[] logits = new float[size * classes];
        double[] margins = new double[data.Count];
        for (int start = 0; start < data.Count; start += size)
        {
            int count = Math.Min(size, data.Count - start);
            network.ForwardTo(workspace, logitLayer, data.Samples.AsSpan(start * data.SampleLength, count * data.SampleLength), logits.AsSpan(0, count * classes), count);
            for (int s = 0; s < count; s++) margins[start + s] = Margin(logits.AsSpan(s * classes, classes), data.Labels[start + s]);
        }

        return margins;
    }

    /// <summary>z_label − max_{j≠label} z_j.</summary>
    public static double Margin(ReadOnlySpan<float> logits, int label)
    {
        if ((uint)label >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(label));
        double other = double.NegativeInfinity;
        for (int j = 0; j < logits.Length; j++) if (j != label) other = Math.Max(other, logits[j]);
        return logits[label] - other;
    }

    /// <summary>Whether a margin certifies its example at L2 radius <paramref name="radius"/>: m &gt; √2·L·ε (and m &gt; 0).</summary>
    public static bool IsCertified(double margin, double logitBound, double radius) => margin > 0 && margin > Math.Sqrt(2) * logitBound * radius;

    /// <summary>
    /// GloRo's per-class-pair bounds (Leino et al. 2021) for a network whose logits are the output of a dense layer:
    /// K_ji = ‖w_j − w_i‖₂·Π (bounds of <paramref name="report"/> below that layer), a Lipschitz bound of z_j − z_i
    /// (n × n, row-major, zero diagonal; at most √2·L).
    /// </summary>
    public static double[] PairBounds(IClassifier network, LipschitzReport report)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(report);
        IReadOnlyList<LayerInfo> layers = network.Summary.Layers;
        if (layers.Count < 2 || layers[^1].Kind != LayerKind.Softmax || layers[^2].Kind != LayerKind.Dense || report.Layers.Count != layers.Count)
        {
            throw new ArgumentException($"{network.Name}: pair bounds need a dense layer right below the soft-max (and its report).", nameof(network));
        }

        LayerInfo last = layers[^2];

        double lower = 1;
        for (int k = 0; k < report.Layers.Count - 2; k++) lower *= report.Layers[k].Bound;
        int n = last.OutputLength, m = last.InputLength;
        ReadOnlySpan<float> w = network.Parameters.Slice(last.WeightOffset, n * m);
        double[] bounds = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < j; i++)
            {
                double sum = 0;
                for (int t = 0; t < m; t++)
                {
                    double d = (double)w[j * m + t] - w[i * m + t];
                    sum += d * d;
                }

                // Rounded up past the double rounding of the sum and the products.
                bounds[j * n + i] = bounds[i * n + j] = Math.Sqrt(sum) * lower * (1 + 1e-12 * (m + layers.Count));
            }
        }

        return bounds;
    }

    /// <summary>
    /// The radius each example of <paramref name="data"/> is certified to by <paramref name="pairBounds"/>
    /// (<see cref="PairBounds"/>): min_{i≠y} (z_y − z_i)/K_yi when it is classified correctly (every perturbation with
    /// ‖δ‖₂ below it keeps the decision), else 0.
    /// </summary>
    public static double[] PairRadii(IClassifier network, Dataset data, ReadOnlySpan<double> pairBounds, int batch = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        int n = network.OutputLength, logitLayer = network.LayerCount - 1;
        if (pairBounds.Length != n * n) throw new ArgumentException($"Expected {n}×{n} pair bounds.", nameof(pairBounds));
        int size = Math.Min(batch, Math.Max(1, data.Count));
        NetworkWorkspace workspace = network.CreateWorkspace(size);
        float[] logits = new float[size * n];
        double[] radii = new double[data.Count];
        for (int start = 0; start < data.Count; start += size)
        {
            int count = Math.Min(size, data.Count - start);
            network.ForwardTo(workspace, logitLayer, data.Samples.AsSpan(start * data.SampleLength, count * data.SampleLength), logits.AsSpan(0, count * n), count);
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<float> z = logits.AsSpan(s * n, n);
                int y = data.Labels[start + s];
                double radius = double.PositiveInfinity;
                for (int i = 0; i < n && radius > 0; i++)
                {
                    if (i == y) continue;
                    double gap = (double)z[y] - z[i];
                    radius = gap <= 0 ? 0 : Math.Min(radius, pairBounds[y * n + i] > 0 ? gap / pairBounds[y * n + i] : double.PositiveInfinity);
                }

                radii[start + s] = radius;
            }
        }

        return radii;
    }

    /// <summary>The fraction of <paramref name="radii"/> above <paramref name="radius"/>.</summary>
    public static double CertifiedAccuracy(IReadOnlyList<double> radii, double radius)
    {
        ArgumentNullException.ThrowIfNull(radii);
        return radii.Count == 0 ? 0 : radii.Count(r => r > radius) / (double)radii.Count;
    }

    /// <summary>The fraction of <paramref name="margins"/> certified at <paramref name="radius"/> (see <see cref="IsCertified"/>).</summary>
    public static double CertifiedAccuracy(IReadOnlyList<double> margins, double logitBound, double radius)
    {
        ArgumentNullException.ThrowIfNull(margins);
        if (margins.Count == 0) return 0;
        int certified = 0;
        foreach (double m in margins) if (IsCertified(m, logitBound, radius)) certified++;
        return (double)certified / margins.Count;
    }
}
