using Intriguing.Data;

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
