namespace Intriguing.Generator.Model;

/// <summary>The kind of a layer attribute, as parsed.</summary>
internal enum LayerKind
{
    Dense,
    Sigmoid,
    ReLU,
    Tanh,
    Softmax,
    Dropout,
}

/// <summary>One layer attribute as written in source, before analysis (locations kept for diagnostics).</summary>
/// <param name="Kind">Layer kind.</param>
/// <param name="Units">Dense: number of units (0 for activations).</param>
/// <param name="WeightDecay">Dense: weight decay λ.</param>
/// <param name="Bias">Dense: whether it has a bias.</param>
/// <param name="Location">Where the attribute is applied.</param>
/// <param name="UnitsLocation">Where the units argument is (falls back to the attribute).</param>
/// <param name="WeightDecayLocation">Where the WeightDecay argument is (falls back to the attribute).</param>
/// <param name="Rate">Dropout: the drop probability p.</param>
internal sealed record ParsedLayer(
    LayerKind Kind,
    int Units,
    double WeightDecay,
    bool Bias,
    LocationInfo? Location,
    LocationInfo? UnitsLocation,
    LocationInfo? WeightDecayLocation,
    double Rate = 0);

/// <summary>An [Input] attribute as written in source.</summary>
internal sealed record ParsedInput(int Channels, int Height, int Width, bool IsImage, int Position, LocationInfo? Location);

/// <summary>A containing type of the network class, outermost first (for nested declarations).</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>The network class and its attributes as written in source, with the problems found while reading them.</summary>
internal sealed record ParsedNetwork(
    string Namespace,
    string ClassName,
    string Accessibility,
    EquatableArray<ContainingType> ContainingTypes,
    string DisplayName,
    EquatableArray<ParsedInput> Inputs,
    EquatableArray<ParsedLayer> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics,
    LocationInfo? ClassLocation,
    int FirstLayerPosition,
    bool CanEmit);

/// <summary>One analysed layer: shapes inferred, parameters placed in the flat buffer.</summary>
/// <param name="Index">1-based position in the stack; also the index of its output activation.</param>
/// <param name="Name">Identifier used for parameter views, e.g. <c>Dense1</c>.</param>
/// <param name="Kind">Layer kind.</param>
/// <param name="InputLength">Values per sample entering the layer.</param>
/// <param name="OutputLength">Values per sample leaving the layer.</param>
/// <param name="HasBias">Dense: whether it has a bias.</param>
/// <param name="WeightDecay">Dense: weight decay λ.</param>
/// <param name="WeightOffset">Dense: offset of W (OutputLength × InputLength, row-major) in the flat buffer.</param>
/// <param name="BiasOffset">Dense: offset of b in the flat buffer (−1 without bias).</param>
/// <param name="InitScale">Dense: half-width of the uniform initialisation.</param>
/// <param name="InitRule">Dense: the initialisation rule, for documentation.</param>
/// <param name="Rate">Dropout: the drop probability p.</param>
internal sealed record LayerModel(
    int Index,
    string Name,
    LayerKind Kind,
    int InputLength,
    int OutputLength,
    bool HasBias,
    double WeightDecay,
    int WeightOffset,
    int BiasOffset,
    double InitScale,
    string InitRule,
    double Rate = 0)
{
    public int WeightCount => Kind == LayerKind.Dense ? OutputLength * InputLength : 0;

    public int ParameterCount => Kind == LayerKind.Dense ? WeightCount + (HasBias ? OutputLength : 0) : 0;

    public long MultiplyAdds => Kind == LayerKind.Dense ? (long)OutputLength * InputLength : 0;
}

/// <summary>Everything the emitter needs for one network; no symbols, syntax or locations.</summary>
internal sealed record NetworkModel(
    string Namespace,
    string ClassName,
    string Accessibility,
    EquatableArray<ContainingType> ContainingTypes,
    string DisplayName,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    bool InputIsImage,
    EquatableArray<LayerModel> Layers,
    int ParameterCount,
    int ParameterBufferLength,
    bool EndsInSoftmax)
{
    public int InputLength => InputChannels * InputHeight * InputWidth;

    public int OutputLength => Layers[Layers.Count - 1].OutputLength;

    public string InputShape => InputIsImage ? $"{InputChannels}×{InputHeight}×{InputWidth}" : InputLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The analysis result: a model to emit (null when errors prevent it) and diagnostics to report.</summary>
internal sealed record AnalysisResult(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
