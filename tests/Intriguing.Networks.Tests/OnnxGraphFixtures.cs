using Google.Protobuf;
using Intriguing.Interop.Onnx.Proto;

namespace Intriguing.Networks.Tests;

/// <summary>Small ONNX graphs built in tests with the protobuf classes of the ONNX schema.</summary>
internal sealed class OnnxGraphFixtures
{
    private readonly GraphProto _graph = new() { Name = "fixture" };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        // The first dimension is the batch: symbolic, so that ONNX Runtime takes any number of samples.
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (long d in dims.Skip(1)) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    public OnnxGraphFixtures Input(string name, params long[] dims)
    {
        _graph.Input.Add(Value(name, dims));
        return this;
    }

    public OnnxGraphFixtures Output(string name, params long[] dims)
    {
        _graph.Output.Add(Value(name, dims));
        return this;
    }

    public OnnxGraphFixtures Initializer(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.Add(dims);
        t.FloatData.Add(values);
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxGraphFixtures Initializer(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor.Clone());
        return this;
    }

    public OnnxGraphFixtures Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.Add(inputs);
        n.Output.Add(output);
        n.Attribute.Add(attributes);
        _graph.Node.Add(n);
        return this;
    }

    /// <summary>A convolution with weights <c>name.w</c> (D × C/group × k × k) and a batch normalisation after it (random statistics, some negative γ).</summary>
    public OnnxGraphFixtures ConvBn(string name, string input, string output, int c, int d, int k, Random random, params AttributeProto[] attributes)
    {
        int group = (int)(attributes.FirstOrDefault(a => a.Name == "group")?.I ?? 1);
        Initializer(name + ".w", [d, c / group, k, k], Uniform(random, d * (c / group) * k * k, 1));
        Initializer(name + ".gamma", [d], Enumerable.Range(0, d).Select(i => (float)((random.NextDouble() * 2.5) - 0.5)).ToArray());
        Initializer(name + ".beta", [d], Uniform(random, d, 1));
        Initializer(name + ".mean", [d], Uniform(random, d, 1));
        Initializer(name + ".var", [d], Enumerable.Range(0, d).Select(_ => (float)(0.1 + (random.NextDouble() * 2))).ToArray());
        Node("Conv", name, [input, name + ".w"], name + ".y", [Ints("kernel_shape", k, k), .. attributes]);
        Node("BatchNormalization", name + ".bn", [name + ".y", name + ".gamma", name + ".beta", name + ".mean", name + ".var"], output, Float("epsilon", 1e-5f));
        return this;
    }

    public static float[] Uniform(Random random, int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    public byte[] Build(int opset = 13)
    {
        var model = new ModelProto { IrVersion = 7, Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = opset });
        return model.ToByteArray();
    }
}
