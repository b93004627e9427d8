using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Intriguing.Generator;

/// <summary>Every diagnostic the network generator and <see cref="OrphanLayerAnalyzer"/> report. IDs are INT001…; each has a page under docs/diagnostics/.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Intriguing.Network";

    public static readonly DiagnosticDescriptor ClassNotPartial = Make(
        "INT001", "Network class must be partial",
        "Class '{0}' has [Network] but is not declared partial; add the 'partial' modifier so the generator can complete it",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingInput = Make(
        "INT002", "Network has no [Input]",
        "Network '{0}' declares no [Input]; add [Input(n)] (or [Input(channels, height, width)]) before the first layer",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SecondInput = Make(
        "INT003", "More than one [Input]",
        "Network '{0}' has more than one [Input]; declare the input once",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NonPositiveSize = Make(
        "INT004", "Size must be positive",
        "{0} must be positive but is {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Make(
        "INT005", "Soft-max must be the last layer",
        "Layer {0} ({1}) follows the soft-max of layer {2}; the soft-max must be the last layer of the stack",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ConsecutiveActivations = Make(
        "INT006", "Two activations in a row",
        "Layer {0} ({1}) directly follows the activation {2} of layer {3}; stacking activations is usually a mistake",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor SplitDeclaration = Make(
        "INT007", "Layer attributes on another partial declaration",
        "[{0}] is on a different partial declaration of '{1}' than [Network]; the stack order across declarations is undefined, so put every layer attribute on the declaration that has [Network]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NoLayers = Make(
        "INT008", "Network has no layers",
        "Network '{0}' has an [Input] but no layers; add at least one layer such as [Dense(10)]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidWeightDecay = Make(
        "INT009", "Invalid weight decay",
        "WeightDecay of layer {0} must be finite and non-negative but is {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedClassShape = Make(
        "INT010", "Unsupported network class",
        "Class '{0}' cannot be a network: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooManyParameters = Make(
        "INT011", "Too many parameters",
        "Network '{0}' needs {1} parameter values, more than the {2} a single buffer can hold; make its layers smaller",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SingleUnitSoftmax = Make(
        "INT012", "Soft-max over a single unit",
        "The soft-max of layer {0} has a single input, so its output is always 1 and nothing can be learned; give the layer before it at least two units",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ActivationWithoutWeights = Make(
        "INT013", "Activation directly on the input",
        "Layer {0} ({1}) applies an activation directly to the input; nothing is learned before it",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidDropout = Make(
        "INT014", "Invalid dropout probability",
        "The dropout probability of layer {0} must be at least 0 and less than 1 but is {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NeedsImage = Make(
        "INT015", "Convolution or pooling on a flat input",
        "Layer {0} ({1}) needs a channels × height × width input but receives a flat vector of {2} values; declare [Input(c, h, w)] and put convolutions and pooling before the dense layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WindowTooLarge = Make(
        "INT016", "Kernel or window larger than the input",
        "Layer {0} ({1}) needs at least {2}×{2} input but receives {3}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StrideNotDividing = Make(
        "INT017", "Stride does not divide the input",
        "Layer {0} ({1}): the stride {2} does not divide {3}, so {4} of the input are never read; the output is {5}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidPadding = Make(
        "INT018", "Invalid padding",
        "Padding of layer {0} (Conv) must be between 0 and the kernel side minus one ({1}) but is {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidNormParameter = Make(
        "INT019", "Invalid normalisation parameter",
        "{0} of layer {1} ({2}) must be {3} but is {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Make(
        "INT020", "Layer attributes without [Network]",
        "[{0}] on class '{1}' has no effect: the class has no [Network], so no network is generated from its layer attributes; add [Network] to the declaration that holds them, or remove them",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InputAfterLayer = Make(
        "INT021", "[Input] after a layer",
        "[Input] of '{0}' comes after a layer; move it before the first layer",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ActivationTooLarge = Make(
        "INT022", "Layer output too large",
        "Layer {0} ({1}) outputs {2} values per sample, more than the {3} a buffer can hold; make it smaller",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ColumnsTooLarge = Make(
        "INT023", "Convolution buffer too large",
        "Layer {0} ({1}) needs an im2col buffer of more than {2} values for one sample; make its input or kernel smaller",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MemberClash = Make(
        "INT024", "Member clashes with a generated member",
        "Member '{0}' of '{1}' has the name of a member the generator writes for the network; rename it",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UndefinedPaddingMode = Make(
        "INT025", "Undefined padding mode",
        "Mode of layer {0} (Conv) is {1}, which is not a Padding value; use Padding.Zero or Padding.Circular",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor OnnxFileNotFound = Make(
        "INT026", "ONNX model not among AdditionalFiles",
        "'{0}' names the ONNX model \"{1}\", but no AdditionalFiles item of the project has that path{2}; add <AdditionalFiles Include=\"{1}\" /> to the project",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor OnnxNotImported = Make(
        "INT027", "ONNX model cannot be compiled",
        "The ONNX model of '{0}' cannot be compiled: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor OnnxWithLayers = Make(
        "INT028", "Layer attributes beside an ONNX model",
        "'{0}' takes its layers from the ONNX model \"{1}\"; remove the layer attribute {2} or the Onnx argument",
        DiagnosticSeverity.Error);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [ClassNotPartial.Id] = ClassNotPartial,
        [MissingInput.Id] = MissingInput,
        [SecondInput.Id] = SecondInput,
        [NonPositiveSize.Id] = NonPositiveSize,
        [SoftmaxNotLast.Id] = SoftmaxNotLast,
        [ConsecutiveActivations.Id] = ConsecutiveActivations,
        [SplitDeclaration.Id] = SplitDeclaration,
        [NoLayers.Id] = NoLayers,
        [InvalidWeightDecay.Id] = InvalidWeightDecay,
        [UnsupportedClassShape.Id] = UnsupportedClassShape,
        [TooManyParameters.Id] = TooManyParameters,
        [SingleUnitSoftmax.Id] = SingleUnitSoftmax,
        [ActivationWithoutWeights.Id] = ActivationWithoutWeights,
        [InvalidDropout.Id] = InvalidDropout,
        [NeedsImage.Id] = NeedsImage,
        [WindowTooLarge.Id] = WindowTooLarge,
        [StrideNotDividing.Id] = StrideNotDividing,
        [InvalidPadding.Id] = InvalidPadding,
        [InvalidNormParameter.Id] = InvalidNormParameter,
        [LayersWithoutNetwork.Id] = LayersWithoutNetwork,
        [InputAfterLayer.Id] = InputAfterLayer,
        [ActivationTooLarge.Id] = ActivationTooLarge,
        [ColumnsTooLarge.Id] = ColumnsTooLarge,
        [MemberClash.Id] = MemberClash,
        [UndefinedPaddingMode.Id] = UndefinedPaddingMode,
        [OnnxFileNotFound.Id] = OnnxFileNotFound,
        [OnnxNotImported.Id] = OnnxNotImported,
        [OnnxWithLayers.Id] = OnnxWithLayers,
    };

    /// <summary>All descriptors, for documentation tests.</summary>
    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Make(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true,
            description: "Help: docs/diagnostics/" + id + ".md in the Intriguing repository.");
}
