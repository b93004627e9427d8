using System.Diagnostics;
using System.Reflection;
using Intriguing.Interop;
using Intriguing.Spectral;

namespace Intriguing.Paper;

/// <summary>One convolution of a graph: its bound with the trained weights beside the bound with random weights of the same shape.</summary>
/// <param name="Node">The convolution node.</param>
/// <param name="Size">C×kh×kw×D, as in the paper's Table 5.</param>
/// <param name="Stride">The stride (vertical; the horizontal one is equal in ResNet-18).</param>
/// <param name="Input">The input map, H×W.</param>
/// <param name="Trained">The bound with the trained weights (batch normalisation folded in).</param>
/// <param name="Random">The bound with He-uniform random weights of the same shape (batch normalisation at its initial identity; one draw per distinct geometry).</param>
/// <param name="Role">Where the convolution sits: stem, branch (first or second of a block) or projection (a skip's 1×1).</param>
public sealed record TrainedConvBound(string Node, string Size, int Stride, string Input, double Trained, double Random, string Role);

/// <summary>A block's bound with trained and with random weights.</summary>
/// <param name="Node">The Add node closing the block.</param>
/// <param name="Branch">Trained: the product of the branch's bounds.</param>
/// <param name="Skip">Trained: the skip's bound (1 for an identity).</param>
/// <param name="Bound">Trained: Skip + Branch.</param>
/// <param name="RandomBound">The same block with random weights.</param>
public sealed record TrainedBlockBound(string Node, double Branch, double Skip, double Bound, double RandomBound);

/// <summary>Table 5 on a trained ImageNet network: every layer's bound, the residual blocks, and random weights of the same shapes.</summary>
public sealed record TrainedTable5Result
{
    /// <summary>The network, e.g. ResNet18.</summary>
    public required string Model { get; init; }

    /// <summary>Where the weights come from.</summary>
    public required string Weights { get; init; }

    /// <summary>The input shape the convolutions are bounded at.</summary>
    public required string Input { get; init; }

    /// <summary>Every analysed node.</summary>
    public required IReadOnlyList<GraphNodeBound> Nodes { get; init; }

    /// <summary>The convolutions, trained against random.</summary>
    public required IReadOnlyList<TrainedConvBound> Convolutions { get; init; }

    /// <summary>The residual blocks.</summary>
    public required IReadOnlyList<TrainedBlockBound> Blocks { get; init; }

    /// <summary>The bound of the whole map (input to pooled features) with the trained weights.</summary>
    public required double Bound { get; init; }

    /// <summary>The same with random weights.</summary>
    public required double RandomBound { get; init; }

    /// <summary>The product of the trained convolutions' bounds, as if the network were a plain stack (skips ignored).</summary>
    public required double ConvolutionProduct { get; init; }

    /// <summary>The product of the random convolutions' bounds.</summary>
    public required double RandomConvolutionProduct { get; init; }

    /// <summary>The seed of the random weights.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Seconds the trained bounds took.</summary>
    public required double Seconds { get; init; }

    /// <summary>Seconds the random bounds took.</summary>
    public required double RandomSeconds { get; init; }
}

/// <summary>
/// Table 5 on trained weights: ResNet-18 (ImageNet), from the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package
/// the build restores, bounded by <see cref="OnnxModel.LipschitzBounds(string, OnnxImportOptions?)"/>; each convolution
/// beside He-uniform random weights of its shape (the initialisation of the AlexNet-shapes table).
/// </summary>
public static class TrainedTable5
{
    /// <summary>The environment variable that overrides where ResNet18.onnx is read from.</summary>
    public const string PathVariable = "INTRIGUING_RESNET18";

    /// <summary>What the report says about the weights.</summary>
    public const string ResNetWeights = "trained on ImageNet (ResNet18.onnx from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0, MIT; a CNTK export ending at the global pooling)";

    /// <summary>
    /// The path of ResNet18.onnx: <see cref="PathVariable"/> if set, else the file in the NuGet cache the build restored
    /// (its path is compiled into this assembly), else in <c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>; null if none exists.
    /// </summary>
    public static string? Locate()
    {
        string? given = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(given)) return File.Exists(given) ? given : null;
        const string relative = "microsoft.ml.dnnimagefeaturizer.resnet18/0.24.0/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";
        string? built = typeof(TrainedTable5).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ResNet18Onnx")?.Value;
        string? cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string?[] candidates = [built, cache is null ? null : Path.Combine(cache, relative), Path.Combine(home, ".nuget", "packages", relative)];
        return candidates.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
    }

    /// <summary>Bounds the graph in <paramref name="path"/> with its weights and with seeded random weights of the same shapes.</summary>
    public static TrainedTable5Result Analyze(string path, ulong seed, string model = "ResNet18", string weights = ResNetWeights)
    {
        var clock = Stopwatch.StartNew();
        GraphLipschitzReport trained = OnnxModel.LipschitzBounds(path);
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();

        // Random weights for every convolution shape: He uniform, a = √(6 / fan-in), one draw per distinct geometry
        // (the norm of a random layer of a given shape varies by a few per cent between draws), its stream the index of
        // the first node of that shape; batch normalisation at initialisation is the identity up to 1/√(1 + ε).
        var random = new Dictionary<string, double>(StringComparer.Ordinal);
        var byShape = new Dictionary<ConvolutionShape, double>();
        ulong stream = 0;
        foreach (GraphNodeBound n in trained.Nodes)
        {
            stream++;
            if (n.Convolution is not { } shape) continue;
            if (byShape.TryGetValue(shape, out double known))
            {
                random[n.Node] = known;
                continue;
            }

            float[] w = new float[shape.WeightCount];
            var rng = new SeededRandom(SeededRandom.Derive(seed, stream));
            Generated.Initializers.Uniform(w, (float)Math.Sqrt(6.0 / (shape.InputChannels * shape.KernelHeight * shape.KernelWidth)), rng);
            // As for the trained weights: a 1×1 kernel's norm is that of its D × C matrix.
            random[n.Node] = shape.KernelHeight == 1 && shape.KernelWidth == 1
                ? OperatorNorm.Compute(w, shape.OutputChannels, shape.InputChannels).UpperBound
                : ConvolutionNorm.Compute(w, shape).UpperBound;
            byShape[shape] = random[n.Node];
        }

        double randomSeconds = clock.Elapsed.TotalSeconds;
        Dictionary<string, double> trainedBounds = trained.Nodes.ToDictionary(n => n.Node, n => n.Bound);
        Dictionary<string, double> randomBounds = trained.Nodes.ToDictionary(n => n.Node, n => random.TryGetValue(n.Node, out double r) ? r : n.Bound);

        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ResidualBlockBound b in trained.Blocks)
        {
            List<string> convs = b.BranchNodes.Where(random.ContainsKey).ToList();
            for (int k = 0; k < convs.Count; k++) roles[convs[k]] = $"branch {k + 1}";
            foreach (string s in b.SkipNodes.Where(random.ContainsKey)) roles[s] = "projection";
        }

        var convolutions = trained.Nodes.Where(n => n.Convolution is not null).Select(n =>
        {
            ConvolutionShape s = n.Convolution!;
            string size = $"{s.InputChannels * n.Groups}×{s.KernelHeight}×{s.KernelWidth}×{s.OutputChannels * n.Groups}";
            return new TrainedConvBound(n.Node, size, s.StrideY, $"{s.Height}×{s.Width}", n.Bound, random[n.Node], roles.GetValueOrDefault(n.Node, "stem"));
        }).ToList();

        string input = trained.Nodes[0].Inputs[0];
        var blocks = trained.Blocks.Select(b => new TrainedBlockBound(b.Node, b.Branch, b.Skip, b.Bound,
            Propagate(trained.Nodes, randomBounds, b.Input)[trained.Nodes.First(n => n.Node == b.Node).Output])).ToList();
        string output = trained.Nodes[^1].Output;
        return new TrainedTable5Result
        {
            Model = model,
            Weights = weights,
            Input = trained.InputShape,
            Nodes = trained.Nodes,
            Convolutions = convolutions,
            Blocks = blocks,
            Bound = trained.Bound,
            RandomBound = Propagate(trained.Nodes, randomBounds, input)[output],
            ConvolutionProduct = convolutions.Aggregate(1.0, (p, c) => p * c.Trained),
            RandomConvolutionProduct = convolutions.Aggregate(1.0, (p, c) => p * c.Random),
            Seed = seed,
            Seconds = seconds,
            RandomSeconds = randomSeconds,
        };
    }

    /// <summary>Bounds of every tensor as a function of <paramref name="from"/>, with the nodes' bounds taken from <paramref name="bounds"/>.</summary>
    private static Dictionary<string, double> Propagate(IReadOnlyList<GraphNodeBound> nodes, Dictionary<string, double> bounds, string from)
    {
        var tensors = new Dictionary<string, double>(StringComparer.Ordinal) { [from] = 1 };
        foreach (GraphNodeBound n in nodes)
        {
            double[] inputs = n.Inputs.Where(tensors.ContainsKey).Select(t => tensors[t]).ToArray();
            if (inputs.Length == 0 || n.Output == from) continue;
            tensors[n.Output] = n.Combine switch
            {
                GraphCombine.Unary => bounds[n.Node] * inputs[0],
                GraphCombine.Sum => inputs.Sum(),
                _ => Math.Sqrt(inputs.Sum(v => v * v)),
            };
        }

        return tensors;
    }
}
