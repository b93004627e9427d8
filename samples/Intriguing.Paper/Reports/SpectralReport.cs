using System.Globalization;
using System.Text;
using Intriguing.Spectral;

namespace Intriguing.Paper;

/// <summary>The Lipschitz section (Sec. 4.3, Table 5): per-layer tables, the Table 1 models' bounds and radii, and the charts.</summary>
public static class SpectralReport
{
    /// <summary>The Lipschitz section of the reproduction report: Table 5 (AlexNet, MNIST-Conv), the MNIST models' bounds and radii, the charts.</summary>
    public static void Section(StringBuilder sb, ReproductionResults r)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## Lipschitz bounds — Table 5 (Sec. 4.3)");
        sb.AppendLine();
        sb.AppendLine("Per-layer upper bounds of the Lipschitz constant in the L2 norm. Convolutions by the Fourier method (the kernels' DFT on the periodic map, the largest singular value over frequencies, strides by the aliased frequencies with the corrected Δ⁻¹ factor; every frequency certified). "
            + "With zero padding, as in all networks here, the Fourier value is the norm of the circular convolution on a map at least p larger, which bounds the zero-padded layer's norm from above: the conv bounds are upper bounds, not exact norms. "
            + "Dense layers by their largest singular value (Lanczos, rounded up). ReLU and dropout (at inference) 1; max-pooling 1 for non-overlapping windows and √(windows per input) when they overlap (the paper's 1 is wrong for AlexNet's 3×3 windows at stride 2, where it is √4 = 2); "
            + "local response normalisation k^(−β)·(1 + 2β·q·n^(3/4)) (≈ 1.50 for AlexNet); soft-max 1/2.");
        sb.AppendLine();
        if (r.Table5 is { } t5)
        {
            sb.AppendLine("### (a) AlexNet's layer shapes, seeded random weights");
            sb.AppendLine();
            sb.AppendLine("**The paper's values come from Krizhevsky et al.'s trained weights, which are not available offline; ours use " + Reproduction.AlexNetWeights.Split(" (")[0] + ". "
                + "The values therefore differ and only the method and the shapes are comparable** (random He weights give each layer a norm set by its fan-in and shape, not by training). "
                + "No two-GPU grouping: every convolution sees all channels of the previous layer, as in the paper's sizes.");
            sb.AppendLine();
            Table(sb, t5.AlexNet);
            sb.AppendLine();
            if (t5.ResNet18 is { } resnet) TrainedSection(sb, resnet);
            if (t5.Conv is { } conv)
            {
                sb.AppendLine("### (b) MNIST-Conv, trained");
                sb.AppendLine();
                Table(sb, conv);
                sb.AppendLine();
                sb.AppendLine("The attack is not run on MNIST-Conv (its cost); the certified radius is a guaranteed lower bound on the distortion any attack needs.");
                sb.AppendLine();
            }
        }

        if (r.Spectral is { Count: > 0 } rows) ModelsSection(sb, rows, r.Adversarial?.Table1);
        foreach (string figure in r.SpectralFigures ?? new List<string>()) sb.AppendLine($"![{figure}]({figure})").AppendLine();
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

    /// <summary>
    /// Table 5 on a trained network: each convolution's bound with the trained weights beside random weights of the same
    /// shape, the residual blocks, the bound of the network, and which layers are least stable.
    /// </summary>
    public static void TrainedSection(StringBuilder sb, TrainedTable5Result t)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(t);
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine($"### (a′) Trained weights: {t.Model}");
        sb.AppendLine();
        sb.AppendLine($"The paper's question on a trained ImageNet network: {t.Model}, {t.Weights}, input {t.Input}. "
            + "Each convolution is bounded by the same Fourier method with its strides and padding, with the batch normalisation that follows it folded in (at inference it scales each filter by γ/√(σ² + ε)). "
            + "The export pads its stride-2 convolutions asymmetrically (pads [1, 1, 0, 0], and [3, 3, 2, 2] for the 7×7 stem): the bound is computed on the periodic map of the larger pad, of which the layer is still a compression, so it remains an upper bound. "
            + "A residual block y = skip(x) + branch(x) has the bound ‖skip‖ + Π‖branch layers‖ (1 + Π for an identity skip); the bound of the network propagates these through the graph (max-pooling 3×3/2: 2; ReLU 1; the final 7×7 average 1/7). "
            + "The input is in pixel units of 0…255 (the package's preprocessing reorders RGB to BGR and subtracts a mean image, which change no distance), so the stem's bound is per 0…255 unit: ×255 for images in [0, 1]. "
            + $"The random column uses He-uniform weights of the same shapes (the initialisation of the AlexNet-shapes table, seed {t.Seed}; one draw per distinct geometry), batch normalisation at its initial identity.");
        sb.AppendLine();
        sb.AppendLine("| # | convolution | role | size | stride | input map | trained bound | random bound | trained / random |");
        sb.AppendLine("| ---: | --- | --- | --- | ---: | --- | ---: | ---: | ---: |");
        int k = 0;
        foreach (TrainedConvBound c in t.Convolutions)
        {
            sb.AppendLine(string.Create(ci, $"| {++k} | {c.Node} | {c.Role} | {c.Size} | {c.Stride} | {c.Input} | {Format(c.Trained)} | {Format(c.Random)} | {c.Trained / c.Random:F2} |"));
        }

        sb.AppendLine();
        sb.AppendLine("| block | branch Π | skip | block bound | random block bound |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (TrainedBlockBound b in t.Blocks)
        {
            sb.AppendLine(string.Create(ci, $"| {b.Node} | {Format(b.Branch)} | {Format(b.Skip)} | {Format(b.Bound)} | {Format(b.RandomBound)} |"));
        }

        sb.AppendLine();
        List<TrainedConvBound> ranked = t.Convolutions.OrderByDescending(c => c.Trained).ToList();
        TrainedBlockBound worst = t.Blocks.OrderByDescending(b => b.Bound).First();
        double[] ratios = t.Convolutions.Where(c => c.Role != "stem").Select(c => c.Trained / c.Random).Order().ToArray();
        double median = ratios.Length == 0 ? double.NaN : ratios[ratios.Length / 2];
        int above = ratios.Count(r => r > 1);
        List<TrainedConvBound> second = t.Convolutions.Where(c => c.Role == "branch 2").ToList();
        List<TrainedConvBound> first = t.Convolutions.Where(c => c.Role == "branch 1").ToList();
        sb.AppendLine(string.Create(ci, $"**The answer on trained weights.** The least stable layers (largest bounds) are ")
            + string.Join(", ", ranked.Take(3).Select(c => string.Create(ci, $"{c.Node} ({c.Size}, {Format(c.Trained)})")))
            + string.Create(ci, $"; the second convolution of a branch has the larger bound in {second.Zip(first).Count(p => p.First.Trained > p.Second.Trained)} of {second.Count} blocks (its batch normalisation sets the scale of what the branch adds to the skip). ")
            + string.Create(ci, $"The least stable block is {worst.Node} (bound {Format(worst.Bound)}). ")
            + string.Create(ci, $"Against random He weights of the same shapes, {above} of the {ratios.Length} convolutions after the stem have larger trained bounds (median ratio {median:F2}); ")
            + string.Create(ci, $"the bound of the whole network is {Large(t.Bound)} trained against {Large(t.RandomBound)} random, and the product of the convolutions' bounds alone (skips ignored, as for a plain stack) {Large(t.ConvolutionProduct)} against {Large(t.RandomConvolutionProduct)}. ")
            + string.Create(ci, $"The paper's trained AlexNet layers have bounds from {SpectralExperiments.PaperAlexNet.Min():G3} to {SpectralExperiments.PaperAlexNet.Max():G3}; the trained ResNet-18 convolutions after the stem range from {ranked.Where(c => c.Role != "stem").Min(c => c.Trained):G3} to {ranked[0].Trained:G3} (the stem {ranked.First(c => c.Role == "stem").Trained * 255:G3} per unit of images in [0, 1]). ")
            + string.Create(ci, $"As in the paper, the bound of the whole network, a product over the depth, is far too large to guarantee anything, and it says nothing about where the instability is; the per-layer table does. The bounds took {t.Seconds:G3} s (trained) and {t.RandomSeconds:G3} s (random)."));
        sb.AppendLine();
    }

    /// <summary>A per-node table of a graph's bounds (<c>intriguing spectral --onnx</c> on a graph that is not a plain stack), its blocks and the network's bound.</summary>
    public static void GraphTable(StringBuilder sb, GraphLipschitzReport g)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(g);
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("| # | node | operator | input | output | upper bound | method |");
        sb.AppendLine("| ---: | --- | --- | --- | --- | ---: | --- |");
        foreach (GraphNodeBound n in g.Nodes)
        {
            string bound = n.Combine == GraphCombine.Unary ? Format(n.Bound) : "–";
            string reads = n.Inputs.Count > 1 ? $" (of {string.Join(", ", n.Inputs)})" : "";
            sb.AppendLine(string.Create(ci, $"| {n.Index} | {n.Node} | {n.Operator} | {n.InputShape} | {n.OutputShape} | {bound} | {n.Method}{reads} |"));
        }

        sb.AppendLine();
        if (g.Blocks.Count > 0)
        {
            sb.AppendLine("| block | input | branch Π | skip | block bound | branch | skip path |");
            sb.AppendLine("| --- | --- | ---: | ---: | ---: | --- | --- |");
            foreach (ResidualBlockBound b in g.Blocks)
            {
                string skipPath = b.SkipNodes.Count == 0 ? "identity" : string.Join(" → ", b.SkipNodes);
                sb.AppendLine(string.Create(ci, $"| {b.Node} | {b.Input} | {Format(b.Branch)} | {Format(b.Skip)} | {Format(b.Bound)} | {string.Join(" → ", b.BranchNodes)} | {skipPath} |"));
            }

            sb.AppendLine();
        }

        sb.AppendLine($"Bound of the map {g.InputShape} → {g.OutputShape} (products along paths, sums at the blocks): {Large(g.Bound)}.");
    }

    private static string Large(double v) => v.ToString(v >= 1e4 ? "#,0" : "G4", CultureInfo.InvariantCulture);

    private static string Format(double v) => v.ToString(v >= 100 ? "G4" : "0.####", CultureInfo.InvariantCulture);

    /// <summary>The report section for the Table 1 models: bounds, lower estimate and the certified radius beside the attack's distortion.</summary>
    public static void ModelsSection(StringBuilder sb, List<SpectralRow> rows, List<DistortionStats>? attack)
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
