using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Intriguing.Interop.Onnx.Proto;

namespace Intriguing.Interop;

public static partial class OnnxModel
{
    /// <summary>The ONNX operator set the exporter writes.</summary>
    public const int ExportOpset = 13;

    /// <summary>Writes <paramref name="network"/> with its current parameters as an ONNX model to <paramref name="path"/>.</summary>
    /// <param name="network">Any network (generated or composed).</param>
    /// <param name="path">The <c>.onnx</c> file to write (replaced if it exists).</param>
    /// <exception cref="NotSupportedException">A layer has no ONNX form (a convolution with circular padding).</exception>
    public static void Export(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Export(network);
        // Written beside the target and moved over it once complete: an interrupted export never leaves a partial model.
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "." + Path.GetFileName(path) + "." + Environment.ProcessId + ".tmp");
        using (FileStream stream = File.Create(temp))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// The ONNX model of <paramref name="network"/> with its current parameters (opset <see cref="ExportOpset"/>): one
    /// input <c>input</c> (batch × features, or batch × C × H × W when the first layer reads an image) and one output
    /// <c>output</c>, the batch dimension symbolic. Dense layers become Gemm, convolutions Conv, the pools MaxPool and
    /// AveragePool, the local response normalisation LRN, the contrast normalisation ReduceSumSquare–Add–Pow–Div;
    /// Flatten and Reshape nodes are inserted where a layer needs the other rank.
    /// </summary>
    /// <param name="network">Any network.</param>
    /// <returns>The serialized <c>ModelProto</c>.</returns>
    /// <exception cref="NotSupportedException">A layer has no ONNX form (a convolution with circular padding).</exception>
    public static byte[] Export(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var exporter = new Exporter(network);
        return exporter.Run().ToByteArray();
    }

    private sealed class Exporter(INetwork network)
    {
        private readonly GraphProto _graph = new();
        private string _current = "input";
        private bool _image;
        private int _next;

        public ModelProto Run()
        {
            IReadOnlyList<LayerInfo> layers = network.Summary.Layers;
            LayerGeometry? first = layers.Count > 0 ? layers[0].Geometry : null;
            _image = first is not null && (layers[0].Kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool || first.InputHeight * first.InputWidth > 1);
            _graph.Name = network.Name;
            _graph.Input.Add(ValueInfo("input", _image ? [first!.InputChannels, first.InputHeight, first.InputWidth] : [network.InputLength]));
            ReadOnlySpan<float> p = network.Parameters;
            foreach (LayerInfo l in layers) Layer(l, p);
            Flatten();
            _graph.Node.Add(Node("Identity", [_current], "output"));
            _graph.Output.Add(ValueInfo("output", [network.OutputLength]));
            var model = new ModelProto
            {
                IrVersion = 7,
                ProducerName = "Intriguing",
                ProducerVersion = typeof(OnnxModel).Assembly.GetName().Version?.ToString() ?? "",
                Graph = _graph,
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = ExportOpset });
            return model;
        }

        private void Layer(LayerInfo l, ReadOnlySpan<float> p)
        {
            LayerGeometry? g = l.Geometry;
            string prefix = l.Name;
            switch (l.Kind)
            {
                case LayerKind.Dense:
                {
                    Flatten();
                    string w = Initializer($"{prefix}.weight", p.Slice(l.WeightOffset, l.OutputLength * l.InputLength), [l.OutputLength, l.InputLength]);
                    List<string> inputs = [_current, w];
                    if (l.BiasOffset >= 0) inputs.Add(Initializer($"{prefix}.bias", p.Slice(l.BiasOffset, l.OutputLength), [l.OutputLength]));
                    Emit(Node("Gemm", inputs, Fresh(prefix), IntAttribute("transB", 1)));
                    break;
                }

                case LayerKind.Conv:
                {
                    if (g!.PaddingMode != PaddingMode.Zero) throw new NotSupportedException($"Layer {l.Index} ({l.Name}) pads circularly; ONNX Conv pads with zeros only.");
                    Image(g);
                    int count = g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel;
                    string w = Initializer($"{prefix}.weight", p.Slice(l.WeightOffset, count), [g.OutputChannels, g.InputChannels, g.Kernel, g.Kernel]);
                    List<string> inputs = [_current, w];
                    if (l.BiasOffset >= 0) inputs.Add(Initializer($"{prefix}.bias", p.Slice(l.BiasOffset, g.OutputChannels), [g.OutputChannels]));
                    Emit(Node("Conv", inputs, Fresh(prefix),
                        IntsAttribute("kernel_shape", g.Kernel, g.Kernel), IntsAttribute("strides", g.Stride, g.Stride),
                        IntsAttribute("pads", g.Padding, g.Padding, g.Padding, g.Padding)));
                    break;
                }

                case LayerKind.MaxPool:
                case LayerKind.AvgPool:
                    Image(g!);
                    Emit(Node(l.Kind == LayerKind.MaxPool ? "MaxPool" : "AveragePool", [_current], Fresh(prefix),
                        IntsAttribute("kernel_shape", g!.Kernel, g.Kernel), IntsAttribute("strides", g.Stride, g.Stride)));
                    break;
                case LayerKind.ReLU:
                    Emit(Node("Relu", [_current], Fresh(prefix)));
                    break;
                case LayerKind.Sigmoid:
                    Emit(Node("Sigmoid", [_current], Fresh(prefix)));
                    break;
                case LayerKind.Tanh:
                    Emit(Node("Tanh", [_current], Fresh(prefix)));
                    break;
                case LayerKind.Softmax:
                    Flatten();
                    Emit(Node("Softmax", [_current], Fresh(prefix), IntAttribute("axis", -1)));
                    break;
                case LayerKind.Dropout:
                    string ratio = Initializer($"{prefix}.ratio", [(float)l.DropoutRate], []);
                    Emit(Node("Dropout", [_current, ratio], Fresh(prefix)));
                    break;
                case LayerKind.LocalResponseNorm:
                {
                    Image(g!);
                    NormParameters n = l.Norm!;
                    Emit(Node("LRN", [_current], Fresh(prefix), IntAttribute("size", n.Size),
                        FloatAttribute("alpha", (float)(n.Alpha * n.Size)), FloatAttribute("beta", (float)n.Beta), FloatAttribute("bias", (float)n.K)));
                    break;
                }

                case LayerKind.ContrastNorm:
                {
                    Image(g!);
                    NormParameters n = l.Norm!;
                    string x = _current;
                    string sum = Fresh(prefix + ".sum"), shifted = Fresh(prefix + ".shifted"), power = Fresh(prefix + ".power");
                    _graph.Node.Add(Node("ReduceSumSquare", [x], sum, IntsAttribute("axes", 1), IntAttribute("keepdims", 1)));
                    _graph.Node.Add(Node("Add", [sum, Initializer($"{prefix}.epsilon", [(float)n.Epsilon], [])], shifted));
                    _graph.Node.Add(Node("Pow", [shifted, Initializer($"{prefix}.gamma", [(float)n.Gamma], [])], power));
                    Emit(Node("Div", [x, power], Fresh(prefix)));
                    break;
                }

                default:
                    throw new NotSupportedException($"Layer {l.Index} ({l.Name}) is a {l.Kind}, which has no ONNX form here.");
            }
        }

        private void Emit(NodeProto node)
        {
            _graph.Node.Add(node);
            _current = node.Output[0];
        }

        private string Fresh(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}_{_next++}");

        /// <summary>Makes the current tensor batch × features.</summary>
        private void Flatten()
        {
            if (!_image) return;
            Emit(Node("Flatten", [_current], Fresh("flatten"), IntAttribute("axis", 1)));
            _image = false;
        }

        /// <summary>Makes the current tensor batch × C × H × W as <paramref name="g"/> reads it.</summary>
        private void Image(LayerGeometry g)
        {
            if (_image) return;
            string shape = Initializer(Fresh("shape"), [-1, g.InputChannels, g.InputHeight, g.InputWidth]);
            Emit(Node("Reshape", [_current, shape], Fresh("reshape")));
            _image = true;
        }

        private string Initializer(string name, ReadOnlySpan<float> values, long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
            t.Dims.AddRange(dims);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
            _graph.Initializer.Add(t);
            return name;
        }

        private string Initializer(string name, long[] values)
        {
            var t = new TensorProto { Name = name, DataType = Int64Type };
            t.Dims.Add(values.Length);
            t.Int64Data.AddRange(values);
            _graph.Initializer.Add(t);
            return name;
        }

        private static ValueInfoProto ValueInfo(string name, int[] sample)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
            foreach (int d in sample) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } } };
        }

        private static NodeProto Node(string op, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            return node;
        }

        private static AttributeProto IntAttribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto FloatAttribute(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        private static AttributeProto IntsAttribute(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }
    }
}
