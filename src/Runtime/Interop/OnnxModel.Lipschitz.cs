using System.Globalization;
using Google.Protobuf;
using Intriguing.Interop.Onnx.Proto;
using Intriguing.Layers;
using Intriguing.Spectral;

using static Intriguing.Interop.OnnxGraphReader;

namespace Intriguing.Interop;

public static partial class OnnxModel
{
    /// <summary>
    /// The operators <see cref="LipschitzBounds(string, OnnxImportOptions?)"/> bounds. BatchNormalization directly after
    /// a Conv whose output nothing else reads is folded into it; Add and Sub of two tensors that depend on the input
    /// (residual connections) sum their operands' bounds, Concat takes the root of their squares.
    /// </summary>
    public static IReadOnlyList<string> GraphBoundOperators { get; } =
    [
        "Conv", "Gemm", "MatMul", "BatchNormalization", "Add", "Sub", "Sum", "Mul", "Div", "Concat", "Relu", "LeakyRelu",
        "Sigmoid", "Tanh", "Softmax", "Clip", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten",
        "Reshape", "Dropout", "Identity", "Cast", "Constant", "Pad",
    ];

    /// <summary>
    /// Per-node Lipschitz upper bounds (L2) of the ONNX graph in the file at <paramref name="path"/>, whether or not it
    /// is a chain: each convolution by the Fourier method with its strides, padding, dilation and groups (a following
    /// batch normalisation folded in, as at inference), each Gemm/MatMul by ‖W‖₂, the other operators by their known
    /// constants; the residual blocks' bounds, and the bound of the whole map propagated through the graph.
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="options">Name and input-shape overrides (an input shape also sets the map size the convolutions are bounded at).</param>
    /// <returns>The report.</returns>
    /// <exception cref="OnnxImportException">The graph holds an operator or attribute with no bound here; the message names the node.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static GraphLipschitzReport LipschitzBounds(string path, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        return LipschitzBounds(bytes, Path.GetFileName(path), options);
    }

    /// <summary>Per-node Lipschitz bounds of an ONNX model given as bytes; see <see cref="LipschitzBounds(string, OnnxImportOptions?)"/>.</summary>
    /// <param name="model">The serialized <c>ModelProto</c>.</param>
    /// <param name="source">What to call the model in error messages (a file name).</param>
    /// <param name="options">Name and input-shape overrides.</param>
    /// <returns>The report.</returns>
    /// <exception cref="OnnxImportException">The model is not valid or holds an operator with no bound here.</exception>
    public static GraphLipschitzReport LipschitzBounds(ReadOnlySpan<byte> model, string source, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new GraphBounds(Parse(model, source), source, options ?? new OnnxImportOptions()).Run();
    }

    /// <summary>One analysed node: its data inputs, output, shapes and bound.</summary>
    private sealed record Step(string Name, string Operator, string[] Inputs, string Output, int[] InputShape, int[] OutputShape,
        GraphCombine Combine, double Bound, string Method, ConvolutionShape? Convolution = null, int Groups = 1);

    /// <summary>Reads a graph in its (topological) node order, inferring per-sample shapes and bounding each node.</summary>
    private sealed class GraphBounds(ModelProto model, string source, OnnxImportOptions options)
    {
        private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int[]> _shapes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _readers = new(StringComparer.Ordinal);
        private readonly HashSet<int> _folded = [];
        private readonly List<Step> _steps = [];
        private GraphProto _graph = null!;
        private string _input = "";

        public GraphLipschitzReport Run()
        {
            _graph = model.Graph ?? throw Fail("the model has no graph");
            if (_graph.Node.Count == 0) throw Fail("the graph has no nodes");
            foreach (OperatorSetIdProto set in model.OpsetImport)
            {
                if (set.Domain is not ("" or "ai.onnx")) throw Fail($"it imports the operator set '{set.Domain}'; only the default ONNX domain is supported");
            }

            foreach (TensorProto t in _graph.Initializer) _constants[t.Name] = t;
            ReadInput();
            foreach (NodeProto node in _graph.Node)
            {
                foreach (string name in node.Input) _readers[name] = _readers.GetValueOrDefault(name) + 1;
            }

            foreach (ValueInfoProto o in _graph.Output) _readers[o.Name] = _readers.GetValueOrDefault(o.Name) + 1;
            var nodes = _graph.Node;
            for (int i = 0; i < nodes.Count; i++)
            {
                if (_folded.Contains(i)) continue;
                ReadNode(nodes, i);
            }

            if (_steps.Count == 0) throw Fail("the graph has no node that depends on its input");
            if (_graph.Output.Count != 1) throw Fail($"the graph has {_graph.Output.Count} outputs; the bound is of a map with one");
            string output = _graph.Output[0].Name;
            if (!_shapes.TryGetValue(output, out int[]? outShape)) throw Fail($"the graph's output '{output}' does not depend on its input");

            Dictionary<string, double> global = Propagate(_input, _steps.Count);
            var blocks = new List<ResidualBlockBound>();
            for (int i = 0; i < _steps.Count; i++)
            {
                if (_steps[i].Combine == GraphCombine.Sum && _steps[i].Inputs.Length >= 2) blocks.Add(Block(i));
            }

            bool chain = true;
            string previous = _input;
            foreach (Step s in _steps)
            {
                chain &= s.Inputs.Length == 1 && s.Inputs[0] == previous;
                previous = s.Output;
            }

            var rows = _steps.Select((s, k) => new GraphNodeBound(k + 1, s.Name, s.Operator, s.Inputs, s.Output, Text(s.InputShape), Text(s.OutputShape),
                s.Combine, s.Bound, s.Method, s.Convolution, s.Groups)).ToArray();
            bool placeholder = _graph.Name.Length == 0 || _graph.Name is "torch_jit" or "torch-jit-export" or "main_graph" or "CNTKGraph";
            string display = options.Name ?? (placeholder ? Path.GetFileNameWithoutExtension(source) : _graph.Name);
            return new GraphLipschitzReport(display, Text(_shapes[_input]), Text(outShape), rows, blocks, global[output], chain);
        }

        private OnnxImportException Fail(string why) => new($"{source}: {why}.");

        private OnnxImportException Fail(NodeProto node, string why) =>
            new($"{source}: node '{NodeName(node)}' ({node.OpType}): {why}.", NodeName(node), node.OpType);

        private static string Text(int[] shape) => string.Join("×", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

        private void ReadInput()
        {
            ValueInfoProto[] inputs = _graph.Input.Where(v => !_constants.ContainsKey(v.Name)).ToArray();
            if (inputs.Length != 1) throw Fail($"the graph has {inputs.Length} inputs that are not initializers; the bound is of a map with one");
            ValueInfoProto input = inputs[0];
            _input = input.Name;
            TypeProto.Types.Tensor? type = input.Type?.TensorType;
            if (type is null) throw Fail($"the input '{input.Name}' is not a tensor");
            int?[] dims = type.Shape?.Dim.Select(d => d.HasDimValue && d.DimValue > 0 ? (int?)checked((int)d.DimValue) : null).ToArray() ?? [];
            IReadOnlyList<int>? given = options.InputShape;
            if (given is not null)
            {
                if (given.Count == 0 || given.Any(d => d <= 0)) throw Fail("OnnxImportOptions.InputShape must hold positive sizes");
                _shapes[_input] = given.ToArray();
                return;
            }

            string dimsText = dims.Length == 0 ? "(none)" : string.Join("×", dims.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"));
            if (dims.Length < 2) throw Fail($"the input '{input.Name}' has shape {dimsText}; expected a batch dimension and the sample's (or give OnnxImportOptions.InputShape)");
            if (dims.Skip(1).Any(d => d is null)) throw Fail($"the input '{input.Name}' has shape {dimsText} with unknown dimensions besides the batch; give OnnxImportOptions.InputShape");
            _shapes[_input] = dims.Skip(1).Select(d => d!.Value).ToArray();
        }

        private void ReadNode(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int i)
        {
            NodeProto node = nodes[i];
            if (node.Domain is not ("" or "ai.onnx")) throw Fail(node, $"operator domain '{node.Domain}' is not supported");
            if (node.Output.Count == 0) throw Fail(node, "has no output");
            if (node.OpType == "Constant")
            {
                AttributeProto value = node.Attribute.FirstOrDefault(a => a.Name == "value") ?? throw Fail(node, "only Constant nodes with a tensor 'value' are supported");
                _constants[node.Output[0]] = value.T;
                return;
            }

            // With repetitions: Add(x, x) is 2x.
            string[] data = node.Input.Where(n => n.Length > 0 && _shapes.ContainsKey(n)).ToArray();
            foreach (string n in node.Input)
            {
                if (n.Length > 0 && !_shapes.ContainsKey(n) && !_constants.ContainsKey(n))
                {
                    throw Fail(node, $"reads '{n}', which is neither a constant nor the output of an earlier node (the nodes must be in topological order)");
                }
            }

            if (data.Length == 0)
            {
                if (node.OpType == "Identity") { _constants[node.Output[0]] = _constants[node.Input[0]]; return; }
                throw Fail(node, "computes a constant from constants, which is not supported (fold it into an initializer)");
            }

            if (node.Output.Skip(1).Any(o => o.Length > 0 && _readers.ContainsKey(o)))
            {
                throw Fail(node, "a second output of this node is used; only the first output can be");
            }

            string x = node.Input[0];
            int[] shape = _shapes.TryGetValue(x, out int[]? s) ? s : [];
            string output = node.Output[0];
            Step step = node.OpType switch
            {
                "Conv" => Conv(nodes, i),
                "Gemm" => Gemm(node, shape),
                "MatMul" => MatMul(node, shape),
                "BatchNormalization" => BatchNorm(node, shape),
                "Add" or "Sub" or "Sum" => Sum(node, data),
                "Mul" or "Div" => Scale(node, shape),
                "Concat" => Concat(node, data),
                "Relu" => Fixed(node, shape, 1, Activation.ReLUBoundText()),
                "LeakyRelu" => Fixed(node, shape, Math.Max(1, Math.Abs(Float(node, "alpha", 0.01f))), "max(1, |α|) (max slope)"),
                "Sigmoid" => Fixed(node, shape, 0.25, Activation.SigmoidBoundText()),
                "Tanh" => Fixed(node, shape, 1, Activation.TanhBoundText()),
                "Softmax" => Fixed(node, shape, 0.5, Softmax.BoundText()),
                "Clip" => Fixed(node, shape, 1, "1 (clipping)"),
                "Dropout" => Fixed(node, shape, 1, "1 (identity at inference)"),
                "Identity" => Fixed(node, shape, 1, "1 (identity)"),
                "Cast" => Int(node, "to", -1) == FloatType ? Fixed(node, shape, 1, "1 (identity)") : throw Fail(node, "only casts to float are supported"),
                "MaxPool" => Pool(node, shape, max: true),
                "AveragePool" => Pool(node, shape, max: false),
                "GlobalAveragePool" => GlobalPool(node, shape, max: false),
                "GlobalMaxPool" => GlobalPool(node, shape, max: true),
                "Flatten" => Reshaped(node, shape, Flatten(node, shape)),
                "Reshape" => Reshaped(node, shape, Reshape(node, shape)),
                "Pad" => Pad(node, shape),
                _ => throw Fail(node, $"operator {node.OpType} has no Lipschitz bound here (supported: {string.Join(", ", GraphBoundOperators)})"),
            };
            if (step.Combine == GraphCombine.Unary && data.Distinct().Count() != 1) throw Fail(node, $"reads {data.Length} tensors that depend on the input; this operator is bounded for one");
            _steps.Add(step);
            _shapes[step.Output] = step.OutputShape;
        }

        private Step Fixed(NodeProto node, int[] shape, double bound, string method) =>
            new(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, shape, GraphCombine.Unary, bound, method);

        private Step Reshaped(NodeProto node, int[] shape, int[] to) =>
            new(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, 1, "1 (reshape)");

        /// <summary>Conv, with a BatchNormalization folded in when it is the only reader of the convolution's output.</summary>
        private Step Conv(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int i)
        {
            NodeProto node = nodes[i];
            int[] shape = DataShape(node, 0);
            if (shape.Length != 3) throw Fail(node, $"reads a {Text(shape)} tensor; only 2-D convolutions (C×H×W per sample) are supported");
            if (node.Input.Count < 2 || !_constants.ContainsKey(node.Input[1])) throw Fail(node, "its weights are not an initializer or a constant");
            (float[] w, long[] wd) = Floats(node, node.Input[1]);
            int group = checked((int)Int(node, "group", 1));
            if (wd.Length != 4) throw Fail(node, $"its weights have shape {string.Join("×", wd)}; expected D × C/group × kh × kw");
            int d = (int)wd[0], cg = (int)wd[1], kh = (int)wd[2], kw = (int)wd[3], c = shape[0];
            if (group < 1 || c % group != 0 || d % group != 0 || cg * group != c)
            {
                throw Fail(node, $"group {group} does not fit {c} input channels, {d} filters and weights of {cg} channels each");
            }

            long[] kernel = Ints(node, "kernel_shape") ?? [kh, kw];
            if (kernel.Length != 2 || kernel[0] != kh || kernel[1] != kw) throw Fail(node, $"kernel_shape [{string.Join(", ", kernel)}] does not match the {kh}×{kw} weights");
            long[] dil = Ints(node, "dilations") ?? [1, 1];
            if (dil.Length != 2 || dil.Any(v => v < 1)) throw Fail(node, $"dilations [{string.Join(", ", dil)}] are not supported");
            int dy = (int)dil[0], dx = (int)dil[1];
            int ekh = (dy * (kh - 1)) + 1, ekw = (dx * (kw - 1)) + 1;
            (int sy, int sx, int top, int left, int bottom, int right) = Window(node, shape, ekh, ekw);
            int oh = ((shape[1] + top + bottom - ekh) / sy) + 1, ow = ((shape[2] + left + right - ekw) / sx) + 1;
            if (shape[1] + top + bottom < ekh || shape[2] + left + right < ekw) throw Fail(node, $"its {ekh}×{ekw} kernel does not fit the {Text(shape)} input with its padding");

            // A batch normalisation reading only this convolution's output scales each filter at inference.
            string name = NodeName(node), op = "Conv", output = node.Output[0], folded = "";
            int j = _readers.GetValueOrDefault(output) == 1 ? Reader(nodes, i, output) : -1;
            if (j > 0 && nodes[j].OpType == "BatchNormalization" && nodes[j].Input[0] == output)
            {
                NodeProto bn = nodes[j];
                double[] scale = BatchNormScale(bn, d);
                for (int f = 0; f < d; f++)
                {
                    int n = cg * kh * kw;
                    for (int k = 0; k < n; k++) w[(f * n) + k] = (float)(w[(f * n) + k] * scale[f]);
                }

                _folded.Add(j);
                if (bn.Output.Skip(1).Any(o => o.Length > 0 && _readers.ContainsKey(o))) throw Fail(bn, "a second output of this node is used (training mode); only inference is supported");
                op = "Conv+BatchNormalization";
                output = bn.Output[0];
                folded = $", {NodeName(bn)} folded";
            }

            float[] weights = Dilate(w, d, cg, kh, kw, dy, dx);
            int pad = Math.Max(Math.Max(top, bottom), Math.Max(left, right));
            var geometry = new ConvolutionShape(cg, d / group, ekh, ekw, shape[1], shape[2], sy, sx, pad, PaddingMode.Zero);
            int per = d / group * cg * ekh * ekw;
            double bound = 0, estimate = 0;
            int period = 0, periodW = 0;
            for (int g = 0; g < group; g++)
            {
                if (ekh == 1 && ekw == 1)
                {
                    // A 1×1 kernel applies W to each input position an output reads, and no position is read twice.
                    SpectralNormResult r = OperatorNorm.Compute(weights.AsSpan(g * per, per), d / group, cg);
                    bound = Math.Max(bound, r.UpperBound);
                    estimate = Math.Max(estimate, r.Estimate);
                }
                else
                {
                    ConvolutionNormResult r = ConvolutionNorm.Compute(weights.AsSpan(g * per, per), geometry);
                    bound = Math.Max(bound, r.UpperBound);
                    estimate = Math.Max(estimate, r.Estimate);
                    (period, periodW) = (r.PeriodHeight, r.PeriodWidth);
                }
            }

            string groups = group > 1 ? $", largest of {group} groups" : "";
            string dilation = dy > 1 || dx > 1 ? $", dilation {dy}×{dx} as a {ekh}×{ekw} kernel" : "";
            string how = ekh == 1 && ekw == 1
                ? $"‖W‖₂ of the 1×1 kernel (each output applies W to one input position; estimate {estimate.ToString("G6", CultureInfo.InvariantCulture)})"
                : $"Fourier, zero padding on {period}×{periodW} (≥ ‖·‖; estimate {estimate.ToString("G6", CultureInfo.InvariantCulture)})";
            string method = how + groups + dilation + folded;
            return new Step(name, op, [node.Input[0]], output, shape, [d, oh, ow], GraphCombine.Unary, bound, method, geometry, group);
        }

        /// <summary>The index of the node after <paramref name="after"/> that reads <paramref name="tensor"/>, or −1.</summary>
        private static int Reader(Google.Protobuf.Collections.RepeatedField<NodeProto> nodes, int after, string tensor)
        {
            for (int j = after + 1; j < nodes.Count; j++)
            {
                if (nodes[j].Input.Contains(tensor)) return j;
            }

            return -1;
        }

        /// <summary>The weights of a dilated kernel as a dense kernel with zeros between the taps.</summary>
        private static float[] Dilate(float[] w, int d, int c, int kh, int kw, int dy, int dx)
        {
            if (dy == 1 && dx == 1) return w;
            int ekh = (dy * (kh - 1)) + 1, ekw = (dx * (kw - 1)) + 1;
            float[] e = new float[d * c * ekh * ekw];
            for (int fc = 0; fc < d * c; fc++)
            {
                for (int a = 0; a < kh; a++)
                {
                    for (int b = 0; b < kw; b++) e[(((fc * ekh) + (a * dy)) * ekw) + (b * dx)] = w[(((fc * kh) + a) * kw) + b];
                }
            }

            return e;
        }

        /// <summary>The strides and the four pads (top, left, bottom, right) of a window of the given (dilated) size.</summary>
        private (int Sy, int Sx, int Top, int Left, int Bottom, int Right) Window(NodeProto node, int[] shape, int kh, int kw)
        {
            long[] strides = Ints(node, "strides") ?? [1, 1];
            if (strides.Length != 2 || strides.Any(v => v < 1)) throw Fail(node, $"strides [{string.Join(", ", strides)}] are not supported; two positive strides expected");
            int sy = (int)strides[0], sx = (int)strides[1];
            string autoPad = Str(node, "auto_pad") ?? "NOTSET";
            switch (autoPad)
            {
                case "NOTSET" or "":
                    long[] pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                    if (pads.Length != 4 || pads.Any(p => p < 0)) throw Fail(node, $"pads [{string.Join(", ", pads)}] are not supported; four non-negative pads expected");
                    return (sy, sx, (int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
                case "VALID":
                    return (sy, sx, 0, 0, 0, 0);
                case "SAME_UPPER" or "SAME_LOWER":
                    (int t, int b) = Same(shape[1], sy, kh, autoPad == "SAME_UPPER");
                    (int l, int r) = Same(shape[2], sx, kw, autoPad == "SAME_UPPER");
                    return (sy, sx, t, l, b, r);
                default:
                    throw Fail(node, $"auto_pad = {autoPad} is not supported");
            }
        }

        /// <summary>ONNX's SAME padding of one axis: the output has ⌈n/s⌉ positions; the extra pad goes to the end (UPPER) or the start.</summary>
        private static (int Begin, int End) Same(int n, int stride, int kernel, bool upper)
        {
            int output = (n + stride - 1) / stride;
            int total = Math.Max(((output - 1) * stride) + kernel - n, 0);
            int small = total / 2;
            return upper ? (small, total - small) : (total - small, small);
        }

        /// <summary>γ/√(var + ε) per channel of an inference-mode batch normalisation.</summary>
        private double[] BatchNormScale(NodeProto node, int channels)
        {
            if (node.Input.Count < 5) throw Fail(node, "needs scale, bias, mean and variance inputs");
            if (Int(node, "spatial", 1) != 1) throw Fail(node, "spatial = 0 (per-activation statistics) is not supported");
            if (Int(node, "training_mode", 0) != 0) throw Fail(node, "training_mode = 1 is not supported; the bound is of the network at inference");
            double epsilon = Float(node, "epsilon", 1e-5f);
            (float[] gamma, _) = Floats(node, node.Input[1]);
            (float[] variance, _) = Floats(node, node.Input[4]);
            if (gamma.Length != channels || variance.Length != channels) throw Fail(node, $"its scale and variance have {gamma.Length} and {variance.Length} values for {channels} channels");
            double[] scale = new double[channels];
            for (int c = 0; c < channels; c++)
            {
                if (variance[c] + epsilon <= 0) throw Fail(node, $"channel {c} has variance {variance[c]} ≤ −ε");
                scale[c] = gamma[c] / Math.Sqrt(variance[c] + epsilon);
            }

            return scale;
        }

        private Step BatchNorm(NodeProto node, int[] shape)
        {
            if (shape.Length < 1) throw Fail(node, "reads a scalar");
            double[] scale = BatchNormScale(node, shape[0]);
            double bound = scale.Max(Math.Abs);
            return new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, shape, GraphCombine.Unary, bound,
                "max_c |γ_c|/√(σ²_c + ε) (diagonal)");
        }

        private Step Gemm(NodeProto node, int[] shape)
        {
            if (node.Input.Count < 2 || !_constants.ContainsKey(node.Input[1]) || _shapes.ContainsKey(node.Input[1])) throw Fail(node, "only Gemm of the input with a constant B is supported");
            if (Int(node, "transA", 0) != 0) throw Fail(node, "transA = 1 is not supported (it would transpose the batch)");
            if (shape.Length != 1) throw Fail(node, $"reads a {Text(shape)} tensor; Gemm needs a vector per sample");
            (float[] b, long[] dims) = Floats(node, node.Input[1]);
            if (dims.Length != 2) throw Fail(node, $"its B has shape {string.Join("×", dims)}; a matrix expected");
            bool trans = Int(node, "transB", 0) != 0;
            int k = (int)(trans ? dims[1] : dims[0]), n = (int)(trans ? dims[0] : dims[1]);
            if (k != shape[0]) throw Fail(node, $"its B of shape {string.Join("×", dims)} (transB = {(trans ? 1 : 0)}) does not take {shape[0]} inputs");
            double alpha = Math.Abs(Float(node, "alpha", 1f));
            SpectralNormResult r = OperatorNorm.Compute(b, (int)dims[0], (int)dims[1]);
            string scaled = alpha == 1 ? "" : $" × |α| = {alpha.ToString("G6", CultureInfo.InvariantCulture)}";
            return new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, [n], GraphCombine.Unary, double.BitIncrement(alpha * r.UpperBound),
                $"‖W‖₂{scaled} (Lanczos, {r.Iterations} iterations, ±{r.ErrorEstimate.ToString("G2", CultureInfo.InvariantCulture)})");
        }

        private Step MatMul(NodeProto node, int[] shape)
        {
            if (node.Input.Count != 2 || !_constants.ContainsKey(node.Input[1]) || _shapes.ContainsKey(node.Input[1])) throw Fail(node, "only MatMul of the input by a constant matrix is supported");
            if (shape.Length < 1) throw Fail(node, "reads a scalar");
            (float[] b, long[] dims) = Floats(node, node.Input[1]);
            if (dims.Length != 2 || dims[0] != shape[^1]) throw Fail(node, $"its matrix of shape {string.Join("×", dims)} does not take the last dimension {shape[^1]} of its input");
            SpectralNormResult r = OperatorNorm.Compute(b, (int)dims[0], (int)dims[1]);
            int[] to = [.. shape[..^1], (int)dims[1]];
            return new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, r.UpperBound,
                $"‖W‖₂ (Lanczos, {r.Iterations} iterations, ±{r.ErrorEstimate.ToString("G2", CultureInfo.InvariantCulture)})");
        }

        /// <summary>Add, Sub, Sum: of tensors that depend on the input (a residual connection), or of one such tensor and constants (a shift).</summary>
        private Step Sum(NodeProto node, string[] data)
        {
            int[] shape = _shapes[data[0]];
            foreach (string other in data.Skip(1))
            {
                if (!_shapes[other].SequenceEqual(shape)) throw Fail(node, $"adds a {Text(_shapes[other])} tensor to a {Text(shape)} one; broadcasting between data tensors is not supported");
            }

            foreach (string n in node.Input.Where(n => n.Length > 0 && !_shapes.ContainsKey(n))) CheckBroadcast(node, n, shape);
            if (data.Length == 1) return Fixed(node, shape, 1, node.OpType == "Sub" && data[0] != node.Input[0] ? "1 (c − x, a reflection and a shift)" : "1 (shift by a constant)") with { Inputs = [data[0]] };
            return new Step(NodeName(node), node.OpType, data, node.Output[0], shape, shape, GraphCombine.Sum, 1, "sum of the operands' bounds");
        }

        /// <summary>Mul or Div by a constant (Mul in either order): the largest |factor|.</summary>
        private Step Scale(NodeProto node, int[] shape)
        {
            bool swapped = node.OpType == "Mul" && node.Input.Count == 2 && !_shapes.ContainsKey(node.Input[0]);
            string x = swapped ? node.Input[1] : node.Input[0], c = swapped ? node.Input[0] : node.Input.Count > 1 ? node.Input[1] : "";
            if (node.Input.Count != 2 || !_shapes.ContainsKey(x) || _shapes.ContainsKey(c))
            {
                throw Fail(node, node.Input.Count == 2 && _shapes.ContainsKey(node.Input[0]) && _shapes.ContainsKey(node.Input[1])
                    ? $"a {node.OpType} of two tensors that depend on the input is not Lipschitz"
                    : $"only {node.OpType} of the input by a constant is bounded");
            }

            shape = _shapes[x];
            CheckBroadcast(node, c, shape);
            (float[] v, _) = Floats(node, c);
            if (v.Length == 0) throw Fail(node, "its constant is empty");
            double bound = node.OpType == "Mul" ? v.Max(f => Math.Abs((double)f)) : v.Max(f => 1 / Math.Abs((double)f));
            if (!double.IsFinite(bound)) throw Fail(node, "divides by zero");
            return Fixed(node, shape, bound, node.OpType == "Mul" ? "max |c| (scaling)" : "max 1/|c| (scaling)") with { Inputs = [x] };
        }

        private void CheckBroadcast(NodeProto node, string name, int[] shape)
        {
            TensorProto t = Constant(node, name);
            long[] dims = t.Dims.ToArray();
            int[] full = [1, .. shape];
            if (dims.Length > full.Length) throw Fail(node, $"its constant '{name}' of shape {string.Join("×", dims)} has more dimensions than its input");
            for (int k = 1; k <= dims.Length; k++)
            {
                if (dims[^k] != 1 && dims[^k] != full[^k]) throw Fail(node, $"its constant '{name}' of shape {string.Join("×", dims)} does not broadcast to the input's {Text(shape)}");
            }
        }

        private Step Concat(NodeProto node, string[] data)
        {
            if (node.Input.Any(n => !_shapes.ContainsKey(n))) throw Fail(node, "concatenates constants with the input, which is not supported");
            int[] first = _shapes[node.Input[0]];
            long axis = Int(node, "axis", 1);
            if (axis < 0) axis += first.Length + 1;
            if (axis < 1 || axis > first.Length) throw Fail(node, $"axis {Int(node, "axis", 1)} is not a per-sample axis");
            int a = (int)axis - 1;
            int[] to = (int[])first.Clone();
            to[a] = 0;
            foreach (string n in node.Input)
            {
                int[] s = _shapes[n];
                if (s.Length != first.Length || s.Where((v, k) => k != a && v != first[k]).Any()) throw Fail(node, $"concatenates a {Text(s)} tensor with a {Text(first)} one along axis {axis}");
                to[a] += s[a];
            }

            return new Step(NodeName(node), node.OpType, data, node.Output[0], first, to, GraphCombine.Concat, 1, "√(Σ operand bound²)");
        }

        private Step Pool(NodeProto node, int[] shape, bool max)
        {
            if (shape.Length != 3) throw Fail(node, $"reads a {Text(shape)} tensor; only 2-D pooling (C×H×W per sample) is supported");
            long[] kernel = Ints(node, "kernel_shape") ?? throw Fail(node, "has no kernel_shape");
            if (kernel.Length != 2 || kernel.Any(k => k < 1)) throw Fail(node, $"kernel_shape [{string.Join(", ", kernel)}] is not supported");
            if ((Ints(node, "dilations") ?? [1, 1]).Any(v => v != 1)) throw Fail(node, "dilations other than 1 are not supported");
            int kh = (int)kernel[0], kw = (int)kernel[1];
            (int sy, int sx, int top, int left, int bottom, int right) = Window(node, shape, kh, kw);
            bool ceil = Int(node, "ceil_mode", 0) != 0;
            if (shape[1] + top + bottom < kh || shape[2] + left + right < kw) throw Fail(node, $"its {kh}×{kw} window does not fit the {Text(shape)} input with its padding");
            int oh = Positions(shape[1] + top + bottom, kh, sy, ceil), ow = Positions(shape[2] + left + right, kw, sx, ceil);
            int[] to = [shape[0], oh, ow];
            if (max)
            {
                int cover = MaxPooling.AxisCover(kh, sy, oh) * MaxPooling.AxisCover(kw, sx, ow);
                return new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, MaxPooling.Bound(cover), MaxPooling.BoundText(cover));
            }

            bool padded = top + bottom + left + right > 0;
            if (ceil) throw Fail(node, "ceil_mode = 1 is not supported for average pooling (its last windows average fewer values)");
            if (padded && Int(node, "count_include_pad", 0) == 0) throw Fail(node, "padding without count_include_pad is not supported (windows at the border average fewer values)");

            // With count_include_pad the padded layer is the unpadded one on a larger map, restricted to the input.
            double bound = Math.Sqrt(AveragePooling.AxisSquaredNorm(kh, sy, oh) * AveragePooling.AxisSquaredNorm(kw, sx, ow)) * (1 + 1e-12);
            string method = sy >= kh && sx >= kw ? "1/√(kh·kw) (non-overlapping)" : "‖A_h‖₂·‖A_w‖₂ (exact, separable)";
            return new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, bound, method);
        }

        private static int Positions(int padded, int kernel, int stride, bool ceil) =>
            ceil ? ((padded - kernel + stride - 1) / stride) + 1 : ((padded - kernel) / stride) + 1;

        private Step GlobalPool(NodeProto node, int[] shape, bool max)
        {
            if (shape.Length < 2) throw Fail(node, $"reads a {Text(shape)} tensor; global pooling needs channels and a map");
            int area = shape.Skip(1).Aggregate(1, (p, v) => p * v);
            int[] to = [shape[0], .. shape.Skip(1).Select(_ => 1)];
            return max
                ? new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, 1, "1 (one window per channel)")
                : new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, double.BitIncrement(1 / Math.Sqrt(area)),
                    $"1/√{area} (mean of {area} values)");
        }

        private int[] Flatten(NodeProto node, int[] shape)
        {
            if (Int(node, "axis", 1) != 1) throw Fail(node, "only Flatten with axis 1 (one vector per sample) is supported");
            return [shape.Aggregate(1, (p, v) => checked(p * v))];
        }

        private int[] Reshape(NodeProto node, int[] shape)
        {
            if (node.Input.Count < 2) throw Fail(node, "has no shape input (opset 1 Reshape is not supported)");
            long[] target = Longs(node, node.Input[1]);
            int n = shape.Aggregate(1, (p, v) => checked(p * v));
            if (target.Length < 2 || target[0] is not (-1 or 0 or 1)) throw Fail(node, $"reshapes to [{string.Join(", ", target)}]; the batch must stay the first dimension");
            long[] rest = target.Skip(1).Select((v, k) => v == 0 && k < shape.Length ? shape[k] : v).ToArray();
            int unknown = rest.Count(v => v == -1);
            long known = rest.Where(v => v > 0).Aggregate(1L, (a, b) => a * b);
            if (rest.Any(v => v == 0 || v < -1) || unknown > (target[0] == -1 ? 0 : 1) || (unknown == 0 && known != n) || (unknown == 1 && n % known != 0))
            {
                throw Fail(node, $"reshapes {Text(shape)} values to [{string.Join(", ", target)}], which does not keep one sample per row");
            }

            return rest.Select(v => (int)(v == -1 ? n / known : v)).ToArray();
        }

        private Step Pad(NodeProto node, int[] shape)
        {
            string mode = Str(node, "mode") ?? "constant";
            if (mode != "constant") throw Fail(node, $"mode = {mode} is not supported; only zero padding is");
            long[] pads = node.Input.Count > 1 && node.Input[1].Length > 0 ? Longs(node, node.Input[1]) : Ints(node, "pads") ?? [];
            if (node.Input.Count > 2 && node.Input[2].Length > 0)
            {
                (float[] value, _) = Floats(node, node.Input[2]);
                if (value.Any(v => v != 0)) throw Fail(node, "only padding with zeros is supported");
            }

            int rank = shape.Length + 1;
            if (pads.Length != 2 * rank || pads.Any(p => p < 0) || pads[0] != 0 || pads[rank] != 0) throw Fail(node, $"pads [{string.Join(", ", pads)}] are not supported; non-negative pads of the per-sample axes only");
            int[] to = shape.Select((v, k) => checked(v + (int)pads[k + 1] + (int)pads[rank + k + 1])).ToArray();
            return new Step(NodeName(node), node.OpType, [node.Input[0]], node.Output[0], shape, to, GraphCombine.Unary, 1, "1 (zero padding, an isometric embedding)");
        }

        private int[] DataShape(NodeProto node, int input) => _shapes.TryGetValue(node.Input[input], out int[]? s) ? s : throw Fail(node, $"its input '{node.Input[input]}' does not depend on the graph's input");

        /// <summary>Bounds of every tensor as a function of <paramref name="from"/>, over the steps before <paramref name="end"/>.</summary>
        private Dictionary<string, double> Propagate(string from, int end)
        {
            var bounds = new Dictionary<string, double>(StringComparer.Ordinal) { [from] = 1 };
            for (int k = 0; k < end; k++)
            {
                Step s = _steps[k];
                double[] inputs = s.Inputs.Where(bounds.ContainsKey).Select(n => bounds[n]).ToArray();
                if (inputs.Length == 0 || s.Output == from) continue;
                bounds[s.Output] = s.Combine switch
                {
                    GraphCombine.Unary => s.Bound * inputs[0],
                    GraphCombine.Sum => inputs.Sum(),
                    _ => Math.Sqrt(inputs.Sum(v => v * v)) * (1 + 1e-15),
                };
            }

            return bounds;
        }

        /// <summary>The block closed by sum step <paramref name="index"/>: from the nearest tensor every path to it passes through.</summary>
        private ResidualBlockBound Block(int index)
        {
            Step sum = _steps[index];
            string input = _input;
            for (int k = index - 1; k >= 0; k--)
            {
                if (Dominates(_steps[k].Output, index)) { input = _steps[k].Output; break; }
            }

            int start = input == _input ? 0 : _steps.FindIndex(s => s.Output == input) + 1;
            Dictionary<string, double> bounds = Propagate(input, index + 1);
            double total = bounds[sum.Output];

            // The nodes between the block's input and each operand, and the operands' bounds.
            var paths = sum.Inputs.Select(operand => (Bound: bounds[operand], Nodes: Between(start, index, operand))).OrderByDescending(p => p.Nodes.Count).ToArray();
            double branch = paths[0].Bound, skip = paths.Length == 2 ? paths[1].Bound : total - branch;
            IReadOnlyList<string> skipNodes = paths.Length == 2 ? paths[1].Nodes : paths.Skip(1).SelectMany(p => p.Nodes).Distinct().ToArray();
            return new ResidualBlockBound(sum.Name, input, branch, skip, total, paths[0].Nodes, skipNodes);
        }

        /// <summary>The steps in [start, end) whose outputs lead to <paramref name="target"/> (inclusive), in order.</summary>
        private List<string> Between(int start, int end, string target)
        {
            var needed = new HashSet<string>(StringComparer.Ordinal) { target };
            var names = new List<string>();
            for (int k = end - 1; k >= start; k--)
            {
                if (!needed.Contains(_steps[k].Output)) continue;
                names.Add(_steps[k].Name);
                foreach (string n in _steps[k].Inputs) needed.Add(n);
            }

            names.Reverse();
            return names;
        }

        /// <summary>Whether every path from the graph's input to step <paramref name="index"/> passes through <paramref name="tensor"/>.</summary>
        private bool Dominates(string tensor, int index)
        {
            var reached = new HashSet<string>(StringComparer.Ordinal) { _input };
            for (int k = 0; k < index; k++)
            {
                Step s = _steps[k];
                if (s.Output != tensor && s.Inputs.Any(reached.Contains)) reached.Add(s.Output);
            }

            return !_steps[index].Inputs.Any(reached.Contains);
        }

        private TensorProto Constant(NodeProto node, string name)
        {
            if (!_constants.TryGetValue(name, out TensorProto? t)) throw Fail(node, $"its input '{name}' is not an initializer or a constant");
            if (t.DataLocation == TensorProto.Types.DataLocation.External) throw Fail(node, $"the initializer '{name}' is stored in an external file, which is not supported");
            return t;
        }

        private (float[] Values, long[] Dims) Floats(NodeProto node, string name) => ReadFloats(Constant(node, name), name, why => Fail(node, why));

        private long[] Longs(NodeProto node, string name) => ReadLongs(Constant(node, name), name, why => Fail(node, why));

    }
}
