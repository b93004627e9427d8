using System.Globalization;
using System.Text;
using Intriguing.Composition;
using Intriguing.Data;
using Intriguing.Interop;
using Intriguing.Layers;
using Intriguing.Training;
using System.Text.RegularExpressions;

namespace Intriguing.Cli.Tests;

/// <summary>The CLI on networks and data of the user's own: ONNX models, NumPy and CSV files, a compiled assembly.</summary>
public sealed class UserNetworkCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    private static (int ExitCode, string Out, string Err) Run(string arguments) => CliRunner.Run(arguments, 300);

    /// <summary>The PyTorch-exported MLP of the ONNX tests (1×8×8 inputs, 10 classes), copied next to the test data.</summary>
    private string Mlp()
    {
        string here = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Intriguing.Networks.Tests", "Onnx", "torch_mlp.onnx");
        string path = Temp("mlp.onnx");
        File.Copy(here, path);
        return path;
    }

    /// <summary>Inputs in [0, 1] and labels: the network's own predictions, with the first <paramref name="wrong"/> changed.</summary>
    private static (float[] X, int[] Y) Data(ComposedNetwork net, int count, int wrong)
    {
        var random = new Random(5);
        float[] x = Enumerable.Range(0, count * net.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        float[] outputs = new float[count * net.OutputLength];
        net.Forward(net.CreateWorkspace(count), x, outputs, count);
        int[] y = Enumerable.Range(0, count).Select(s => Array.IndexOf(outputs, outputs.AsSpan(s * net.OutputLength, net.OutputLength).ToArray().Max(), s * net.OutputLength) - (s * net.OutputLength)).ToArray();
        for (int s = 0; s < wrong; s++) y[s] = (y[s] + 1) % net.OutputLength;
        return (x, y);
    }

    [Fact]
    public void Onnx_model_is_evaluated_attacked_and_bounded_on_npy_and_csv_data()
    {
        string model = Mlp();
        ComposedNetwork net = OnnxModel.Import(model);
        const int Count = 12, Wrong = 3;
        (float[] x, int[] y) = Data(net, Count, Wrong);
        NumPy.Write(Temp("x.npy"), x, Count, 1, 8, 8);
        NumPy.WriteLabels(Temp("y.npy"), y);
        var csv = new StringBuilder();
        for (int s = 0; s < Count; s++)
        {
            csv.Append(string.Join(",", x.Skip(s * 64).Take(64).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(y[s]).Append('\n');
        }

        File.WriteAllText(Temp("d.csv"), csv.ToString());
        string expected = string.Create(CultureInfo.InvariantCulture, $"{(double)Wrong / Count:P2} of {Count} examples");

        var (code, output, error) = Run($"evaluate --onnx \"{model}\" --data \"{Temp("x.npy")}\" --labels \"{Temp("y.npy")}\"");
        Assert.True(code == 0, error);
        Assert.Contains($"error on x.npy: {expected}", output);
        (code, output, error) = Run($"evaluate --onnx \"{model}\" --data \"{Temp("d.csv")}\" --range 0:1");
        Assert.True(code == 0, error);
        Assert.Contains($"error on d.csv: {expected}", output);

        string outDir = Temp("out");
        (code, output, error) = Run($"attack --onnx \"{model}\" --data \"{Temp("d.csv")}\" --range 0:1 --all --out \"{outDir}\" --quiet --threads 1");
        Assert.True(code == 0, error);
        Assert.Contains($"of {Count - Wrong} correctly classified examples attacked successfully", output);
        Assert.Contains($"{Wrong} of {Count} drawn were misclassified and left out", output);
        string json = File.ReadAllText(Path.Combine(outDir, "attack-mlp-d-csv-layer0-every.json"));
        Assert.Contains("\"source\": \"d.csv\"", json);
        Assert.Contains("\"l2\":", json);
        Assert.True(File.Exists(Path.Combine(outDir, "attack-mlp-d-csv-layer0-every.png")));
        NpyArray examples = NumPy.Read(Path.Combine(outDir, "attack-mlp-d-csv-layer0-every.npy"));
        Assert.Equal([Count - Wrong, 64], examples.Shape);
        Assert.All(examples.Values, v => Assert.InRange(v, 0f, 1f));

        // Units of φ(x) on the user's network and data: 1×8×8 tiles, the purity of each row's top examples.
        (code, output, error) = Run($"units --onnx \"{model}\" --data \"{Temp("x.npy")}\" --labels \"{Temp("y.npy")}\" --layer 2 --rows 3 --count 4 --seeds 2 --out \"{outDir}\"");
        Assert.True(code == 0, error);
        Assert.Contains("mlp, activation 2: label purity of the top 4 test images", output);
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "units-mlp-layer2-natural.png"));
        Assert.True(File.Exists(Path.Combine(outDir, "units-mlp-layer2-random.png")));
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        var grid = new Intriguing.Reporting.ImageGrid(3, 4, 8, 8);
        Assert.Equal(grid.Width, width);
        (code, _, error) = Run($"units --onnx \"{model}\" --data \"{Temp("x.npy")}\" --labels \"{Temp("y.npy")}\" --layer 9 --out \"{outDir}\"");
        Assert.Equal(2, code);
        Assert.Contains("--layer must be between 1 and 6 for mlp, not 9", error);

        (code, output, error) = Run($"spectral --onnx \"{model}\" --data \"{Temp("x.npy")}\" --labels \"{Temp("y.npy")}\" --examples 5 --out \"{outDir}\" --quiet");
        Assert.True(code == 0, error);
        Assert.Contains("Dense1", output);
        Assert.Contains("Data-based lower estimate", output);
        Assert.True(File.Exists(Path.Combine(outDir, "spectral-mlp.md")));
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Intriguing.Networks.Tests", "Onnx", name);

    [Fact]
    public void Clipped_training_of_a_strided_padded_conv_net_keeps_every_layer_bound_at_most_tau()
    {
        // Singular-value clipping (Sedghi et al.) every second step, rescaling in between, on an imported conv net with
        // stride 2 and padding 1, then padding 2: the reported bound of every layer is at most τ.
        ComposedNetwork net = OnnxModel.Import(Fixture("torch_conv_pad_stride.onnx"));
        const int Count = 48;
        (float[] x, int[] y) = Data(net, Count, 10);
        NumPy.Write(Temp("cx.npy"), x, Count, 2, 11, 11);
        NumPy.WriteLabels(Temp("cy.npy"), y);
        var (code, output, error) = Run($"train --onnx \"{Fixture("torch_conv_pad_stride.onnx")}\" --data \"{Temp("cx.npy")}\" --labels \"{Temp("cy.npy")}\" --epochs 2 --batch 8 --lipschitz clip --tau 0.5 --clip-period 2 --quiet --threads 1 --out \"{Temp("clip")}\"");
        Assert.True(code == 0, error + output);
        Match bounds = Regex.Match(output, @"layer bounds Conv1 (\S+), Conv2 (\S+), Dense1 (\S+); logit bound L = (\S+)");
        Assert.True(bounds.Success, output);
        for (int g = 1; g <= 3; g++) Assert.InRange(double.Parse(bounds.Groups[g].Value, CultureInfo.InvariantCulture), 0, 0.5);

        // The trained parameters, read back: each convolution's certified bound (Fourier method, strides and padding) ≤ τ.
        string checkpoint = Path.Combine(Temp("clip"), "checkpoints", "torch-conv-pad-stride.ckpt");
        Checkpoint.Load(checkpoint, net);
        int convolutions = 0;
        foreach (LayerInfo layer in net.Summary.Layers.Where(l => l.Name.StartsWith("Conv", StringComparison.Ordinal)))
        {
            LayerGeometry g = layer.Geometry!;
            int weights = g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel;
            (double bound, _) = Convolution.LipschitzBound(net.Parameters.Slice(layer.WeightOffset, weights), g);
            Assert.InRange(bound, 0, 0.5 * (1 + 1e-5));
            convolutions++;
        }

        Assert.Equal(2, convolutions);
    }

    [Fact]
    public void Spectral_bounds_a_residual_graph_node_by_node()
    {
        string outDir = Temp("out");
        var (code, output, error) = Run($"spectral --onnx \"{Fixture("torch_tiny_resnet.onnx")}\" --out \"{outDir}\"");
        Assert.True(code == 0, error);
        Assert.Contains("| /a/a.0/Conv | Conv+BatchNormalization | 4×8×8 | 4×8×8 |", output);
        Assert.Contains("| /Add_1 | /Relu_output_0 |", output);
        Assert.Contains("Bound of the map 3×8×8 → 5", output);
        Assert.True(File.Exists(Path.Combine(outDir, "spectral-torch-tiny-resnet.json")), string.Join(", ", Directory.GetFiles(outDir)));
    }

    [Fact]
    public void Spectral_refuses_a_graph_operator_with_no_bound_in_one_line()
    {
        var (code, output, error) = Run($"spectral --onnx \"{Fixture("torch_gelu_block.onnx")}\" --out \"{Temp("out")}\"");
        Assert.Equal(2, code);
        Assert.StartsWith("error: torch_gelu_block.onnx: node '/Erf' (Erf): operator Erf has no Lipschitz bound here", error.Trim());
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Network_class_of_a_compiled_assembly_is_exported_to_ONNX_that_imports_back()
    {
        string assembly = Path.Combine(AppContext.BaseDirectory, "Intriguing.Paper.dll");
        var (code, output, error) = Run($"export --assembly \"{assembly}\" --network MnistConv --onnx \"{Temp("conv.onnx")}\"");
        Assert.True(code == 0, error);
        Assert.Contains("Wrote MNIST-Conv", output);
        var expected = new Intriguing.Paper.MnistConv(0);
        ComposedNetwork back = OnnxModel.Import(Temp("conv.onnx"));
        Assert.Equal("MNIST-Conv", back.Name);
        Assert.Equal(expected.Summary.Parameters, back.Summary.Parameters);
        Assert.True(expected.Parameters.SequenceEqual(back.Parameters), "the exported parameters differ from the class's seed-0 parameters");
    }

    [Fact]
    public void Bad_models_and_data_are_one_line_errors_with_exit_code_2()
    {
        string model = Mlp();
        File.WriteAllBytes(Temp("cut.onnx"), File.ReadAllBytes(model)[..1000]);
        File.WriteAllText(Temp("nan.csv"), string.Join(",", Enumerable.Repeat("0.5", 64)) + ",1\n" + string.Join(",", Enumerable.Repeat("NaN", 64)) + ",2\n");
        File.WriteAllText(Temp("short.csv"), "0.5,0.5,1\n");
        NumPy.Write(Temp("x.npy"), new float[64], 1, 64);
        foreach (var (arguments, message) in new[]
        {
            ($"evaluate --onnx \"{Temp("cut.onnx")}\" --data \"{Temp("short.csv")}\"", "error: cut.onnx: not a valid ONNX model"),
            ($"evaluate --onnx \"{Temp("missing.onnx")}\" --data \"{Temp("short.csv")}\"", "error: ONNX file not found"),
            ($"evaluate --onnx \"{model}\" --data \"{Temp("nan.csv")}\"", "nan.csv: row 1: input 0 is NaN (not finite)."),
            ($"evaluate --onnx \"{model}\" --data \"{Temp("short.csv")}\"", "short.csv: samples have 2 values but mlp reads 64"),
            ($"evaluate --onnx \"{model}\" --data \"{Temp("x.npy")}\"", "needs its labels in a second .npy file"),
            ($"attack --onnx \"{model}\" --data \"{Temp("short.csv")}\" --range 1:0", "--range must be LO:HI with LO < HI"),
        })
        {
            var (code, _, error) = Run(arguments);
            Assert.True(code == 2, $"{arguments}: exit code {code}, {error}");
            Assert.Contains(message, error);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        var (c, _, e) = Run($"evaluate --onnx \"{model}\" --model FC10(1) --data \"{Temp("short.csv")}\"");
        Assert.Equal(2, c);
        Assert.Contains("Give exactly one network", e);
    }
}

/// <summary>The CLI on a network class of a user's own assembly, compiled here with the generator.</summary>
public sealed class UserAssemblyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-asm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    private static (int ExitCode, string Out, string Err) Run(string arguments) => CliRunner.Run(arguments, 300);

    private const string Source = """
        using Intriguing;

        namespace Tiny;

        [Network(Name = "Tiny")]
        [Input(4)]
        [Dense(8), ReLU]
        [Dense(3), Softmax]
        public partial class TinyNet;
        """;

    /// <summary>Compiles <see cref="Source"/> with the network generator into Tiny.dll.</summary>
    private string Compile()
    {
        var parse = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<Microsoft.CodeAnalysis.MetadataReference>()
            .Append(Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location))
            .Append(Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location))
            .Append(Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Tiny",
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Source, parse)], references,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create([Microsoft.CodeAnalysis.GeneratorExtensions.AsSourceGenerator(new Intriguing.Generator.NetworkGenerator())], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        string path = Temp("Tiny.dll");
        Microsoft.CodeAnalysis.Emit.EmitResult emitted;
        using (FileStream file = File.Create(path)) emitted = output.Emit(file);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return path;
    }

    /// <summary>Three well-separated Gaussian clusters in four dimensions, one per class, inside [−4, 4].</summary>
    private void WriteClusters(string path, int perClass, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 3 * perClass; i++)
        {
            int label = i % 3;
            double[] x = Enumerable.Range(0, 4).Select(k => (k == label ? 2.0 : -1.0) + (0.3 * (random.NextDouble() - 0.5))).ToArray();
            csv.Append(string.Join(",", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(label).Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static double ErrorOf(string output)
    {
        string line = output.Split('\n').First(l => l.Contains("error on"));
        string percent = line.Split(": ")[1].Split(" %")[0];
        return double.Parse(percent, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Declared_network_is_trained_on_csv_attacked_and_bounded()
    {
        string dll = Compile();
        WriteClusters(Temp("train.csv"), 40, 1);
        string ckpt = Temp("tiny.ckpt");
        string net = $"--assembly \"{dll}\" --network TinyNet";
        string data = $"--data \"{Temp("train.csv")}\" --range -4:4";

        var (code, before, error) = Run($"evaluate {net} {data}");
        Assert.True(code == 0, error);
        (code, string output, error) = Run($"train {net} {data} --epochs 20 --lr 0.05 --checkpoint \"{ckpt}\" --threads 1 --quiet");
        Assert.True(code == 0, error);
        Assert.Contains("Tiny (Tiny.TinyNet in", output);
        Assert.True(File.Exists(ckpt));
        (code, string after, error) = Run($"evaluate {net} --checkpoint \"{ckpt}\" {data}");
        Assert.True(code == 0, error);
        Assert.True(ErrorOf(after) < ErrorOf(before), $"training did not lower the error: before {before}, after {after}");

        // The same checkpoint with other settings is neither reused nor overwritten silently.
        byte[] saved = File.ReadAllBytes(ckpt);
        (code, _, error) = Run($"train {net} {data} --epochs 20 --lr 0.01 --checkpoint \"{ckpt}\" --threads 1 --quiet");
        Assert.Equal(1, code);
        Assert.Contains("other settings", error);
        Assert.Equal(saved, File.ReadAllBytes(ckpt));

        (code, output, error) = Run($"attack {net} --checkpoint \"{ckpt}\" {data} --count 6 --out \"{Temp("out")}\" --quiet --threads 1");
        Assert.True(code == 0, error);
        Assert.Contains("Tiny on train.csv, layer 0", output);
        (code, output, error) = Run($"spectral {net} --checkpoint \"{ckpt}\" {data} --examples 10 --out \"{Temp("out")}\" --quiet");
        Assert.True(code == 0, error);
        Assert.Contains("Dense2", output);
        Assert.Contains("Product up to the logits", output);
    }
}

/// <summary>Catalogue models: commands use the checkpoint a `train` wrote, whatever its settings, and never retrain silently.</summary>
public sealed class CheckpointReuseCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Attack_after_a_train_with_other_settings_uses_its_checkpoint()
    {
        string data = TestPaths.MnistDirectory();
        var (code, _, error) = CliRunner.Run($"train --model FC10(1e-2) --optimizer sgd --epochs 1 --data \"{data}\" --out \"{_dir}\" --quiet", 300);
        Assert.True(code == 0, error);
        string checkpoint = Path.Combine(_dir, "checkpoints", "fc10-1e-2.ckpt");
        byte[] trained = File.ReadAllBytes(checkpoint);

        (code, string output, error) = CliRunner.Run($"attack --model FC10(1e-2) --count 2 --target RunnerUp --data \"{data}\" --out \"{_dir}\" --threads 1", 300);
        Assert.True(code == 0, error);
        Assert.Contains($"FC10(1e-2): parameters from {checkpoint}.", error);
        Assert.DoesNotContain("training it by its recipe", error);
        Assert.Contains("FC10(1e-2) on MNIST train, layer 0", output);
        Assert.Equal(trained, File.ReadAllBytes(checkpoint));

        (code, _, error) = CliRunner.Run($"attack --model FC10(1e-2) --count 2 --checkpoint \"{Path.Combine(_dir, "none.ckpt")}\" --data \"{data}\" --out \"{_dir}\"", 300);
        Assert.Equal(1, code);
        Assert.Contains("No checkpoint at", error);

        // A checkpoint where `reproduce --quick` keeps them is found by later commands given the same --out.
        string quick = Path.Combine(_dir, "quick");
        Directory.CreateDirectory(Path.Combine(quick, "checkpoints-quick"));
        File.Copy(checkpoint, Path.Combine(quick, "checkpoints-quick", "fc10-1e-2.ckpt"));
        (code, output, error) = CliRunner.Run($"evaluate --model FC10(1e-2) --data \"{data}\" --out \"{quick}\" --quiet", 300);
        Assert.True(code == 0, error);
        Assert.Contains($"FC10(1e-2) ({Path.Combine(quick, "checkpoints-quick", "fc10-1e-2.ckpt")})", output);
    }
}
