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
    Conv,
    MaxPool,
    ContrastNorm,
    LocalResponseNorm,
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
/// <param name="Kernel">Conv: kernel side; MaxPool: window side; LocalResponseNorm: window size n.</param>
/// <param name="Stride">Conv, MaxPool: stride.</param>
/// <param name="Padding">Conv: padding on each side.</param>
/// <param name="Circular">Conv: circular padding.</param>
/// <param name="P1">ContrastNorm: ε; LocalResponseNorm: k.</param>
/// <param name="P2">ContrastNorm: γ; LocalResponseNorm: α.</param>
/// <param name="P3">LocalResponseNorm: β.</param>
/// <param name="ArgumentLocations">Locations of the positional arguments, in order (missing ones fall back to the attribute).</param>
internal sealed record ParsedLayer(
    LayerKind Kind,
    int Units,
    double WeightDecay,
    bool Bias,
    LocationInfo? Location,
    LocationInfo? UnitsLocation,
    LocationInfo? WeightDecayLocation,
    double Rate = 0,
    int Kernel = 0,
    int Stride = 0,
    int Padding = 0,
    bool Circular = false,
    double P1 = 0,
    double P2 = 0,
    double P3 = 0,
    EquatableArray<LocationInfo> ArgumentLocations = default)
{
    /// <summary>Where constructor argument <paramref name="i"/> is written, or the attribute when it is not written.</summary>
    public LocationInfo? Argument(int i) => i < ArgumentLocations.Count ? ArgumentLocations[i] : Location;
}

/// <summary>The 3-D geometry of a layer: input and output channels × height × width, window and padding.</summary>
/// <param name="InC">Input channels (a flat activation of n values is n × 1 × 1).</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width.</param>
/// <param name="OutC">Output channels.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="OutImage">Whether the output is an image (printed as C×H×W) rather than a flat vector.</param>
/// <param name="Kernel">Conv: kernel side; MaxPool: window side; LocalResponseNorm: window size; else 1.</param>
/// <param name="Stride">Conv, MaxPool: stride; else 1.</param>
/// <param name="Padding">Conv: padding; else 0.</param>
/// <param name="Circular">Conv: circular padding.</param>
/// <param name="Cover">MaxPool: the largest number of windows that contain one input value.</param>
internal sealed record LayerShape(int InC, int InH, int InW, int OutC, int OutH, int OutW, bool OutImage, int Kernel, int Stride, int Padding, bool Circular, int Cover);

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
/// <param name="Shape">The 3-D geometry (every layer has one).</param>
/// <param name="P1">ContrastNorm: ε; LocalResponseNorm: k.</param>
/// <param name="P2">ContrastNorm: γ; LocalResponseNorm: α.</param>
/// <param name="P3">LocalResponseNorm: β.</param>
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
    double Rate,
    LayerShape Shape,
    double P1 = 0,
    double P2 = 0,
    double P3 = 0)
{
    /// <summary>Dense and Conv layers have weights (and optionally a bias).</summary>
    public bool HasWeights => Kind is LayerKind.Dense or LayerKind.Conv;

    /// <summary>Values in the bias: one per unit (Dense) or per filter (Conv).</summary>
    public int BiasCount => Kind == LayerKind.Conv ? Shape.OutC : OutputLength;

    public int WeightCount => Kind switch
    {
        LayerKind.Dense => OutputLength * InputLength,
        LayerKind.Conv => Shape.OutC * Shape.InC * Shape.Kernel * Shape.Kernel,
        _ => 0,
    };

    public int ParameterCount => HasWeights ? WeightCount + (HasBias ? BiasCount : 0) : 0;

    public long MultiplyAdds => Kind switch
    {
        LayerKind.Dense => (long)OutputLength * InputLength,
        LayerKind.Conv => (long)OutputLength * Shape.InC * Shape.Kernel * Shape.Kernel,
        _ => 0,
    };

    /// <summary>Values of one sample's im2col matrix: (C·k·k) × (H′·W′).</summary>
    public int ColumnLength => Kind == LayerKind.Conv ? Shape.InC * Shape.Kernel * Shape.Kernel * Shape.OutH * Shape.OutW : 0;

    /// <summary>The output shape as text: C×H×W for images, the length otherwise.</summary>
    public string OutputShape => Shape.OutImage
        ? Shape.OutC.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×" + Shape.OutH.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×" + Shape.OutW.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : OutputLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
