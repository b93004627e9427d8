using Intriguing.Composition;
using Intriguing.Interop;

namespace Intriguing.Networks.Tests;

/// <summary>The PyTorch-exported fixtures compiled by the generator: [Network(Onnx = ...)] with the files as AdditionalFiles.</summary>
[Network(Onnx = "Onnx/torch_mlp.onnx")]
public partial class CompiledTorchMlp;

/// <summary>Conv with stride and padding, max pooling, sigmoid, dense, soft-max.</summary>
[Network(Onnx = "Onnx/torch_conv_pad_stride.onnx")]
public partial class CompiledTorchConv;

/// <summary>Conv, tanh, overlapping average pooling, a linear output.</summary>
#pragma warning disable INT017 // The exporter's pooling leaves the last row unread, as in PyTorch.
[Network(Onnx = "Onnx/torch_avgpool.onnx")]
#pragma warning restore INT017
public partial class CompiledTorchAvgPool;

/// <summary>
/// Networks compiled from ONNX files at build time compute what ONNX Runtime computes on the same files, and hold the
/// same parameters as the run-time import of those files.
/// </summary>
public class OnnxCompiledTests
{
    private const int Batch = 5;

    public static TheoryData<string> Files => new() { "torch_mlp.onnx", "torch_conv_pad_stride.onnx", "torch_avgpool.onnx" };

    private static INetwork Compiled(string file) => file switch
    {
        "torch_mlp.onnx" => CompiledTorchMlp.FromOnnx(),
        "torch_conv_pad_stride.onnx" => CompiledTorchConv.FromOnnx(),
        _ => CompiledTorchAvgPool.FromOnnx(),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void A_compiled_model_matches_OnnxRuntime(string file)
    {
        byte[] model = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Onnx", file));
        INetwork net = Compiled(file);
        float[] inputs = OnnxTests.RandomInputs(Batch * net.InputLength, 31);
        OnnxTests.AssertClose(OnnxTests.RunOrt(model, inputs, OnnxTests.InputShape(model, Batch)), OnnxTests.Forward(net, inputs, Batch), Batch, file);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_compiled_model_has_the_parameters_and_layers_of_the_run_time_import(string file)
    {
        INetwork compiled = Compiled(file);
        ComposedNetwork imported = OnnxModel.Import(Path.Combine(AppContext.BaseDirectory, "Onnx", file));
        Assert.Equal(imported.InputLength, compiled.InputLength);
        Assert.Equal(imported.Summary.Layers.Select(l => (l.Kind, l.OutputShape, l.Parameters)), compiled.Summary.Layers.Select(l => (l.Kind, l.OutputShape, l.Parameters)));
        Assert.Equal(imported.Parameters.ToArray(), compiled.Parameters.ToArray());
        Assert.Equal(imported is IClassifier, compiled is IClassifier);
    }

    [Fact]
    public void LoadOnnxParameters_restores_the_model_after_training_changed_it()
    {
        CompiledTorchMlp net = CompiledTorchMlp.FromOnnx();
        float[] before = net.Parameters.ToArray();
        net.Initialize(seed: 3);
        Assert.NotEqual(before, net.Parameters.ToArray());
        net.LoadOnnxParameters();
        Assert.Equal(before, net.Parameters.ToArray());
    }
}
