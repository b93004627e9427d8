using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Intriguing.Data;
using Intriguing.Spectral;

namespace Intriguing.Paper;

/// <summary>One model's Lipschitz bounds, the data-based lower estimate and the certified radii (Table 1 models).</summary>
/// <param name="Model">Model name.</param>
/// <param name="Layers">Per-layer bounds.</param>
/// <param name="LogitBound">Product of the bounds up to the logits.</param>
/// <param name="MeanCertifiedRadius">Mean over the examples of margin / (√2·L), in L2 (the distortion's units × 28).</param>
/// <param name="Examples">Examples used (the drawn training examples the model classifies correctly).</param>
/// <param name="LowerEstimate">The largest local Lipschitz constant ‖J(x)‖₂ of the centred logits over the test examples (a lower bound of the true constant), or null.</param>
/// <param name="LowerEstimateMean">The mean of ‖J(x)‖₂ over those examples.</param>
/// <param name="LowerEstimateExamples">How many test examples the lower estimate used.</param>
public sealed record SpectralRow(string Model, IReadOnlyList<LayerBound> Layers, double LogitBound, double MeanCertifiedRadius, int Examples,
    double? LowerEstimate = null, double? LowerEstimateMean = null, int LowerEstimateExamples = 0);

/// <summary>One row of a Table 5-like per-layer table.</summary>
/// <param name="Index">Layer index (1-based).</param>
/// <param name="Name">Layer name, e.g. <c>Conv1</c>.</param>
/// <param name="Kind">Layer kind.</param>
/// <param name="Size">Conv: C×k×k×D; dense: in×out (as in the paper); empty otherwise.</param>
/// <param name="Stride">Conv and max-pooling: the stride; 0 otherwise.</param>
/// <param name="Method">How the bound was obtained.</param>
/// <param name="Bound">Upper bound of the layer's Lipschitz constant (L2).</param>
/// <param name="Paper">The paper's Table 5 value for this layer, where there is one.</param>
public sealed record Table5Layer(int Index, string Name, string Kind, string Size, int Stride, string Method, double Bound, double? Paper = null);

/// <summary>A Table 5-like analysis of one network.</summary>
public sealed record Table5Result
{
    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Where the weights come from (trained checkpoint or seeded random initialisation).</summary>
    public required string Weights { get; init; }

    /// <summary>Every layer's bound.</summary>
    public required List<Table5Layer> Layers { get; init; }

    /// <summary>The product of the bounds up to the logits (everything but the soft-max): an upper bound of the network's Lipschitz constant.</summary>
    public required double LogitBound { get; init; }

    /// <summary>The product over the weight layers (convolutions and dense layers) only.</summary>
    public required double WeightLayerProduct { get; init; }

    /// <summary>The paper's product over the same weight layers, where the paper gives them.</summary>
    public double? PaperWeightLayerProduct { get; init; }

    /// <summary>Seconds the bounds took (wall time; the machine may have been shared).</summary>
    public required double Seconds { get; init; }

    /// <summary>Largest local Lipschitz constant ‖J(x)‖₂ of the centred logits over the examples (trained models), or null.</summary>
    public double? LowerEstimate { get; init; }

    /// <summary>Mean ‖J(x)‖₂ over the examples, or null.</summary>
    public double? LowerEstimateMean { get; init; }

    /// <summary>Mean certified radius margin/(√2·L) over the correctly classified examples (L2, pixel values in [0, 1]), or null.</summary>
    public double? MeanCertifiedRadius { get; init; }

    /// <summary>Examples used for the lower estimate.</summary>
    public int Examples { get; init; }

    /// <summary>Of those, the correctly classified ones used for the certified radius.</summary>
    public int Certified { get; init; }

    /// <summary>Which examples were used.</summary>
    public string? ExampleSource { get; init; }
}

/// <summary>The AlexNet and MNIST-Conv analyses of the report's Table 5 section.</summary>
/// <param name="AlexNet">AlexNet's layer shapes with seeded random weights.</param>
/// <param name="Conv">The trained MNIST conv net, if part of the run.</param>
public sealed record Table5Section(Table5Result AlexNet, Table5Result? Conv);

/// <summary>Sec. 4.3: per-layer upper bounds, their product, a data-based lower estimate and certified radii.</summary>
public static class SpectralExperiments
{
    /// <summary>The paper's Table 5 upper bounds for AlexNet's Conv. 1–5 and FC. 1–3 (Krizhevsky et al.'s trained weights).</summary>
    public static IReadOnlyList<double> PaperAlexNet { get; } = new[] { 2.75, 10, 7, 7.5, 11, 3.12, 4, 4 };

    /// <summary>Examples of the test set used for the lower estimate and the certified radii by default.</summary>
    public const int DefaultExamples = 300;

    /// <summary>A seeded draw of <paramref name="count"/> test examples.</summary>
    public static int[] TestDraw(Dataset test, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(test);
        return AdversarialExperiments.Draw(test.Count, Math.Min(count, test.Count), SeededRandom.Derive(seed, 0x7AB5));
    }

    /// <summary>
    /// Bounds every layer of <paramref name="network"/>; with <paramref name="data"/>, also the data-based lower
    /// estimate (largest ‖J(x)‖₂ of the centred logits) and the mean certified radius on the examples <paramref name="draw"/>.
    /// </summary>
    /// <param name="network">The network (trained or with random weights).</param>
    /// <param name="model">Its name.</param>
    /// <param name="weights">Where its weights come from, for the report.</param>
    /// <param name="paper">The paper's bounds for the weight layers in order (AlexNet), or null.</param>
    /// <param name="data">Examples for the lower estimate and certified radii, or null for none.</param>
    /// <param name="draw">Indices into <paramref name="data"/>.</param>
    public static Table5Result Analyze(INetwork network, string model, string weights, IReadOnlyList<double>? paper = null, Dataset? data = null, int[]? draw = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var clock = Stopwatch.StartNew();
        LipschitzReport report = LipschitzAnalysis.Analyze(network);
        double seconds = clock.Elapsed.TotalSeconds;
        var layers = new List<Table5Layer>();
        int weightLayer = 0;
        double weightProduct = 1;
        foreach (LayerBound b in report.Layers)
        {
            LayerInfo info = network.Summary.Layers[b.Index - 1];
            bool hasWeights = info.Kind is LayerKind.Conv or LayerKind.Dense;
            string size = info.Kind switch
            {
                LayerKind.Conv => $"{info.Geometry!.InputChannels}×{info.Geometry.Kernel}×{info.Geometry.Kernel}×{info.Geometry.OutputChannels}",
                LayerKind.Dense => $"{info.InputLength}×{info.OutputLength}",
                _ => "",
            };
            int stride = info.Kind is LayerKind.Conv or LayerKind.MaxPool ? info.Geometry!.Stride : 0;
            double? paperValue = hasWeights && paper is not null && weightLayer < paper.Count ? paper[weightLayer] : null;
            if (hasWeights)
            {
                weightLayer++;
                weightProduct *= b.Bound;
            }

            layers.Add(new Table5Layer(b.Index, b.Name, info.Kind.ToString(), size, stride, b.Method, b.Bound, paperValue));
        }

        var result = new Table5Result
        {
            Model = model,
            Weights = weights,
            Layers = layers,
            LogitBound = report.LogitBound,
            WeightLayerProduct = weightProduct,
            PaperWeightLayerProduct = paper?.Aggregate(1.0, (p, v) => p * v),
            Seconds = seconds,
        };
        if (data is null || draw is null || draw.Length == 0) return result;
        var (lower, radius, certified) = DataBased(network, report, data, draw);
        return result with
        {
            LowerEstimate = lower.Largest,
            LowerEstimateMean = lower.Mean,
            MeanCertifiedRadius = radius,
            Examples = draw.Length,
            Certified = certified,
            ExampleSource = data.Name,
        };
    }

    private static (LocalLipschitzEstimate Lower, double MeanRadius, int Certified) DataBased(INetwork net, LipschitzReport report, Dataset data, int[] draw)
    {
        float[] inputs = new float[draw.Length * net.InputLength];
        for (int e = 0; e < draw.Length; e++) data.Sample(draw[e]).CopyTo(inputs.AsSpan(e * net.InputLength, net.InputLength));
        LocalLipschitzEstimate lower = LocalLipschitz.Estimate(net, inputs, draw.Length);
        var (radius, used) = CertifiedRadii(net, report, data, draw);
        return (lower, radius, used);
    }

    /// <summary>Mean certified radius over the examples of <paramref name="draw"/> the network classifies correctly.</summary>
    private static (double Mean, int Used) CertifiedRadii(INetwork net, LipschitzReport report, Dataset source, int[] draw)
    {
        int logitsLayer = net.LayerCount - 1;
        NetworkWorkspace ws = net.CreateWorkspace();
        float[] z = new float[net.ActivationLength(logitsLayer)];
        double sum = 0;
        int used = 0;
        foreach (int i in draw)
        {
            net.ForwardTo(ws, logitsLayer, source.Sample(i), z);
            int label = source.Labels[i];
            int predicted = TensorPrimitives.IndexOfMax<float>(z);
            if (predicted != label) continue;
            double runnerUp = z.Where((_, j) => j != label).Max();
            sum += report.CertifiedRadius(z[label] - runnerUp);
            used++;
        }

        return (used > 0 ? sum / used : double.NaN, used);
    }

    /// <summary>
    /// Bounds every model and computes certified radii on the drawn training examples <paramref name="draw"/> (those of
    /// the attack), and the data-based lower estimate on the test examples <paramref name="lowerDraw"/>.
    /// </summary>
    public static List<SpectralRow> Run(IReadOnlyDictionary<string, INetwork> models, IEnumerable<string> names, Dataset source, int[] draw, Dataset? test = null, int[]? lowerDraw = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(names);
        var rows = new List<SpectralRow>();
        foreach (string name in names)
        {
            INetwork net = models[name];
            LipschitzReport report = LipschitzAnalysis.Analyze(net);
            var (radius, used) = CertifiedRadii(net, report, source, draw);
            var row = new SpectralRow(name, report.Layers, report.LogitBound, radius, used);
            if (test is not null && lowerDraw is { Length: > 0 })
            {
                float[] inputs = new float[lowerDraw.Length * net.InputLength];
                for (int e = 0; e < lowerDraw.Length; e++) test.Sample(lowerDraw[e]).CopyTo(inputs.AsSpan(e * net.InputLength, net.InputLength));
                LocalLipschitzEstimate lower = LocalLipschitz.Estimate(net, inputs, lowerDraw.Length);
                row = row with { LowerEstimate = lower.Largest, LowerEstimateMean = lower.Mean, LowerEstimateExamples = lowerDraw.Length };
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A per-layer table like the paper's Table 5 (with the paper's column where it has values), the products and the data-based figures.</summary>
    public static void Table(StringBuilder sb, Table5Result t)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(t);
        var ci = CultureInfo.InvariantCulture;
        bool paper = t.Layers.Any(l => l.Paper is not null);
        sb.AppendLine(paper ? "| # | layer | size | stride | method | upper bound | paper | ours / paper |" : "| # | layer | size | stride | method | upper bound |");
        sb.AppendLine(paper ? "| ---: | --- | --- | ---: | --- | ---: | ---: | ---: |" : "| ---: | --- | --- | ---: | --- | ---: |");
        foreach (Table5Layer l in t.Layers)
        {
            string row = string.Create(ci, $"| {l.Index} | {l.Name} | {l.Size} | {(l.Stride > 0 ? l.Stride.ToString(ci) : "–")} | {l.Method} | {Format(l.Bound)} |");
            if (paper) row += l.Paper is { } p ? string.Create(ci, $" {p:0.###} | {l.Bound / p:F2} |") : " – | – |";
            sb.AppendLine(row);
        }

        sb.AppendLine();
        sb.Append($"Product up to the logits L = {Large(t.LogitBound)}; over the weight layers alone {Large(t.WeightLayerProduct)}");
        if (t.PaperWeightLayerProduct is { } pp) sb.Append($" (the paper's weight layers: {Large(pp)})");
        sb.AppendLine(string.Create(ci, $". The bounds took {t.Seconds:G3} s."));
        if (t.LowerEstimate is { } lower)
        {
            sb.AppendLine();
            sb.AppendLine(string.Create(ci,
                $"Data-based lower estimate (largest ‖J(x)‖₂ of the centred logits over {t.Examples} seeded examples, {t.ExampleSource}): {lower:G4} (mean {t.LowerEstimateMean:G4}); the true Lipschitz constant lies between {lower:G4} and {t.LogitBound:G4} (ratio {t.LogitBound / lower:G3}). "
                + $"Mean certified radius margin/(√2·L) over the {t.Certified} correctly classified ones: {t.MeanCertifiedRadius:G3} (L2, pixels in [0, 1])."));
        }
    }

    private static string Large(double v) => v.ToString(v >= 1e4 ? "#,0" : "G4", CultureInfo.InvariantCulture);

    private static string Format(double v) => v.ToString(v >= 100 ? "G4" : "0.####", CultureInfo.InvariantCulture);

    /// <summary>The report section for the Table 1 models: bounds, lower estimate and the certified radius beside the attack's distortion.</summary>
    public static void Section(StringBuilder sb, List<SpectralRow> rows, List<DistortionStats>? attack)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(rows);
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("### (c) The Table 1 models");
        sb.AppendLine();
        sb.AppendLine("Upper bounds of each layer's Lipschitz constant (L2): dense layers by their largest singular value (Lanczos, rounded up by its error estimate), sigmoid 1/4, soft-max 1/2; "
            + "L = product up to the logits. The lower estimate is the largest local constant ‖J(x)‖₂ of the centred logits over test examples: the true constant lies between the two "
            + "(up to the single-precision rounding of the gradients, ~1e-6 relative). For the linear FC10 models they agree: the bound is tight: the cross-entropy gradient has no component along the all-ones direction of the logits, so weight decay drives W's component there to zero at the optimum, and the centring, which removes that direction, then changes nothing. "
            + "A margin m between the predicted class and the runner-up certifies that no perturbation with ‖r‖₂ < m/(√2·L) changes the decision — a guaranteed lower bound on the minimal adversarial distortion, set beside the attack's upper bound (the untargeted minimum, as an L2 norm = 28 × RMS).");
        sb.AppendLine();
        sb.AppendLine("| model | per-layer bounds | L (to logits) | lower estimate (max ‖J(x)‖) | L / lower | mean certified radius (L2) | attack's mean minimum (L2) | ratio |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (SpectralRow r in rows)
        {
            string layers = string.Join(" · ", r.Layers.Select(l => l.Kind == LayerKind.Dense ? $"‖W{l.Name[5..]}‖={l.Bound.ToString("0.###", ci)}" : l.Bound.ToString("0.##", ci)));
            DistortionStats? a = attack?.FirstOrDefault(s => s.Model == r.Model);
            double upper = a is null ? double.NaN : 28 * a.MeanDistortion;
            string lower = r.LowerEstimate is { } le ? string.Create(ci, $"{le:G4} | {r.LogitBound / le:G3}") : "– | –";
            string attackCells = a is null ? "– | –" : string.Create(ci, $"{upper:F3} | {upper / r.MeanCertifiedRadius:F0}×");
            sb.AppendLine(string.Create(ci, $"| {r.Model} | {layers} | {r.LogitBound:G4} | {lower} | {r.MeanCertifiedRadius:G3} | {attackCells} |"));
        }

        sb.AppendLine();
    }

    /// <summary>
    /// Writes the two charts of the Table 5 section into <paramref name="directory"/> and returns their file names:
    /// AlexNet's weight-layer bounds beside the paper's, and every MNIST model's per-weight-layer norms.
    /// </summary>
    public static List<string> Charts(string directory, Table5Section table5, List<SpectralRow>? rows)
    {
        ArgumentNullException.ThrowIfNull(table5);
        var files = new List<string>();
        List<Table5Layer> weights = table5.AlexNet.Layers.Where(l => l.Paper is not null).ToList();
        if (weights.Count > 0)
        {
            string[] names = { "Conv 1", "Conv 2", "Conv 3", "Conv 4", "Conv 5", "FC 1", "FC 2", "FC 3" };
            string[] categories = weights.Select((l, i) => i < names.Length ? names[i] : l.Name).ToArray();
            double[] ours = weights.Select(l => l.Bound).ToArray(), paper = weights.Select(l => l.Paper!.Value).ToArray();
            bool log = Spread(ours.Concat(paper)) > 20;
            const string file = "spectral-alexnet.png";
            Intriguing.Paper.Charts.GroupedBars(Path.Combine(directory, file), "AlexNet per-layer upper bounds (Table 5)", "upper bound of ‖layer‖₂" + (log ? " (log)" : ""), categories,
                new[] { new BarSeries("ours (seeded random He weights)", ours), new BarSeries("paper (trained weights)", paper) }, log);
            files.Add(file);
        }

        var models = new List<(string Name, double[] Norms)>();
        foreach (SpectralRow r in rows ?? new List<SpectralRow>()) models.Add((r.Model, r.Layers.Where(l => l.Kind == LayerKind.Dense).Select(l => l.Bound).ToArray()));
        if (table5.Conv is { } conv) models.Add((conv.Model, conv.Layers.Where(l => l.Kind is "Conv" or "Dense").Select(l => l.Bound).ToArray()));
        if (models.Count > 0)
        {
            int most = models.Max(m => m.Norms.Length);
            var series = Enumerable.Range(0, most)
                .Select(k => new BarSeries($"weight layer {k + 1}", models.Select(m => k < m.Norms.Length ? m.Norms[k] : double.NaN).ToArray()))
                .ToArray();
            bool log = Spread(models.SelectMany(m => m.Norms)) > 20;
            const string file = "spectral-mnist.png";
            Intriguing.Paper.Charts.GroupedBars(Path.Combine(directory, file), "MNIST models: operator norm of each weight layer", "‖W‖₂ (upper bound)" + (log ? " (log)" : ""),
                models.Select(m => m.Name).ToArray(), series, log, width: 1100, legendOutside: true);
            files.Add(file);
        }

        return files;
    }

    private static double Spread(IEnumerable<double> values)
    {
        double[] v = values.Where(x => x > 0 && double.IsFinite(x)).ToArray();
        return v.Length == 0 ? 1 : v.Max() / v.Min();
    }
}
