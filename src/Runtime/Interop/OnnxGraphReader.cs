using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using Intriguing.Interop.Onnx.Proto;

namespace Intriguing.Interop;

// Shared by the runtime's ONNX import (OnnxModel.Import) and the generator's compile-time import ([Network(Onnx = ...)]):
// one reader of the graph, two builders. The generator compiles this file for netstandard2.0, so it sticks to that API.

/// <summary>The shape of one sample's activation: C×H×W, or a vector of C values (H = W = 1).</summary>
internal readonly struct OnnxShape
{
    public OnnxShape(int c, int h, int w, bool flat)
    {
        C = c;
        H = h;
        W = w;
        Flat = flat;
    }

    public int C { get; }

    public int H { get; }

    public int W { get; }

    public bool Flat { get; }

    public int Length => C * H * W;

    public static OnnxShape Vector(int n) => new OnnxShape(n, 1, 1, true);

    public override string ToString() => Flat
        ? Length.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}×{1}×{2}", C, H, W);
}

/// <summary>One layer read from an ONNX graph: its kind, shapes, parameters (row-major as the layer kernels hold them) and settings.</summary>
internal sealed class OnnxLayer
{
    public OnnxLayer(LayerKind kind, OnnxShape input, OnnxShape output)
    {
        Kind = kind;
        Input = input;
        Output = output;
    }

    public LayerKind Kind { get; }

    public OnnxShape Input { get; }

    public OnnxShape Output { get; }

    /// <summary>Dense: outputs × inputs; Conv: filters × channels × k × k.</summary>
    public float[]? Weights { get; set; }

    public float[]? Bias { get; set; }

    /// <summary>Conv and pooling: the window; LRN: the window size across channels.</summary>
    public int Kernel { get; set; } = 1;

    public int Stride { get; set; } = 1;

    public int Pad { get; set; }

    public double DropoutRate { get; set; }

    /// <summary>LRN: k, α (multiplying the window sum), β.</summary>
    public double NormK { get; set; }

    public double NormAlpha { get; set; }

    public double NormBeta { get; set; }

    /// <summary>Contrast normalisation x / (ε + Σ x²)^γ: ε and γ.</summary>
    public double NormEpsilon { get; set; }

    public double NormGamma { get; set; }
}

/// <summary>A graph read as a chain of layers.</summary>
internal sealed class OnnxGraph
{
    public OnnxGraph(OnnxShape input, IReadOnlyList<OnnxLayer> layers, string? name)
    {
        Input = input;
        Layers = layers;
        Name = name;
    }

    public OnnxShape Input { get; }

    public IReadOnlyList<OnnxLayer> Layers { get; }

    /// <summary>The graph's name, or null when it is missing or an exporter's placeholder.</summary>
    public string? Name { get; }
}

/// <summary>A graph that cannot be read; the message names the source and, where one is at fault, the node and its operator.</summary>
internal sealed class OnnxGraphException : Exception
{
    public OnnxGraphException(string message, string? node, string? operatorType)
        : base(message)
    {
        Node = node;
        OperatorType = operatorType;
    }

    public string? Node { get; }

    public string? OperatorType { get; }
}

/// <summary>Reads an ONNX <c>ModelProto</c> whose graph is a chain of supported operators (see <c>OnnxModel.SupportedOperators</c>).</summary>
internal static class OnnxGraphReader
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int64Type = (int)TensorProto.Types.DataType.Int64;

    /// <summary>The operators read: Add only as a MatMul's bias; ReduceSumSquare, Pow and Div only in the contrast-normalisation pattern.</summary>
    public static readonly string[] SupportedOperators =
    {
        "Gemm", "MatMul", "Add", "Conv", "MaxPool", "AveragePool", "Relu", "Sigmoid", "Tanh", "Softmax", "Flatten", "Reshape",
        "Dropout", "LRN", "ReduceSumSquare", "Pow", "Div", "Identity", "Cast", "Constant", "Pad",
    };

    /// <summary>A node's name for messages: its name, else its first output.</summary>
    public static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : (node.Output.Count > 0 ? node.Output[0] : "?");

    public static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long Int(NodeProto node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

    public static float Float(NodeProto node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    public static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { } a ? a.Ints.ToArray() : null;

    public static string? Str(NodeProto node, string name) => Attribute(node, name) is { } a ? a.S.ToStringUtf8() : null;

    /// <summary>The values and shape of a float initializer, checked (count against shape, every value finite); <paramref name="fail"/> makes the error.</summary>
    public static (float[] Values, long[] Dims) ReadFloats(TensorProto t, string name, Func<string, Exception> fail)
    {
        if (t.DataType != FloatType) throw fail($"the initializer '{name}' has element type {ElementTypeName(t.DataType)}; weights must be float");
        long[] dims = t.Dims.ToArray();
        long count = dims.Aggregate(1L, (a, b) => a * b);
        float[] values;
        if (!t.RawData.IsEmpty)
        {
            ReadOnlySpan<byte> raw = t.RawData.Span;
            if (raw.Length != count * 4) throw fail($"the initializer '{name}' holds {raw.Length / 4} values but its shape {string.Join("×", dims)} declares {count}");
            values = new float[count];
            for (int k = 0; k < values.Length; k++) values[k] = ReadSingle(raw.Slice(4 * k, 4));
        }
        else
        {
            if (t.FloatData.Count != count) throw fail($"the initializer '{name}' holds {t.FloatData.Count} values but its shape {string.Join("×", dims)} declares {count}");
            values = t.FloatData.ToArray();
        }

        for (int k = 0; k < values.Length; k++)
        {
            if (float.IsNaN(values[k]) || float.IsInfinity(values[k])) throw fail($"the initializer '{name}' holds a non-finite value ({values[k]}) at index {k}");
        }

        return (values, dims);
    }

    /// <summary>The values of an int64 constant; <paramref name="fail"/> makes the error.</summary>
    public static long[] ReadLongs(TensorProto t, string name, Func<string, Exception> fail)
    {
        if (t.DataType != Int64Type) throw fail($"the constant '{name}' has element type {ElementTypeName(t.DataType)}; expected int64");
        if (!t.RawData.IsEmpty)
        {
            ReadOnlySpan<byte> raw = t.RawData.Span;
            if (raw.Length % 8 != 0) throw fail($"the constant '{name}' has {raw.Length} bytes, not a whole number of int64 values");
            long[] v = new long[raw.Length / 8];
            for (int k = 0; k < v.Length; k++) v[k] = BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(8 * k, 8));
            return v;
        }

        return t.Int64Data.ToArray();
    }

    /// <summary>An ONNX element type's name for messages.</summary>
    public static string ElementTypeName(int type) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), type) ? ((TensorProto.Types.DataType)type).ToString().ToLowerInvariant() : "#" + type.ToString(CultureInfo.InvariantCulture);

    private static float ReadSingle(ReadOnlySpan<byte> bytes)
    {
        int bits = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        return Unsafe.As<int, float>(ref bits);
    }

    /// <summary>Reads <paramref name="model"/>; <paramref name="inputShape"/> (C, H, W or a length) overrides or completes the declared input shape.</summary>
    /// <exception cref="OnnxGraphException">The graph is not a chain this reader supports.</exception>
    public static OnnxGraph Read(ModelProto model, string source, IReadOnlyList<int>? inputShape) => new Reader(model, source, inputShape).Run();

    private sealed class Reader
    {
        private readonly ModelProto model;
        private readonly string source;
        private readonly IReadOnlyList<int>? inputShape;
        private readonly Dictionary<string, TensorProto> _constants = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        private readonly List<OnnxLayer> _layers = new List<OnnxLayer>();
        private GraphProto _graph = null!;
        private string _current = "";
        private OnnxShape _shape;
        private OnnxShape _input;

        public Reader(ModelProto model, string source, IReadOnlyList<int>? inputShape)
        {
            this.model = model;
            this.source = source;
            this.inputShape = inputShape;
        }

        public OnnxGraph Run()
        {
            _graph = model.Graph ?? throw Fail("the model has no graph");
            if (_graph.Node.Count == 0) throw Fail("the graph has no nodes");
            foreach (OperatorSetIdProto set in model.OpsetImport)
            {
                if (set.Domain is not ("" or "ai.onnx")) throw Fail($"it imports the operator set '{set.Domain}', which has no kernels here; only the default ONNX domain is supported");
            }

            foreach (TensorProto t in _graph.Initializer) _constants[t.Name] = t;
            ReadInput();
            var nodes = _graph.Node;
            for (int i = 0; i < nodes.Count; i++) i = ReadNode(nodes, i);
            if (_layers.Count == 0) throw Fail("the graph has no layer (only reshapes and identities)");
            if (_graph.Output.Count != 1) throw Fail($"the graph has {_graph.Output.Count} outputs; a network has one");
            if (_graph.Output[0].Name != _current) throw Fail($"the graph's output '{_graph.Output[0].Name}' is not the output of its last layer ('{_current}')");
            // The graph's name unless it is an exporter's placeholder (PyTorch's torch_jit, main_graph).
            bool placeholder = _graph.Name.Length == 0 || _graph.Name is "torch_jit" or "torch-jit-export" or "main_graph";
            return new OnnxGraph(_input, _layers, placeholder ? null : _graph.Name);
        }

        private OnnxGraphException Fail(string why) => new OnnxGraphException(source + ": " + why + ".", null, null);

        private OnnxGraphException Fail(NodeProto node, string why) =>
            new OnnxGraphException(source + ": node '" + NodeName(node) + "' (" + node.OpType + "): " + why + ".", NodeName(node), node.OpType);


        private void ReadInput()
        {
            ValueInfoProto[] inputs = _graph.Input.Where(v => !_constants.ContainsKey(v.Name)).ToArray();
            if (inputs.Length != 1) throw Fail($"the graph has {inputs.Length} inputs that are not initializers; a network has one");
            ValueInfoProto input = inputs[0];
            _current = input.Name;
            TypeProto.Types.Tensor? type = input.Type?.TensorType;
            if (type is null) throw Fail($"the input '{input.Name}' is not a tensor");
            if (type.ElemType != FloatType) throw Fail($"the input '{input.Name}' has element type {ElementTypeName(type.ElemType)}; only float inputs are supported");
            int?[] dims = type.Shape?.Dim.Select(d => d.HasDimValue && d.DimValue > 0 ? (int?)checked((int)d.DimValue) : null).ToArray() ?? [];
            IReadOnlyList<int>? given = inputShape;
            if (given is not null)
            {
                if (given.Count is not (1 or 3) || given.Any(d => d <= 0)) throw Fail("OnnxImportOptions.InputShape must be a positive length or C, H, W");
                if (dims.Length > 0 && (dims.Length != given.Count + 1 || dims.Skip(1).Zip(given, (a, b) => a is int d && d != b).Any(x => x)))
                {
                    throw Fail($"the input '{input.Name}' declares shape {DimsText(dims)}, which does not match the given input shape {string.Join("×", given)}");
                }

                _shape = _input = given.Count == 1 ? OnnxShape.Vector(given[0]) : new OnnxShape(given[0], given[1], given[2], false);
                return;
            }

            if (dims.Length is not (2 or 4)) throw Fail($"the input '{input.Name}' has shape {DimsText(dims)}; expected batch × features or batch × C × H × W (or give OnnxImportOptions.InputShape)");
            if (dims.Skip(1).Any(d => d is null)) throw Fail($"the input '{input.Name}' has shape {DimsText(dims)} with unknown dimensions besides the batch; give OnnxImportOptions.InputShape");
            _shape = _input = dims.Length == 2 ? OnnxShape.Vector(dims[1]!.Value) : new OnnxShape(dims[1]!.Value, dims[2]!.Value, dims[3]!.Value, false);
        }

        private static string DimsText(int?[] dims) => dims.Length == 0 ? "(none)" : string.Join("×", dims.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"));

        /// <summary>Reads node <paramref name="i"/> (and the nodes it fuses with); returns the index of the last node consumed.</summary>
        private int ReadNode(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int i)
        {
            NodeProto node = nodes[i];
            if (node.Domain is not ("" or "ai.onnx")) throw Fail(node, $"operator domain '{node.Domain}' is not supported");
            if (node.OpType == "Constant")
            {
                AttributeProto value = node.Attribute.FirstOrDefault(a => a.Name == "value") ?? throw Fail(node, "only Constant nodes with a tensor 'value' are supported");
                _constants[node.Output[0]] = value.T;
                return i;
            }

            if (node.Input.Count == 0 || node.Input[0] != _current)
            {
                string reads = node.Input.Count == 0 ? "nothing" : $"'{node.Input[0]}'";
                throw Fail(node, $"reads {reads}, not the output of the layer before it ('{_current}'): only a chain of layers can be imported");
            }

            if (node.Output.Count == 0) throw Fail(node, "has no output");
            string output = node.Output[0];
            switch (node.OpType)
            {
                case "Identity":
                    break;
                case "Cast":
                    long to = Int(node, "to", -1);
                    if (to != FloatType) throw Fail(node, $"casts to {ElementTypeName((int)to)}; only casts to float are supported");
                    break;
                case "Pad":
                    long[] pads = node.Input.Count > 1 && node.Input[1].Length > 0 ? Longs(node, node.Input[1]) : Ints(node, "pads") ?? [];
                    if (pads.Any(p => p != 0)) throw Fail(node, $"pads [{string.Join(", ", pads)}] are not supported; only a Pad that adds nothing (as exporters write before pooling) passes");
                    break;
                case "Flatten":
                    if (Int(node, "axis", 1) != 1) throw Fail(node, "only Flatten with axis 1 (one vector per sample) is supported");
                    _shape = OnnxShape.Vector(_shape.Length);
                    break;
                case "Reshape":
                    ReadReshape(node);
                    break;
                case "Gemm":
                    ReadGemm(node);
                    break;
                case "MatMul":
                    return ReadMatMul(nodes, i);
                case "Conv":
                    ReadConv(node);
                    break;
                case "MaxPool":
                case "AveragePool":
                    ReadPool(node);
                    break;
                case "Relu":
                    Add(new OnnxLayer(LayerKind.ReLU, _shape, _shape));
                    break;
                case "Sigmoid":
                    Add(new OnnxLayer(LayerKind.Sigmoid, _shape, _shape));
                    break;
                case "Tanh":
                    Add(new OnnxLayer(LayerKind.Tanh, _shape, _shape));
                    break;
                case "Softmax":
                    ReadSoftmax(node);
                    break;
                case "Dropout":
                    ReadDropout(node);
                    break;
                case "LRN":
                    ReadLrn(node);
                    break;
                case "ReduceSumSquare":
                    return ReadContrastNorm(nodes, i);
                case "Add":
                    throw Fail(node, "Add is supported only as the bias of a MatMul (adding a constant to its product, in the next node)");
                case "Pow":
                case "Div":
                    throw Fail(node, $"{node.OpType} is supported only in the contrast normalisation x / (ε + Σ x²)^γ (ReduceSumSquare, Add, Pow, Div)");
                default:
                    throw Fail(node, $"operator {node.OpType} is not supported (supported: {string.Join(", ", SupportedOperators)})");
            }

            if (node.Output.Skip(1).Any(o => o.Length > 0 && nodes.Any(n => n.Input.Contains(o))))
            {
                throw Fail(node, "a second output of this node is used; only its first output can be");
            }

            _current = output;
            return i;
        }

        private void Add(OnnxLayer layer)
        {
            if (_layers.Count > 0 && _layers[_layers.Count - 1].Kind == LayerKind.Softmax) throw Fail($"a {layer.Kind} layer follows the soft-max; the soft-max must be the last layer");
            _layers.Add(layer);
            _shape = layer.Output;
        }

        private void ReadReshape(NodeProto node)
        {
            if (node.Input.Count < 2) throw Fail(node, "has no shape input (opset 1 Reshape is not supported)");
            long[] target = Longs(node, node.Input[1]);
            int n = _shape.Length;
            if (target.Length < 2) throw Fail(node, $"reshapes to [{string.Join(", ", target)}]; the batch must stay the first dimension");
            if (target[0] is not (-1 or 0 or 1)) throw Fail(node, $"reshapes the batch dimension to {target[0]}");
            long[] rest = target.Skip(1).ToArray();
            int unknown = rest.Count(d => d == -1);
            long known = rest.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
            if (rest.Any(d => d == 0 || d < -1) || unknown > (target[0] == -1 ? 0 : 1) || (unknown == 0 && known != n) || (unknown == 1 && n % known != 0))
            {
                throw Fail(node, $"reshapes {_shape} values to [{string.Join(", ", target)}], which does not keep one sample per row");
            }

            long[] dims = rest.Select(d => d == -1 ? n / known : d).ToArray();
            _shape = dims.Length switch
            {
                1 => OnnxShape.Vector(n),
                3 => new OnnxShape((int)dims[0], (int)dims[1], (int)dims[2], false),
                _ => throw Fail(node, $"reshapes to [{string.Join(", ", target)}]; only a vector or C×H×W per sample is supported"),
            };
        }

        private void ReadGemm(NodeProto node)
        {
            if (!_shape.Flat) throw Fail(node, $"reads a {_shape} tensor; Gemm needs a vector per sample (add a Flatten)");
            if (Int(node, "transA", 0) != 0) throw Fail(node, "transA = 1 is not supported");
            if (node.Input.Count < 2) throw Fail(node, "has no weight input");
            float alpha = Float(node, "alpha", 1f), beta = Float(node, "beta", 1f);
            bool transB = Int(node, "transB", 0) != 0;
            (float[] b, long[] dims) = Floats(node, node.Input[1]);
            int n = _shape.Length;
            if (dims.Length != 2 || dims[transB ? 1 : 0] != n)
            {
                throw Fail(node, $"its weight '{node.Input[1]}' has shape {string.Join("×", dims)} but the layer reads {n} values (expected {(transB ? "outputs×" + n : n + "×outputs")})");
            }

            int m = (int)dims[transB ? 0 : 1];
            float[] w = new float[m * n];
            for (int o = 0; o < m; o++)
            {
                for (int k = 0; k < n; k++) w[(o * n) + k] = alpha * (transB ? b[(o * n) + k] : b[(k * m) + o]);
            }

            float[]? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? Bias(node, node.Input[2], m, beta) : null;
            Add(new OnnxLayer(LayerKind.Dense, _shape, OnnxShape.Vector(m)) { Weights = w, Bias = bias });
        }

        private int ReadMatMul(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int i)
        {
            NodeProto node = nodes[i];
            if (!_shape.Flat) throw Fail(node, $"reads a {_shape} tensor; MatMul needs a vector per sample (add a Flatten)");
            if (node.Input.Count != 2) throw Fail(node, "needs two inputs");
            (float[] b, long[] dims) = Floats(node, node.Input[1]);
            int n = _shape.Length;
            if (dims.Length != 2 || dims[0] != n) throw Fail(node, $"its weight '{node.Input[1]}' has shape {string.Join("×", dims)} but the layer reads {n} values (expected {n}×outputs)");
            int m = (int)dims[1];
            float[] w = new float[m * n];
            for (int o = 0; o < m; o++)
            {
                for (int k = 0; k < n; k++) w[(o * n) + k] = b[(k * m) + o];
            }

            // A following Add of a constant to the product is the layer's bias.
            float[]? bias = null;
            string output = node.Output[0];
            if (i + 1 < nodes.Count && nodes[i + 1].OpType == "Add" && nodes[i + 1].Input.Count == 2 && nodes[i + 1].Input.Contains(output))
            {
                NodeProto add = nodes[i + 1];
                string other = add.Input[0] == output ? add.Input[1] : add.Input[0];
                if (_constants.ContainsKey(other))
                {
                    bias = Bias(add, other, m, 1f);
                    output = add.Output[0];
                    i++;
                }
            }

            Add(new OnnxLayer(LayerKind.Dense, _shape, OnnxShape.Vector(m)) { Weights = w, Bias = bias });
            _current = output;
            return i;
        }

        private float[] Bias(NodeProto node, string name, int m, float scale)
        {
            (float[] c, long[] dims) = Floats(node, name);
            bool fits = (dims.Length == 1 && dims[0] == m) || (dims.Length == 2 && dims[0] == 1 && dims[1] == m);
            if (!fits) throw Fail(node, $"its bias '{name}' has shape {string.Join("×", dims)} but the layer writes {m} values");
            if (scale != 1f) for (int k = 0; k < c.Length; k++) c[k] *= scale;
            return c;
        }

        private void ReadConv(NodeProto node)
        {
            if (_shape.Flat && _shape.H * _shape.W == 1 && _layers.Count == 0) throw Fail(node, $"reads a vector of {_shape.Length} values; Conv needs C×H×W (give OnnxImportOptions.InputShape)");
            if (_shape.Flat) throw Fail(node, $"reads a vector of {_shape.Length} values; Conv needs C×H×W (add a Reshape)");
            if (node.Input.Count < 2) throw Fail(node, "has no weight input");
            if (Int(node, "group", 1) != 1) throw Fail(node, $"group = {Int(node, "group", 1)} is not supported; only group 1");
            (float[] w, long[] dims) = Floats(node, node.Input[1]);
            if (dims.Length != 4 || dims[1] != _shape.C || dims[2] != dims[3])
            {
                throw Fail(node, $"its weight '{node.Input[1]}' has shape {string.Join("×", dims)}; expected filters×{_shape.C}×k×k for the {_shape} input");
            }

            int d = (int)dims[0], k = (int)dims[2];
            long[] kernel = Ints(node, "kernel_shape") ?? [k, k];
            if (kernel.Length != 2 || kernel[0] != k || kernel[1] != k) throw Fail(node, $"kernel_shape [{string.Join(", ", kernel)}] does not match the weight's {k}×{k}");
            if ((Ints(node, "dilations") ?? [1, 1]).Any(x => x != 1)) throw Fail(node, "dilations other than 1 are not supported");
            (int stride, int pad) = Window(node);
            int oh = ((_shape.H + (2 * pad) - k) / stride) + 1, ow = ((_shape.W + (2 * pad) - k) / stride) + 1;
            if (_shape.H + (2 * pad) < k || _shape.W + (2 * pad) < k) throw Fail(node, $"its {k}×{k} kernel does not fit the {_shape} input with padding {pad}");
            float[]? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? Bias(node, node.Input[2], d, 1f) : null;
            Add(new OnnxLayer(LayerKind.Conv, _shape, new OnnxShape(d, oh, ow, false)) { Weights = w, Bias = bias, Kernel = k, Stride = stride, Pad = pad });
        }

        /// <summary>The equal strides and the equal pads of a window; only NOTSET and VALID auto-padding.</summary>
        private (int Stride, int Pad) Window(NodeProto node)
        {
            string autoPad = Str(node, "auto_pad") ?? "NOTSET";
            if (autoPad is not ("NOTSET" or "VALID")) throw Fail(node, $"auto_pad = {autoPad} is not supported; give explicit pads");
            long[] strides = Ints(node, "strides") ?? [1, 1];
            if (strides.Length != 2 || strides[0] != strides[1] || strides[0] < 1) throw Fail(node, $"strides [{string.Join(", ", strides)}] are not supported; only equal strides on both axes");
            long[] pads = autoPad == "VALID" ? [0, 0, 0, 0] : Ints(node, "pads") ?? [0, 0, 0, 0];
            if (pads.Length != 4 || pads.Any(p => p != pads[0]) || pads[0] < 0) throw Fail(node, $"pads [{string.Join(", ", pads)}] are not supported; only the same padding on every side");
            return ((int)strides[0], (int)pads[0]);
        }

        private void ReadPool(NodeProto node)
        {
            if (_shape.Flat) throw Fail(node, $"reads a vector of {_shape.Length} values; pooling needs C×H×W");
            long[] kernel = Ints(node, "kernel_shape") ?? throw Fail(node, "has no kernel_shape");
            if (kernel.Length != 2 || kernel[0] != kernel[1] || kernel[0] < 1) throw Fail(node, $"kernel_shape [{string.Join(", ", kernel)}] is not supported; only square windows");
            if (Int(node, "ceil_mode", 0) != 0) throw Fail(node, "ceil_mode = 1 is not supported");
            if ((Ints(node, "dilations") ?? [1, 1]).Any(x => x != 1)) throw Fail(node, "dilations other than 1 are not supported");
            if (Int(node, "storage_order", 0) != 0) throw Fail(node, "storage_order = 1 is not supported");
            (int stride, int pad) = Window(node);
            if (pad != 0) throw Fail(node, $"pads of {pad} are not supported; pooling reads no padding");
            int k = (int)kernel[0];
            if (_shape.H < k || _shape.W < k) throw Fail(node, $"its {k}×{k} window does not fit the {_shape} input");
            int oh = ((_shape.H - k) / stride) + 1, ow = ((_shape.W - k) / stride) + 1;
            LayerKind kind = node.OpType == "MaxPool" ? LayerKind.MaxPool : LayerKind.AvgPool;
            Add(new OnnxLayer(kind, _shape, new OnnxShape(_shape.C, oh, ow, false)) { Kernel = k, Stride = stride });
        }

        private void ReadSoftmax(NodeProto node)
        {
            if (!_shape.Flat) throw Fail(node, $"reads a {_shape} tensor; the soft-max needs a vector per sample (add a Flatten)");
            long axis = Int(node, "axis", OpsetVersion() >= 13 ? -1 : 1);
            if (axis is not (-1 or 1)) throw Fail(node, $"axis = {axis} is not supported; the soft-max runs over the features");
            Add(new OnnxLayer(LayerKind.Softmax, _shape, _shape));
        }

        private void ReadDropout(NodeProto node)
        {
            double ratio = Decimal(Float(node, "ratio", 0.5f));
            if (node.Input.Count > 1 && node.Input[1].Length > 0)
            {
                (float[] r, _) = Floats(node, node.Input[1]);
                if (r.Length != 1) throw Fail(node, "its ratio is not a scalar");
                ratio = Decimal(r[0]);
            }

            if (node.Input.Count > 2 && node.Input[2].Length > 0) throw Fail(node, "a training_mode input is not supported");
            if (ratio is < 0 or >= 1) throw Fail(node, $"ratio {ratio} is outside [0, 1)");
            Add(new OnnxLayer(LayerKind.Dropout, _shape, _shape) { DropoutRate = ratio });
        }

        private void ReadLrn(NodeProto node)
        {
            long size = Int(node, "size", -1);
            if (size < 1 || size % 2 == 0) throw Fail(node, $"size {size} is not supported; only odd sizes");
            double alpha = Decimal(Float(node, "alpha", 1e-4f)), beta = Decimal(Float(node, "beta", 0.75f)), bias = Decimal(Float(node, "bias", 1f));
            if (bias <= 0 || alpha < 0 || beta < 0) throw Fail(node, "needs bias > 0, alpha ≥ 0 and beta ≥ 0");

            // ONNX divides α by the window size; the layer's α multiplies the window sum itself.
            Add(new OnnxLayer(LayerKind.LocalResponseNorm, _shape, _shape) { Kernel = (int)size, NormK = bias, NormAlpha = alpha / size, NormBeta = beta });
        }

        /// <summary>x / (ε + Σ_c x²)^γ written as ReduceSumSquare(axes 1) → Add ε → Pow γ → Div(x, ·).</summary>
        private int ReadContrastNorm(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int i)
        {
            NodeProto reduce = nodes[i];
            long[] axes = Ints(reduce, "axes") ?? (reduce.Input.Count > 1 ? Longs(reduce, reduce.Input[1]) : []);
            if (axes.Length != 1 || axes[0] != 1 || Int(reduce, "keepdims", 1) != 1)
            {
                throw Fail(reduce, "only a sum of squares over the channel axis (axes [1], keepdims 1) is supported");
            }

            if (i + 3 >= nodes.Count || nodes[i + 1].OpType != "Add" || nodes[i + 2].OpType != "Pow" || nodes[i + 3].OpType != "Div")
            {
                throw Fail(reduce, "a sum of squares is supported only as the contrast normalisation x / (ε + Σ x²)^γ: ReduceSumSquare, Add, Pow, Div");
            }

            NodeProto add = nodes[i + 1], pow = nodes[i + 2], div = nodes[i + 3];
            float epsilon = Scalar(add, reduce.Output[0]);
            float gamma = Scalar(pow, add.Output[0]);
            if (div.Input.Count != 2 || div.Input[0] != _current || div.Input[1] != pow.Output[0]) throw Fail(div, "does not divide the normalised input by the pattern's denominator");
            if (epsilon <= 0 || gamma < 0) throw Fail(add, "the contrast normalisation needs ε > 0 and γ ≥ 0");
            Add(new OnnxLayer(LayerKind.ContrastNorm, _shape, _shape) { NormEpsilon = Decimal(epsilon), NormGamma = Decimal(gamma) });
            _current = div.Output[0];
            return i + 3;
        }

        /// <summary>The constant scalar operand of a binary node whose other operand is <paramref name="operand"/>.</summary>
        private float Scalar(NodeProto node, string operand)
        {
            if (node.Input.Count != 2 || node.Input[0] != operand) throw Fail(node, $"does not read '{operand}' as its first operand");
            (float[] v, _) = Floats(node, node.Input[1]);
            if (v.Length != 1) throw Fail(node, $"its operand '{node.Input[1]}' is not a scalar");
            return v[0];
        }

        private long OpsetVersion() => model.OpsetImport.Where(s => s.Domain is "" or "ai.onnx").Select(s => s.Version).DefaultIfEmpty(13).Max();

        private TensorProto Constant(NodeProto node, string name)
        {
            if (!_constants.TryGetValue(name, out TensorProto? t)) throw Fail(node, $"its input '{name}' is not an initializer or a constant; weights must be constants");
            if (t.DataLocation == TensorProto.Types.DataLocation.External) throw Fail(node, $"the initializer '{name}' is stored in an external file, which is not supported");
            return t;
        }

        private (float[] Values, long[] Dims) Floats(NodeProto node, string name) => ReadFloats(Constant(node, name), name, why => Fail(node, why));

        private long[] Longs(NodeProto node, string name) => ReadLongs(Constant(node, name), name, why => Fail(node, why));

        /// <summary>The double nearest the shortest decimal that round-trips <paramref name="value"/> (0.2f gives 0.2, not 0.200000003).</summary>
        private static double Decimal(float value) => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
