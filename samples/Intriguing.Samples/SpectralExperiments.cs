using System.Globalization;
using System.Text;
using Intriguing.Data;
using Intriguing.Spectral;

namespace Intriguing.Samples;

/// <summary>One model's Lipschitz bounds and certified radii.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Layers">Per-layer bounds.</param>
/// <param name="LogitBound">Product of the bounds up to the logits.</param>
/// <param name="MeanCertifiedRadius">Mean over the examples of margin / (√2·L), in L2 (the distortion's units × 28).</param>
/// <param name="Examples">Examples used (the drawn training examples the model classifies correctly).</param>
public sealed record SpectralRow(string Model, IReadOnlyList<LayerBound> Layers, double LogitBound, double MeanCertifiedRadius, int Examples);

/// <summary>Sec. 4.3 for the MNIST models: per-layer upper bounds, their product, and certified radii.</summary>
public static class SpectralExperiments
{
    /// <summary>Bounds every model and computes certified radii on the drawn training examples.</summary>
    public static List<SpectralRow> Run(IReadOnlyDictionary<string, INetwork> models, IEnumerable<string> names, Dataset source, int[] draw)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(source);
        var rows = new List<SpectralRow>();
        foreach (string name in names)
        {
            INetwork net = models[name];
            LipschitzReport report = LipschitzAnalysis.Analyze(net);
            int logitsLayer = net.LayerCount - 1;
            NetworkWorkspace ws = net.CreateWorkspace();
            float[] z = new float[net.ActivationLength(logitsLayer)];
            double sum = 0;
            int used = 0;
            foreach (int i in draw)
            {
                net.ForwardTo(ws, logitsLayer, source.Sample(i), z);
                int label = source.Labels[i];
                int predicted = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(z);
                if (predicted != label) continue;
                double runnerUp = z.Where((_, j) => j != label).Max();
                sum += report.CertifiedRadius(z[label] - runnerUp);
                used++;
            }

            rows.Add(new SpectralRow(name, report.Layers, report.LogitBound, used > 0 ? sum / used : double.NaN, used));
        }

        return rows;
    }

    /// <summary>The report section: a Table 5-like table per model and the certified radius beside the attack's distortion.</summary>
    public static void Section(StringBuilder sb, List<SpectralRow> rows, List<DistortionStats>? attack)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(rows);
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## Lipschitz bounds (Sec. 4.3, Table 5 for the MNIST models)");
        sb.AppendLine();
        sb.AppendLine("Upper bounds of each layer's Lipschitz constant (L2): dense layers by their largest singular value (Lanczos, rounded up by its error estimate), sigmoid 1/4, soft-max 1/2; "
            + "L = product up to the logits. A margin m between the predicted class and the runner-up certifies that no perturbation with ‖r‖₂ < m/(√2·L) changes the decision — a guaranteed lower bound on the minimal adversarial distortion, set beside the attack's upper bound (the untargeted minimum, as an L2 norm = 28 × RMS). "
            + "The convolutional layers of the paper's Table 5 need convolutions (not yet in this project).");
        sb.AppendLine();
        sb.AppendLine("| model | per-layer bounds | L (to logits) | mean certified radius (L2) | attack's mean minimum (L2) | ratio |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (SpectralRow r in rows)
        {
            string layers = string.Join(" · ", r.Layers.Select(l => l.Kind == LayerKind.Dense ? $"‖W{l.Name[5..]}‖={l.Bound.ToString("0.###", ci)}" : l.Bound.ToString("0.##", ci)));
            DistortionStats? a = attack?.FirstOrDefault(s => s.Model == r.Model);
            double upper = a is null ? double.NaN : 28 * a.MeanDistortion;
            sb.AppendLine(string.Create(ci, $"| {r.Model} | {layers} | {r.LogitBound:G4} | {r.MeanCertifiedRadius:G3} | {upper:F3} | {upper / r.MeanCertifiedRadius:F0}× |"));
        }

        sb.AppendLine();
    }
}
