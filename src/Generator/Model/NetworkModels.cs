using Intriguing.Generator.Layers;

namespace Intriguing.Generator.Model;

// Caching contract: every record here holds only primitives, strings, enums, equatable arrays and other such records
// (layer specs included), so equal source gives equal values and unrelated edits leave the pipeline cached. Records
// that reach the emitter (NetworkModel and below) hold no locations either.

/// <summary>A member the user declares on the network class: its name, whether it is a method, and where it is declared.</summary>
/// <param name="Name">The member's name.</param>
/// <param name="IsMethod">Whether it is an ordinary method.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="Signature">A method's type-parameter count and parameter types (<c>`0(System.Span&lt;float&gt;,int)</c>); else empty.</param>
/// <param name="InheritedFrom">The base class that declares the member, or empty for the class's own members.</param>
internal sealed record UserMember(string Name, bool IsMethod, LocationInfo Location, string Signature = "", string InheritedFrom = "");

/// <summary>A named argument of an attribute application and where it is written.</summary>
internal sealed record NamedLocation(string Name, LocationInfo Location);

/// <summary>One layer attribute as written in source, before analysis: its spec and where its parts are written.</summary>
/// <param name="Spec">The layer's arguments as values.</param>
/// <param name="Location">Where the attribute is applied.</param>
/// <param name="ArgumentLocations">Where each constructor argument is written (missing ones fall back to the attribute).</param>
/// <param name="NamedLocations">Where each named argument is written.</param>
internal sealed record ParsedLayer(
    LayerSpec Spec,
    LocationInfo? Location,
    EquatableArray<LocationInfo> ArgumentLocations,
    EquatableArray<NamedLocation> NamedLocations)
{
    /// <summary>Where constructor argument <paramref name="i"/> is written, or the attribute when it is not written.</summary>
    public LocationInfo? Argument(int i) => i < ArgumentLocations.Count ? ArgumentLocations[i] : Location;

    /// <summary>Where the named argument <paramref name="name"/> is written, or the attribute when it is not written.</summary>
    public LocationInfo? Named(string name)
    {
        foreach (NamedLocation n in NamedLocations)
        {
            if (n.Name == name) return n.Location;
        }

        return Location;
    }
}

/// <summary>The 3-D geometry of a layer: input and output channels × height × width, window and padding.</summary>
/// <param name="InC">Input channels (a flat activation of n values is n × 1 × 1).</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width.</param>
/// <param name="OutC">Output channels.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="OutImage">Whether the output is an image (printed as C×H×W) rather than a flat vector.</param>
/// <param name="Kernel">Conv: kernel side; pooling: window side; LocalResponseNorm: window size; else 1.</param>
/// <param name="Stride">Conv, pooling: stride; else 1.</param>
/// <param name="Padding">Conv: padding; else 0.</param>
/// <param name="Circular">Conv: circular padding.</param>
/// <param name="Cover">Pooling: the largest number of windows that contain one input value; else 1.</param>
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
    bool CanEmit,
    bool HasUserSummary = false,
    EquatableArray<UserMember> UserMembers = default,
    OnnxSource? Onnx = null);

/// <summary>
/// <c>[Network(Onnx = "...")]</c>: the path as written and where; once the file is read, its name and the parameters of
/// its layers (each layer's weights, then its bias, as little-endian float32 bytes).
/// </summary>
internal sealed record OnnxSource(string Path, LocationInfo? Location, string FileName = "", EquatableArray<byte> Parameters = default, bool Imported = false);

/// <summary>
/// An ONNX file among the project's AdditionalFiles: its path, its bytes (or why they could not be read) and their
/// SHA-256, which with the path is all that equality compares (for incremental runs).
/// </summary>
internal sealed class OnnxFileRef : System.IEquatable<OnnxFileRef>
{
    public OnnxFileRef(string path, byte[]? bytes, string checksum, string? error)
    {
        Path = path;
        Bytes = bytes;
        Checksum = checksum;
        Error = error;
    }

    public string Path { get; }

    public byte[]? Bytes { get; }

    public string Checksum { get; }

    public string? Error { get; }

    public bool Equals(OnnxFileRef? other) => other is not null && Path == other.Path && Checksum == other.Checksum && Error == other.Error;

    public override bool Equals(object? obj) => Equals(obj as OnnxFileRef);

    public override int GetHashCode() => (Path.GetHashCode() * 31) + Checksum.GetHashCode();
}

/// <summary>Where a layer's trainable parameters sit in the flat buffer, and how they are initialised.</summary>
/// <param name="WeightOffset">Offset of W in the flat buffer.</param>
/// <param name="WeightCount">Values in W.</param>
/// <param name="BiasOffset">Offset of b in the flat buffer (−1 without bias).</param>
/// <param name="BiasCount">Values in b (0 without bias).</param>
/// <param name="WeightDecay">Weight decay λ of W.</param>
/// <param name="InitScale">Half-width a of the uniform initialisation U(−a, a).</param>
/// <param name="InitRule">The initialisation rule, for documentation.</param>
internal sealed record ParameterPlacement(int WeightOffset, int WeightCount, int BiasOffset, int BiasCount, double WeightDecay, double InitScale, string InitRule);

/// <summary>One analysed layer: its spec, inferred shapes and the placement of its parameters.</summary>
/// <param name="Index">1-based position in the stack; also the index of its output activation.</param>
/// <param name="Name">Identifier used for parameter views, e.g. <c>Dense1</c>.</param>
/// <param name="Spec">The layer kind and its arguments; owns the layer's emitted code.</param>
/// <param name="InputLength">Values per sample entering the layer.</param>
/// <param name="OutputLength">Values per sample leaving the layer.</param>
/// <param name="Shape">The 3-D geometry (every layer has one).</param>
/// <param name="Parameters">Layers with weights: where they are; null otherwise.</param>
internal sealed record LayerModel(
    int Index,
    string Name,
    LayerSpec Spec,
    int InputLength,
    int OutputLength,
    LayerShape Shape,
    ParameterPlacement? Parameters)
{
    /// <summary>The layer kind (the runtime's <c>Intriguing.LayerKind</c>).</summary>
    public LayerKind Kind => Spec.Kind;

    /// <summary>Whether the layer has trainable weights (and possibly a bias).</summary>
    public bool HasWeights => Parameters is not null;

    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias => Parameters is { BiasOffset: >= 0 };

    /// <summary>Weight decay λ (0 without weights).</summary>
    public double WeightDecay => Parameters?.WeightDecay ?? 0;

    /// <summary>Offset of W in the flat buffer (−1 without weights).</summary>
    public int WeightOffset => Parameters?.WeightOffset ?? -1;

    /// <summary>Offset of b in the flat buffer (−1 without bias).</summary>
    public int BiasOffset => Parameters?.BiasOffset ?? -1;

    /// <summary>Values in W (0 without weights).</summary>
    public int WeightCount => Parameters?.WeightCount ?? 0;

    /// <summary>Values in b (0 without bias).</summary>
    public int BiasCount => Parameters?.BiasCount ?? 0;

    /// <summary>Trainable parameters of the layer.</summary>
    public int ParameterCount => WeightCount + BiasCount;

    /// <summary>Multiply-adds per sample of the forward pass.</summary>
    public long MultiplyAdds => Spec.MultiplyAdds(this);

    /// <summary>The output shape as text: C×H×W for images, the length otherwise.</summary>
    public string OutputShape => Shape.OutImage
        ? Shape.OutC.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×" + Shape.OutH.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×" + Shape.OutW.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : OutputLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Everything the emitter needs for one network; no symbols, syntax or locations.</summary>
/// <remarks><see cref="HasUserSummary"/>: the user documents the class with a <c>&lt;summary&gt;</c>, so the generated part adds none.</remarks>
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
    bool EndsInSoftmax,
    bool HasUserSummary = false,
    string? OnnxFile = null,
    EquatableArray<byte> OnnxParameters = default)
{
    public int InputLength => InputChannels * InputHeight * InputWidth;

    public int OutputLength => Layers[Layers.Count - 1].OutputLength;

    public string InputShape => InputIsImage ? $"{InputChannels}×{InputHeight}×{InputWidth}" : InputLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The analysis result: a model to emit (null when errors prevent it) and diagnostics to report.</summary>
internal sealed record AnalysisResult(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
