using System.Globalization;
using Google.Protobuf;
using Intriguing.Composition;
using Intriguing.Interop.Onnx.Proto;
using Intriguing.Layers;

namespace Intriguing.Interop;

/// <summary>
/// ONNX in and out. <see cref="Import(string, OnnxImportOptions?)"/> reads a model whose graph is a chain of supported
/// operators into a <see cref="ComposedNetwork"/> that runs on the runtime's layer kernels;
/// <see cref="Export(INetwork, string)"/> writes any network with its current parameters;
/// <see cref="LipschitzBounds(string, OnnxImportOptions?)"/> bounds every node of any graph, chain or not.
/// </summary>
/// <remarks>
/// Operators read: Gemm, MatMul (with a following Add of a bias), Conv (square kernel, equal strides and pads, dilation
/// 1, group 1), MaxPool and AveragePool (square windows, no padding, floor mode), Relu, Sigmoid, Tanh, Softmax (last,
/// over the feature axis), Flatten and Reshape (to a vector per sample, or back to C×H×W), Dropout (ratio kept for
/// training; the identity at inference), LRN (odd size), the ReduceSumSquare–Add–Pow–Div pattern of the contrast
/// normalisation the exporter writes, and the pass-through nodes exporters emit: Identity, Cast to float, and Pad that
/// adds nothing. Weights come from the initializers (or Constant
/// nodes) and are checked against the shapes the layers declare. The format is read with Google.Protobuf from the ONNX
/// schema (<c>onnx.proto3</c>).
/// </remarks>
public static partial class OnnxModel
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int64Type = (int)TensorProto.Types.DataType.Int64;

    /// <summary>
    /// The operators <see cref="Import(string, OnnxImportOptions?)"/> maps onto layers or passes through (Add only as a
    /// MatMul's bias; ReduceSumSquare, Pow and Div only in the contrast-normalisation pattern).
    /// </summary>
    public static IReadOnlyList<string> SupportedOperators { get; } = Array.AsReadOnly(OnnxGraphReader.SupportedOperators);

    /// <summary>Imports the ONNX model in the file at <paramref name="path"/>.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="options">Name and input-shape overrides.</param>
    /// <returns>The network, a <see cref="ComposedClassifier"/> when the graph ends in a soft-max.</returns>
    /// <exception cref="OnnxImportException">The file is not a model this import supports; the message says why and where.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static ComposedNetwork Import(string path, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        return Import(bytes, Path.GetFileName(path), options);
    }

    /// <summary>Imports an ONNX model from its bytes.</summary>
    /// <param name="model">The serialized <c>ModelProto</c>.</param>
    /// <param name="source">What to call the model in error messages (a file name).</param>
    /// <param name="options">Name and input-shape overrides.</param>
    /// <returns>The network.</returns>
    /// <exception cref="OnnxImportException">The bytes are not a model this import supports.</exception>
    public static ComposedNetwork Import(ReadOnlySpan<byte> model, string source, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ModelProto proto = Parse(model, source);
        options ??= new OnnxImportOptions();
        OnnxGraph graph;
        try
        {
            graph = OnnxGraphReader.Read(proto, source, options.InputShape);
        }
        catch (OnnxGraphException e)
        {
            throw new OnnxImportException(e.Message, e.Node, e.OperatorType, e);
        }

        return Build(graph, source, options);
    }

    /// <summary>The model in <paramref name="model"/>; truncated or malformed protobuf data is an <see cref="OnnxImportException"/>.</summary>
    private static ModelProto Parse(ReadOnlySpan<byte> model, string source)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxImportException($"{source}: not a valid ONNX model (the protobuf data is truncated or malformed: {e.Message})", inner: e);
        }
    }

    /// <summary>Places the layers' parameters in one flat buffer (blocks on multiples of 16 floats, as the generator lays them out).</summary>
    private static ComposedNetwork Build(OnnxGraph graph, string source, OnnxImportOptions options)
    {
        var counts = new Dictionary<LayerKind, int>();
        var infos = new List<LayerInfo>();
        var blocks = new List<(int Offset, float[] Values)>();
        int offset = 0;
        int Place(float[] values)
        {
            int at = offset;
            blocks.Add((at, values));
            offset = checked(at + ((values.Length + 15) / 16 * 16));
            return at;
        }

        for (int i = 0; i < graph.Layers.Count; i++)
        {
            OnnxLayer l = graph.Layers[i];
            counts[l.Kind] = counts.GetValueOrDefault(l.Kind) + 1;
            string name = l.Kind.ToString() + counts[l.Kind].ToString(CultureInfo.InvariantCulture);
            int weightOffset = l.Weights is null ? -1 : Place(l.Weights);
            int biasOffset = l.Bias is null ? -1 : Place(l.Bias);
            int parameters = (l.Weights?.Length ?? 0) + (l.Bias?.Length ?? 0);
            LayerGeometry? g = l.Kind switch
            {
                LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool =>
                    new LayerGeometry(l.Input.C, l.Input.H, l.Input.W, l.Output.C, l.Output.H, l.Output.W, l.Kernel, l.Stride, l.Pad, PaddingMode.Zero),
                LayerKind.LocalResponseNorm or LayerKind.ContrastNorm =>
                    new LayerGeometry(l.Input.C, l.Input.H, l.Input.W, l.Input.C, l.Input.H, l.Input.W, l.Kernel, 1, 0, PaddingMode.Zero),
                _ => null,
            };
            NormParameters? norm = l.Kind switch
            {
                LayerKind.LocalResponseNorm => new NormParameters(Size: l.Kernel, K: l.NormK, Alpha: l.NormAlpha, Beta: l.NormBeta),
                LayerKind.ContrastNorm => new NormParameters(Epsilon: l.NormEpsilon, Gamma: l.NormGamma),
                _ => null,
            };
            (long madds, Spectral.LayerLipschitz bound, ActivationBox? box) = l.Kind switch
            {
                LayerKind.Dense => ((long)l.Input.Length * l.Output.Length, Dense.Lipschitz(), (ActivationBox?)null),
                LayerKind.Conv => ((long)l.Weights!.Length * g!.OutputHeight * g.OutputWidth, Convolution.Lipschitz(g), null),
                LayerKind.ReLU => (0L, Activation.ReLULipschitz(), new ActivationBox(0, double.PositiveInfinity)),
                LayerKind.Sigmoid => (0L, Activation.SigmoidLipschitz(), new ActivationBox(0, 1)),
                LayerKind.Tanh => (0L, Activation.TanhLipschitz(), new ActivationBox(-1, 1)),
                LayerKind.Softmax => (0L, Softmax.Lipschitz(), new ActivationBox(0, 1)),
                LayerKind.Dropout => (0L, Dropout.Lipschitz(), ActivationBox.InputBox),
                LayerKind.MaxPool => (0L, MaxPooling.Lipschitz(g!), null),
                LayerKind.AvgPool => ((long)l.Output.Length * g!.Kernel * g.Kernel, AveragePooling.Lipschitz(g), null),
                LayerKind.LocalResponseNorm => (0L, LocalResponseNorm.Lipschitz(norm!.Size, norm.K, norm.Alpha, norm.Beta), null),
                LayerKind.ContrastNorm => (0L, ContrastNorm.Lipschitz(norm!.Epsilon, norm.Gamma), null),
                _ => throw new InvalidOperationException($"No summary for {l.Kind}."),
            };
            infos.Add(new LayerInfo(i + 1, name, l.Kind, l.Input.Length, l.Output.Length, l.Output.ToString(), parameters, madds, 0,
                weightOffset, biasOffset, bound, l.DropoutRate, g, norm, box));
        }

        float[] buffer = new float[offset];
        foreach ((int at, float[] values) in blocks) values.CopyTo(buffer, at);
        OnnxShape input = graph.Input;
        // The graph's name unless it is missing or an exporter's placeholder: then the file's.
        string display = options.Name ?? graph.Name ?? Path.GetFileNameWithoutExtension(source);
        return ComposedNetwork.Create(new NetworkSummary(display, input.ToString(), infos), input.Length, buffer);
    }
}
