using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
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

/// <summary>The AlexNet, ResNet-18 and MNIST-Conv analyses of the report's Table 5 section.</summary>
/// <param name="AlexNet">AlexNet's layer shapes with seeded random weights.</param>
/// <param name="Conv">The trained MNIST conv net, if part of the run.</param>
/// <param name="ResNet18">Table 5 on trained weights (ResNet-18), when its ONNX file was found.</param>
public sealed record Table5Section(Table5Result AlexNet, Table5Result? Conv, TrainedTable5Result? ResNet18 = null);

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
}
