using Google.Protobuf;
using Intriguing.Composition;
using Intriguing.Interop;
using Intriguing.Interop.Onnx.Proto;
using Intriguing.Paper;
using Microsoft.ML.OnnxRuntime;

namespace Intriguing.Networks.Tests;

/// <summary>
/// ONNX export and import against ONNX Runtime, the composed network against the generated one, and the import's
/// errors on models it cannot read.
/// </summary>
public class OnnxTests
{
    private const int Batch = 5;

    /// <summary>The networks exported in the round trip: the paper's models but AlexNet (240 MB of weights) and test stacks of every layer kind ONNX can express.</summary>
    public static TheoryData<string> ExportedNetworks() =>
    [
        nameof(Fc10Lambda1em2), nameof(Fc100x100x10), nameof(Fc100x100x10Dropout), nameof(Fc123x456x10), nameof(Ae400Encoder),
        nameof(Ae400x10), nameof(MnistConv), nameof(SigmoidNet), nameof(TanhReluNet), nameof(RegressionNet), nameof(LinearOutputNet),
        nameof(DeepImageNet), nameof(DropoutNet), nameof(ConvZeroNet), nameof(PoolNet), nameof(OverlapPoolNet), nameof(AvgPoolNet),
        nameof(NormNet), nameof(FlatNormNet), nameof(SteepNormNet), nameof(ConvRegressionNet),
    ];

    internal static INetwork Make(string name) => name switch
    {
        nameof(Fc10Lambda1em2) => new Fc10Lambda1em2(3),
        nameof(Fc100x100x10) => new Fc100x100x10(3),
        nameof(Fc100x100x10Dropout) => new Fc100x100x10Dropout(3),
        nameof(Fc123x456x10) => new Fc123x456x10(3),
        nameof(Ae400Encoder) => new Ae400Encoder(3),
        nameof(Ae400x10) => new Ae400x10(3),
        nameof(MnistConv) => new MnistConv(3),
        nameof(SigmoidNet) => new SigmoidNet(3),
        nameof(TanhReluNet) => new TanhReluNet(3),
        nameof(RegressionNet) => new RegressionNet(3),
        nameof(LinearOutputNet) => new LinearOutputNet(3),
        nameof(DeepImageNet) => new DeepImageNet(3),
        nameof(DropoutNet) => new DropoutNet(3),
        nameof(ConvZeroNet) => new ConvZeroNet(3),
        nameof(ConvCircularNet) => new ConvCircularNet(3),
        nameof(PoolNet) => new PoolNet(3),
        nameof(OverlapPoolNet) => new OverlapPoolNet(3),
        nameof(AvgPoolNet) => new AvgPoolNet(3),
        nameof(NormNet) => new NormNet(3),
        nameof(FlatNormNet) => new FlatNormNet(3),
        nameof(SteepNormNet) => new SteepNormNet(3),
        nameof(ConvRegressionNet) => new ConvRegressionNet(3),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Random biases too (the generated initialisation leaves them zero, which would hide a bias mix-up).</summary>
    private static INetwork Randomized(string name)
    {
        INetwork net = Make(name);
        var random = new Random(name.Length * 7919);
        foreach (LayerInfo l in net.Summary.Layers.Where(l => l.BiasOffset >= 0))
        {
            int n = l.Kind == LayerKind.Dense ? l.OutputLength : l.Geometry!.OutputChannels;
            foreach (ref float b in net.Parameters.Slice(l.BiasOffset, n)) b = (float)(random.NextDouble() - 0.5);
        }

        return net;
    }

    internal static float[] RandomInputs(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
    }

    internal static float[] RunOrt(byte[] model, float[] inputs, long[] shape)
    {
        using var session = new InferenceSession(model);
        string inputName = session.InputNames[0];
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(inputs, shape);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, [inputName], [input], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    internal static long[] InputShape(byte[] model, int batch)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(model);
        ValueInfoProto input = proto.Graph.Input.First(v => proto.Graph.Initializer.All(t => t.Name != v.Name));
        return [batch, .. input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];
    }

    internal static float[] Forward(INetwork net, float[] inputs, int batch)
    {
        float[] outputs = new float[batch * net.OutputLength];
        net.Forward(net.CreateWorkspace(batch), inputs, outputs, batch);
        return outputs;
    }

    /// <summary>Asserts ‖a − b‖∞ ≤ 1e-5 · ‖b‖∞ for each sample's output.</summary>
    internal static void AssertClose(float[] expected, float[] actual, int batch, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int n = expected.Length / batch;
        for (int s = 0; s < batch; s++)
        {
            double scale = 0, error = 0;
            for (int i = s * n; i < (s + 1) * n; i++)
            {
                scale = Math.Max(scale, Math.Abs(expected[i]));
                error = Math.Max(error, Math.Abs(expected[i] - actual[i]));
            }

            Assert.True(scale > 0, $"{what}: sample {s}'s reference output is all zero");
            Assert.True(error <= 1e-5 * scale, $"{what}: sample {s} differs by {error:G3} (relative {error / scale:G3}, allowed 1e-5)");
        }
    }

    [Theory]
    [MemberData(nameof(ExportedNetworks))]
    public void Exported_network_runs_in_OnnxRuntime_with_the_same_outputs(string name)
    {
        INetwork net = Randomized(name);
        byte[] model = OnnxModel.Export(net);
        float[] inputs = RandomInputs(Batch * net.InputLength, 11);
        float[] ours = Forward(net, inputs, Batch);
        float[] ort = RunOrt(model, inputs, InputShape(model, Batch));
        AssertClose(ort, ours, Batch, name);
    }

    [Theory]
    [MemberData(nameof(ExportedNetworks))]
    public void Exported_network_imports_back_with_identical_layers_and_parameters(string name)
    {
        INetwork net = Randomized(name);
        ComposedNetwork back = OnnxModel.Import(OnnxModel.Export(net), name + ".onnx");
        Assert.Equal(net.InputLength, back.InputLength);
        Assert.Equal(net.OutputLength, back.OutputLength);
        Assert.Equal(net is IClassifier, back is IClassifier);
        Assert.Equal(net.Summary.Layers.Count, back.Summary.Layers.Count);
        for (int i = 0; i < net.Summary.Layers.Count; i++)
        {
            LayerInfo a = net.Summary.Layers[i], b = back.Summary.Layers[i];
            Assert.Equal((a.Kind, a.InputLength, a.OutputLength, a.Parameters, a.Geometry, a.DropoutRate), (b.Kind, b.InputLength, b.OutputLength, b.Parameters, b.Geometry, b.DropoutRate));
            Assert.Equal(a.Norm?.Size, b.Norm?.Size);
            if (a.Norm is not null)
            {
                // LRN's α goes through ONNX's α·size in float: equal to float precision, not bitwise.
                Assert.Equal(a.Norm with { Alpha = 0 }, b.Norm! with { Alpha = 0 });
                Assert.Equal(a.Norm.Alpha, b.Norm.Alpha, 1e-7 * a.Norm.Alpha);
            }

            if (a.WeightOffset >= 0)
            {
                int count = a.Kind == LayerKind.Dense ? a.OutputLength * a.InputLength : a.Parameters - (a.BiasOffset >= 0 ? a.Geometry!.OutputChannels : 0);
                Assert.True(net.Parameters.Slice(a.WeightOffset, count).SequenceEqual(back.Parameters.Slice(b.WeightOffset, count)), $"{a.Name}'s weights differ");
            }

            Assert.Equal(a.BiasOffset >= 0, b.BiasOffset >= 0);
            if (a.BiasOffset >= 0)
            {
                int count = a.Kind == LayerKind.Dense ? a.OutputLength : a.Geometry!.OutputChannels;
                Assert.True(net.Parameters.Slice(a.BiasOffset, count).SequenceEqual(back.Parameters.Slice(b.BiasOffset, count)), $"{a.Name}'s bias differs");
            }
        }
    }

    [Theory]
    [InlineData(nameof(TanhReluNet))]
    [InlineData(nameof(DropoutNet))]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(ConvCircularNet))]
    [InlineData(nameof(OverlapPoolNet))]
    [InlineData(nameof(AvgPoolNet))]
    [InlineData(nameof(NormNet))]
    [InlineData(nameof(FlatNormNet))]
    [InlineData(nameof(ConvRegressionNet))]
    public void Composed_network_computes_what_the_generated_one_does(string name)
    {
        INetwork net = Randomized(name);
        ComposedNetwork composed = ComposedNetwork.From(net);
        Assert.Equal(net.ParameterBufferLength, composed.ParameterBufferLength);
        float[] inputs = RandomInputs(Batch * net.InputLength, 5);

        // The same kernels in the same order: the same bits.
        Assert.Equal(Forward(net, inputs, Batch), Forward(composed, inputs, Batch));
        for (int layer = 0; layer <= net.LayerCount; layer++)
        {
            float[] a = new float[Batch * net.ActivationLength(layer)], b = new float[a.Length];
            net.ForwardTo(net.CreateWorkspace(Batch), layer, inputs, a, Batch);
            composed.ForwardTo(composed.CreateWorkspace(Batch), layer, inputs, b, Batch);
            Assert.Equal(a, b);
        }

        float[] g1 = new float[net.ParameterBufferLength], g2 = new float[g1.Length];
        float[] x1 = new float[inputs.Length], x2 = new float[inputs.Length];
        if (net is IClassifier classifier)
        {
            int[] labels = Enumerable.Range(0, Batch).Select(s => s % net.OutputLength).ToArray();
            NetworkWorkspace w1 = net.CreateWorkspace(Batch), w2 = composed.CreateWorkspace(Batch);
            w1.Training = w2.Training = true;
            w1.TrainingSeed = w2.TrainingSeed = 17;
            float l1 = classifier.LossAndGradient(w1, inputs, labels, Batch, g1, x1);
            float l2 = ((IClassifier)composed).LossAndGradient(w2, inputs, labels, Batch, g2, x2);
            Assert.Equal(l1, l2);

            int layer = net.LayerCount / 2;
            float[] h = new float[Batch * net.ActivationLength(layer)];
            net.ForwardTo(net.CreateWorkspace(Batch), layer, inputs, h, Batch);
            float[] d1 = new float[h.Length], d2 = new float[h.Length];
            Assert.Equal(
                classifier.LossAndLayerGradient(net.CreateWorkspace(Batch), layer, h, labels, Batch, d1, g1),
                ((IClassifier)composed).LossAndLayerGradient(composed.CreateWorkspace(Batch), layer, h, labels, Batch, d2, g2));
            Assert.Equal(d1, d2);
        }
        else
        {
            float[] targets = RandomInputs(Batch * net.OutputLength, 9);
            float l1 = ((IRegressor)net).LossAndGradient(net.CreateWorkspace(Batch), inputs, targets, Batch, g1, x1);
            float l2 = ((IRegressor)composed).LossAndGradient(composed.CreateWorkspace(Batch), inputs, targets, Batch, g2, x2);
            Assert.Equal(l1, l2);
        }

        Assert.Equal(g1, g2);
        Assert.Equal(x1, x2);
        Assert.Contains(g2, v => v != 0);
    }

    [Fact]
    public void Circular_padding_has_no_ONNX_form()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Export(new ConvCircularNet(1)));
        Assert.Contains("Conv1", e.Message);
        Assert.Contains("circular", e.Message);
    }

    [Theory]
    [InlineData("torch_mlp.onnx", "Dense 16, ReLU 16, Dense 12, Tanh 12, Dense 10, Softmax 10")]
    [InlineData("torch_conv_pad_stride.onnx", "Conv 4×6×6, ReLU 4×6×6, MaxPool 4×3×3, Conv 3×3×3, Sigmoid 3×3×3, Dense 5, Softmax 5")]
    [InlineData("torch_avgpool.onnx", "Conv 6×10×10, Tanh 6×10×10, AvgPool 6×4×4, Dense 4")]
    public void PyTorch_exported_model_imports_and_matches_OnnxRuntime(string file, string layers)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Onnx", file);
        byte[] model = File.ReadAllBytes(path);
        ComposedNetwork net = OnnxModel.Import(path);
        Assert.Equal(layers, string.Join(", ", net.Summary.Layers.Select(l => $"{l.Kind} {l.OutputShape}")));
        Assert.Equal(net.Summary.Layers[^1].Kind == LayerKind.Softmax, net is IClassifier);
        float[] inputs = RandomInputs(Batch * net.InputLength, 23);
        AssertClose(RunOrt(model, inputs, InputShape(model, Batch)), Forward(net, inputs, Batch), Batch, file);

        // The gradient of the imported network is the generated kernels' backward pass: check it against central differences.
        float[] outputs = Forward(net, inputs, 1);
        NetworkWorkspace ws = net.CreateWorkspace(1);
        net.Forward(ws, inputs.AsSpan(0, net.InputLength), outputs);
        float[] dy = RandomInputs(net.OutputLength, 3), dx = new float[net.InputLength];
        net.Backward(ws, dy, new float[net.ParameterBufferLength], dx);
        for (int i = 0; i < net.InputLength; i += Math.Max(1, net.InputLength / 7))
        {
            float[] plus = inputs[..net.InputLength], minus = inputs[..net.InputLength];
            const float H = 1e-2f;
            plus[i] += H;
            minus[i] -= H;
            float[] yp = Forward(net, plus, 1), ym = Forward(net, minus, 1);
            double numeric = Enumerable.Range(0, dy.Length).Sum(j => dy[j] * ((double)yp[j] - ym[j])) / (2 * H);
            Assert.True(Math.Abs(numeric - dx[i]) <= 2e-3 * (1 + Math.Abs(numeric)), $"{file}: input {i}: backward {dx[i]}, central difference {numeric}");
        }
    }

    [Fact]
    public void MatMul_with_Add_Cast_and_Gemm_without_transB_import_as_dense_layers_matching_OnnxRuntime()
    {
        // The forms other exporters write: x·B + c as MatMul then Add, a float-to-float Cast, Gemm with B = Wᵀ and α, β ≠ 1.
        var random = new Random(4);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var graph = new GraphProto { Name = "matmul" };
        void Tensor(string name, float[] values, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            t.FloatData.AddRange(values);
            graph.Initializer.Add(t);
        }

        NodeProto Node(string op, string output, params string[] inputs)
        {
            var n = new NodeProto { OpType = op, Name = op + "_" + output };
            n.Input.AddRange(inputs);
            n.Output.Add(output);
            graph.Node.Add(n);
            return n;
        }

        Tensor("B1", Values(6 * 4), 6, 4);
        Tensor("c1", Values(4), 4);
        Tensor("B2", Values(4 * 3), 4, 3);
        Tensor("c2", Values(3), 1, 3);
        Node("MatMul", "h", "x", "B1");
        Node("Add", "h1", "h", "c1");
        Node("Cast", "h2", "h1").Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        Node("Sigmoid", "h3", "h2");
        NodeProto gemm = Node("Gemm", "z", "h3", "B2", "c2");
        gemm.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.5f });
        gemm.Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = 2f });
        Node("Softmax", "y", "z");
        ValueInfoProto Value(string name, long width)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
        }

        graph.Input.Add(Value("x", 6));
        graph.Output.Add(Value("y", 3));
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        byte[] bytes = model.ToByteArray();

        ComposedNetwork net = OnnxModel.Import(bytes, "matmul.onnx");
        Assert.Equal("Dense, Sigmoid, Dense, Softmax", string.Join(", ", net.Summary.Layers.Select(l => l.Kind)));
        Assert.Equal("matmul", net.Name);
        float[] inputs = RandomInputs(Batch * 6, 8);
        AssertClose(RunOrt(bytes, inputs, [Batch, 6]), Forward(net, inputs, Batch), Batch, "matmul");
    }

    // ---- Models the import refuses ------------------------------------------------------------------

    private static ModelProto Exported(INetwork net) => ModelProto.Parser.ParseFrom(OnnxModel.Export(net));

    private static OnnxImportException Refused(ModelProto model) =>
        Assert.Throws<OnnxImportException>(() => OnnxModel.Import(model.ToByteArray(), "bad.onnx"));

    [Fact]
    public void Truncated_file_is_refused_naming_the_file()
    {
        byte[] model = OnnxModel.Export(new MnistConv(1));
        var e = Assert.Throws<OnnxImportException>(() => OnnxModel.Import(model.AsSpan(0, model.Length / 2), "cut.onnx"));
        Assert.StartsWith("cut.onnx: not a valid ONNX model", e.Message);
    }

    [Fact]
    public void Unsupported_operator_is_refused_naming_the_node_and_operator()
    {
        ModelProto model = Exported(new TanhReluNet(1));
        NodeProto tanh = model.Graph.Node.First(n => n.OpType == "Tanh");
        tanh.OpType = "LeakyRelu";
        OnnxImportException e = Refused(model);
        Assert.Equal("LeakyRelu", e.OperatorType);
        Assert.Equal(tanh.Name, e.Node);
        Assert.Contains($"node '{tanh.Name}' (LeakyRelu): operator LeakyRelu is not supported", e.Message);
    }

    [Fact]
    public void Add_that_is_not_a_bias_is_refused_saying_where_it_is_supported()
    {
        ModelProto model = Exported(new TanhReluNet(1));
        NodeProto tanh = model.Graph.Node.First(n => n.OpType == "Tanh");
        tanh.OpType = "Add";
        tanh.Input.Add(model.Graph.Initializer.First(t => t.Name == "Dense2.bias").Name);
        OnnxImportException e = Refused(model);
        Assert.Equal("Add", e.OperatorType);
        Assert.Contains("Add is supported only as the bias of a MatMul", e.Message);
    }

    [Fact]
    public void Initializer_whose_shape_does_not_fit_the_layer_is_refused()
    {
        ModelProto model = Exported(new SigmoidNet(1));
        TensorProto w = model.Graph.Initializer.First(t => t.Name == "Dense2.weight");
        w.Dims[1] = 16;
        w.RawData = ByteString.CopyFrom(w.RawData.Span[..(3 * 16 * 4)]);
        OnnxImportException e = Refused(model);
        Assert.Equal("Gemm", e.OperatorType);
        Assert.Contains("its weight 'Dense2.weight' has shape 3×16 but the layer reads 17 values", e.Message);
    }

    [Fact]
    public void Initializer_with_fewer_values_than_its_shape_is_refused()
    {
        ModelProto model = Exported(new SigmoidNet(1));
        TensorProto b = model.Graph.Initializer.First(t => t.Name == "Dense1.bias");
        b.RawData = ByteString.CopyFrom(b.RawData.Span[..8]);
        OnnxImportException e = Refused(model);
        Assert.Contains("the initializer 'Dense1.bias' holds 2 values but its shape 17 declares 17", e.Message);
    }

    [Fact]
    public void Asymmetric_convolution_padding_is_refused()
    {
        ModelProto model = Exported(new ConvZeroNet(1));
        NodeProto conv = model.Graph.Node.First(n => n.OpType == "Conv");
        AttributeProto pads = conv.Attribute.First(a => a.Name == "pads");
        pads.Ints[2] = 0;
        OnnxImportException e = Refused(model);
        Assert.Equal("Conv", e.OperatorType);
        Assert.Contains("pads [1, 1, 0, 1] are not supported", e.Message);
    }

    [Fact]
    public void Branching_graph_is_refused()
    {
        ModelProto model = Exported(new TanhReluNet(1));
        NodeProto relu = model.Graph.Node.First(n => n.OpType == "Relu");
        relu.Input[0] = "input";
        OnnxImportException e = Refused(model);
        Assert.Contains("reads 'input', not the output of the layer before it", e.Message);
    }

    [Fact]
    public void Soft_max_before_the_last_layer_is_refused()
    {
        ModelProto model = Exported(new TanhReluNet(1));
        model.Graph.Node.First(n => n.OpType == "Relu").OpType = "Softmax";
        OnnxImportException e = Refused(model);
        Assert.Contains("follows the soft-max", e.Message);
    }

    [Fact]
    public void Model_with_two_inputs_is_refused()
    {
        ModelProto model = Exported(new TanhReluNet(1));
        model.Graph.Input.Add(model.Graph.Input[0].Clone());
        model.Graph.Input[1].Name = "second";
        OnnxImportException e = Refused(model);
        Assert.Contains("the graph has 2 inputs that are not initializers", e.Message);
    }

    [Fact]
    public void Symbolic_image_size_needs_an_input_shape_and_then_imports()
    {
        ModelProto model = Exported(new ConvZeroNet(1));
        TensorShapeProto shape = model.Graph.Input[0].Type.TensorType.Shape;
        shape.Dim[2].DimParam = "height";
        OnnxImportException e = Refused(model);
        Assert.Contains("unknown dimensions besides the batch; give OnnxImportOptions.InputShape", e.Message);

        ComposedNetwork net = OnnxModel.Import(model.ToByteArray(), "sym.onnx", new OnnxImportOptions { InputShape = [2, 7, 5], Name = "given" });
        Assert.Equal("given", net.Name);
        Assert.Equal(2 * 7 * 5, net.InputLength);
    }
}
