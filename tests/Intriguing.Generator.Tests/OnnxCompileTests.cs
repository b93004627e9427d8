using Google.Protobuf;
using Intriguing.Interop.Onnx.Proto;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Intriguing.Generator.Tests;

/// <summary>
/// <c>[Network(Onnx = "...")]</c>: the generator compiles an ONNX model given as an AdditionalFiles item, or says why not
/// with a diagnostic on the attribute; it never crashes and never emits code that does not compile. The numbers of the
/// compiled models are checked against ONNX Runtime in the network tests (OnnxCompiledTests).
/// </summary>
public sealed class OnnxCompileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("intriguing-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An AdditionalFiles item as the compiler gives it: a path, and the file read as text.</summary>
    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path => path;

        public override SourceText? GetText(CancellationToken cancellationToken = default)
        {
            using FileStream stream = File.OpenRead(path);
            return SourceText.From(stream, throwIfBinaryDetected: false);
        }
    }

    private static string Fixture(string name) => System.IO.Path.Combine(DiagnosticTests.RepoRoot(), "tests", "Intriguing.Networks.Tests", "Onnx", name);

    private string Write(string relative, byte[] bytes)
    {
        string path = System.IO.Path.Combine(_folder, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (GeneratorDriverRunResult Result, Compilation Output) Run(string source, params string[] files)
    {
        CSharpParseOptions options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        CSharpCompilation compilation = GeneratorHarness.Compilation().AddSyntaxTrees(CSharpSyntaxTree.ParseText("using Intriguing;\n" + source, options, "Source0.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new NetworkGenerator().AsSourceGenerator() },
                files.Select(f => (AdditionalText)new FileText(f)),
                options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriverRunResult result = driver.GetRunResult();
        RobustnessTests.AssertNoCrash(result, output);
        return (result, output);
    }

    /// <summary>Asserts one generator diagnostic with this ID, located on the attribute argument, whose message contains every part; nothing generated.</summary>
    private static string Refused(string source, string id, string locatedText, string[] parts, params string[] files)
    {
        var (result, output) = Run(source, files);
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal(id, d.Id);
        string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string part in parts) Assert.Contains(part, message);
        Assert.Equal(locatedText, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Empty(result.GeneratedTrees);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        return message;
    }

    [Theory]
    [InlineData("torch_mlp.onnx", "64 → Dense 16 → ReLU → Dense 12 → Tanh → Dense 10 → Softmax")]
    [InlineData("torch_conv_pad_stride.onnx", "2×11×11 → Conv 4×6×6 → ReLU → MaxPool 4×3×3 → Conv 3×3×3 → Sigmoid → Dense 5 → Softmax")]
    [InlineData("torch_avgpool.onnx", "3×12×12 → Conv 6×10×10 → Tanh → AvgPool 6×4×4 → Dense 4")]
    public void A_PyTorch_model_compiles_without_diagnostics_and_its_code_compiles_cleanly(string file, string stack)
    {
        string path = Write(System.IO.Path.Combine("models", file), File.ReadAllBytes(Fixture(file)));
        var (result, output) = Run("namespace App;\n[Network(Onnx = \"models/" + file + "\")]\npublic partial class Net;", path);
        // The exporter's average pooling leaves a row unread: the generator's usual warning, nothing else.
        Assert.All(GeneratorHarness.GeneratorDiagnostics(result), d => Assert.Equal("INT017", d.Id));
        Diagnostic[] problems = GeneratorHarness.CompileErrors(output)
            .Concat(output.GetDiagnostics().Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true && d.Id != "CS1591"))
            .ToArray();
        Assert.True(problems.Length == 0, GeneratorHarness.Describe(problems));
        string generated = Assert.Single(result.GeneratedTrees).ToString();
        Assert.True(generated.Contains(stack, StringComparison.Ordinal), generated[..Math.Min(3000, generated.Length)]);
        Assert.Contains("public static Net FromOnnx()", generated);
        Assert.Contains("public void LoadOnnxParameters()", generated);
        Assert.DoesNotContain(" var ", generated);
    }

    [Fact]
    public void The_embedded_parameters_are_the_models_weights_and_biases_layer_by_layer()
    {
        // The graph x → Gemm(W, b, transB = 1) → Relu → MatMul(B) + c: the bytes must be W (row-major, out × in), b, Bᵀ, c.
        float[] w = [1, 2, 3, 4, 5, 6], b = [0.5f, -0.5f], bm = [7, 8, 9, 10, 11, 12], c = [1, 2, 3];
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value("x", 3));
        graph.Output.Add(Value("y", 3));
        graph.Initializer.Add(Tensor("W", w, 2, 3));
        graph.Initializer.Add(Tensor("b", b, 2));
        graph.Initializer.Add(Tensor("B", bm, 2, 3));
        graph.Initializer.Add(Tensor("c", c, 3));
        Node(graph, "Gemm", "h", "x", "W", "b").Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        Node(graph, "Relu", "r", "h");
        Node(graph, "MatMul", "m", "r", "B");
        Node(graph, "Add", "y", "m", "c");
        string path = Write("tiny.onnx", Model(graph).ToByteArray());
        var (result, output) = Run("[Network(Onnx = \"tiny.onnx\")] public partial class Tiny;", path);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(GeneratorHarness.CompileErrors(output));

        float[] expected = [.. w, .. b, 7, 10, 8, 11, 9, 12, .. c];
        string generated = Assert.Single(result.GeneratedTrees).ToString();
        int open = generated.IndexOf("OnnxParameterData => new byte[]", StringComparison.Ordinal);
        string body = generated[generated.IndexOf('{', open)..generated.IndexOf("};", open, StringComparison.Ordinal)];
        byte[] data = body.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t => t != "{").Select(t => byte.Parse(t.TrimStart('{').Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, Enumerable.Range(0, data.Length / 4).Select(i => BitConverter.ToSingle(data, 4 * i)));
    }

    // Run from DiagnosticTests (INT026–INT028), which covers every descriptor.
    internal void A_model_missing_from_AdditionalFiles_is_INT026_naming_the_path() =>
        Refused("[Network(Onnx = \"models/net.onnx\")] public partial class Net;", "INT026", "Onnx = \"models/net.onnx\"",
            ["'Net'", "\"models/net.onnx\"", "<AdditionalFiles Include=\"models/net.onnx\" />"]);

    // Run from DiagnosticTests (INT026–INT028), which covers every descriptor.
    internal void An_unsupported_operator_is_INT027_naming_the_node_and_operator()
    {
        var graph = new GraphProto { Name = "leaky" };
        graph.Input.Add(Value("x", 4));
        graph.Output.Add(Value("y", 4));
        Node(graph, "LeakyRelu", "y", "x").Name = "act0";
        string path = Write("leaky.onnx", Model(graph).ToByteArray());
        Refused("[Network(Onnx = \"leaky.onnx\")] public partial class Net;", "INT027", "Onnx = \"leaky.onnx\"",
            ["'Net'", "leaky.onnx", "node 'act0' (LeakyRelu)", "operator LeakyRelu is not supported"], path);
    }

    [Fact]
    public void A_truncated_file_is_INT027_and_a_non_chain_graph_too()
    {
        byte[] model = File.ReadAllBytes(Fixture("torch_mlp.onnx"));
        string cut = Write("cut.onnx", model[..(model.Length / 2)]);
        Refused("[Network(Onnx = \"cut.onnx\")] public partial class Net;", "INT027", "Onnx = \"cut.onnx\"", ["cut.onnx", "not a valid ONNX model"], cut);

        string text = Write("text.onnx", "not a model at all"u8.ToArray());
        Refused("[Network(Onnx = \"text.onnx\")] public partial class Net;", "INT027", "Onnx = \"text.onnx\"", ["text.onnx"], text);
    }

    // Run from DiagnosticTests (INT026–INT028), which covers every descriptor.
    internal void Layer_attributes_beside_a_model_are_INT028()
    {
        string path = Write("mlp.onnx", File.ReadAllBytes(Fixture("torch_mlp.onnx")));
        Refused("[Network(Onnx = \"mlp.onnx\")]\n[Dense(3)]\npublic partial class Net;", "INT028", "Dense(3)", ["'Net'", "\"mlp.onnx\"", "Dense(3)"], path);
    }

    [Fact]
    public void An_Input_attribute_gives_the_shape_and_must_agree_with_the_model()
    {
        string path = Write("mlp.onnx", File.ReadAllBytes(Fixture("torch_mlp.onnx")));
        var (ok, output) = Run("[Network(Onnx = \"mlp.onnx\")]\n[Input(1, 8, 8)]\npublic partial class Net;", path);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(ok));
        Assert.Empty(GeneratorHarness.CompileErrors(output));

        Refused("[Network(Onnx = \"mlp.onnx\")]\n[Input(1, 9, 9)]\npublic partial class Net;", "INT027", "Onnx = \"mlp.onnx\"",
            ["does not match the given input shape 1×9×9"], path);
    }

    // Run from DiagnosticTests (INT026–INT028), which covers every descriptor.
    internal void Two_items_ending_with_the_path_are_INT026()
    {
        Refused("[Network(Onnx = \"\")] public partial class Net;", "INT026", "Onnx = \"\"", ["'Net'", "\"\""], Write("x.onnx", File.ReadAllBytes(Fixture("torch_mlp.onnx"))));

        byte[] model = File.ReadAllBytes(Fixture("torch_mlp.onnx"));
        string a = Write(System.IO.Path.Combine("a", "net.onnx"), model), b = Write(System.IO.Path.Combine("b", "net.onnx"), model);
        Refused("[Network(Onnx = \"net.onnx\")] public partial class Net;", "INT026", "Onnx = \"net.onnx\"", ["only once (2 items end with it)"], a, b);
        var (result, _) = Run("[Network(Onnx = \"b/net.onnx\")] public partial class Net;", a, b);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
    }

    [Fact]
    public void A_changed_model_regenerates_and_an_unrelated_edit_does_not()
    {
        string path = Write("mlp.onnx", File.ReadAllBytes(Fixture("torch_mlp.onnx")));
        var text = new FileText(path);
        CSharpCompilation compilation = GeneratorHarness.Compilation("using Intriguing;\n[Network(Onnx = \"mlp.onnx\")] public partial class Net;");
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() }, new AdditionalText[] { text }, GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        string first = driver.GetRunResult().GeneratedTrees.Single().ToString();

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions)));
        Assert.All(driver.GetRunResult().Results.Single().TrackedSteps[NetworkGenerator.Steps.Onnx].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

        // The same graph with other weights: a new file, as the IDE gives after a save.
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        TensorProto weight = model.Graph.Initializer.First(t => t.Dims.Count == 2);
        byte[] raw = weight.RawData.ToByteArray();
        raw[0] ^= 0x40;
        weight.RawData = ByteString.CopyFrom(raw);
        File.WriteAllBytes(path, model.ToByteArray());
        driver = driver.ReplaceAdditionalText(text, new FileText(path));
        driver = driver.RunGenerators(compilation);
        string second = driver.GetRunResult().GeneratedTrees.Single().ToString();
        Assert.NotEqual(first, second);
    }

    private static ModelProto Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 7, Graph = graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static ValueInfoProto Value(string name, int features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = features });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    private static NodeProto Node(GraphProto graph, string op, string output, params string[] inputs)
    {
        var n = new NodeProto { OpType = op, Name = op + "_" + output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        graph.Node.Add(n);
        return n;
    }
}
