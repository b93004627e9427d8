using Microsoft.CodeAnalysis.Diagnostics;

namespace Intriguing.Generator.Tests;

/// <summary>One test per diagnostic ID: the ID, the message and the exact location.</summary>
public partial class DiagnosticTests
{
    /// <summary>Runs the generator and asserts it reports exactly one diagnostic, with this ID, at this text, with this message.</summary>
    private static Diagnostic Single(string source, string id, string locatedText, string message)
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n" + source);
        Diagnostic[] diagnostics = GeneratorHarness.GeneratorDiagnostics(result);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(locatedText, LocatedText(output, d));

        // The generator's error must be the only error: no generated code that fails to compile on top of it.
        Diagnostic[] compileErrors = GeneratorHarness.CompileErrors(output);
        Assert.True(compileErrors.Length == 0, GeneratorHarness.Describe(compileErrors));
        return d;
    }

    [Fact]
    public void INT001_class_not_partial()
    {
        Diagnostic d = Single("[Network, Input(4), Dense(2), Softmax]\npublic class Net { }", "INT001", "Net",
            "Class 'Net' has [Network] but is not declared partial; add the 'partial' modifier so the generator can complete it");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(3, d.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void INT002_missing_input() => Single(
        "[Network, Dense(2), Softmax]\npublic partial class Net;", "INT002", "Net",
        "Network 'Net' declares no [Input]; add [Input(n)] (or [Input(channels, height, width)]) before the first layer");

    [Fact]
    public void INT021_input_after_a_layer() => Single(
        "[Network, Dense(2), Input(4), Softmax]\npublic partial class Net;", "INT021", "Input(4)",
        "[Input] of 'Net' comes after a layer; move it before the first layer");

    [Fact]
    public void INT003_second_input() => Single(
        "[Network, Input(4), Input(5), Dense(2), Softmax]\npublic partial class Net;", "INT003", "Input(5)",
        "Network 'Net' has more than one [Input]; declare the input once");

    [Fact]
    public void INT004_non_positive_units() => Single(
        "[Network, Input(4), Dense(3), Sigmoid, Dense(0), Softmax]\npublic partial class Net;", "INT004", "0",
        "Units of layer 3 (Dense) must be positive but is 0");

    [Fact]
    public void INT004_non_positive_input() => Single(
        "[Network, Input(-2), Dense(3), Softmax]\npublic partial class Net;", "INT004", "Input(-2)",
        "Input length must be positive but is -2");

    [Fact]
    public void INT004_non_positive_image_dimension() => Single(
        "[Network, Input(1, 0, 28), Dense(3), Softmax]\npublic partial class Net;", "INT004", "Input(1, 0, 28)",
        "Input height must be positive but is 0");

    [Fact]
    public void INT005_layer_after_softmax() => Single(
        "[Network, Input(4), Dense(3), Softmax, Dense(2)]\npublic partial class Net;", "INT005", "Dense(2)",
        "Layer 3 (Dense(2)) follows the soft-max of layer 2; the soft-max must be the last layer of the stack");

    [Fact]
    public void INT006_two_activations_in_a_row()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(4), Dense(3), Sigmoid, ReLU, Dense(2), Softmax]\npublic partial class Net;");
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT006", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Layer 3 (ReLU) directly follows the activation Sigmoid of layer 2; stacking activations is usually a mistake", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ReLU", LocatedText(output, d));

        // A warning still generates the network.
        Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void INT007_layer_on_another_partial_declaration()
    {
        var (result, output) = GeneratorHarness.Run(
            "using Intriguing;\n[Network, Input(4), Dense(3), Softmax]\npublic partial class Net;",
            "using Intriguing;\n[Sigmoid]\npublic partial class Net;");
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT007", d.Id);
        Assert.Equal("[Sigmoid] is on a different partial declaration of 'Net' than [Network]; the stack order across declarations is undefined, so put every layer attribute on the declaration that has [Network]", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Source1.cs", d.Location.GetLineSpan().Path);
        Assert.Equal("Sigmoid", LocatedText(output, d));
        Assert.Empty(result.Results.Single().GeneratedSources);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void INT008_no_layers() => Single(
        "[Network, Input(4)]\npublic partial class Net;", "INT008", "Net",
        "Network 'Net' has an [Input] but no layers; add at least one layer such as [Dense(10)]");

    [Fact]
    public void INT009_negative_weight_decay() => Single(
        "[Network, Input(4), Dense(3, WeightDecay = -0.5), Softmax]\npublic partial class Net;", "INT009", "WeightDecay = -0.5",
        "WeightDecay of layer 1 must be finite and non-negative but is -0.5");

    [Fact]
    public void INT009_nan_weight_decay() => Single(
        "[Network, Input(4), Dense(3, WeightDecay = double.NaN), Softmax]\npublic partial class Net;", "INT009", "WeightDecay = double.NaN",
        "WeightDecay of layer 1 must be finite and non-negative but is NaN");

    [Fact]
    public void INT009_weight_decay_beyond_float_range() => Single(
        "[Network, Input(4), Dense(3, WeightDecay = 1e300), Softmax]\npublic partial class Net;", "INT009", "WeightDecay = 1e300",
        "WeightDecay of layer 1 must be finite and non-negative but is 1E+300");

    [Fact]
    public void INT014_dropout_probability_that_rounds_to_one_in_float() => Single(
        "[Network, Input(4), Dense(3), ReLU, Dropout(0.99999999), Dense(2), Softmax]\npublic partial class Net;", "INT014", "0.99999999",
        "The dropout probability of layer 3 must be at least 0 and less than 1 but is 0.99999999");

    [Fact]
    public void INT010_generic_class() => Single(
        "[Network, Input(4), Dense(3), Softmax]\npublic partial class Net<T>;", "INT010", "Net",
        "Class 'Net' cannot be a network: generic network classes are not supported; remove the type parameters");

    [Fact]
    public void INT010_static_class() => Single(
        "[Network, Input(4), Dense(3), Softmax]\npublic static partial class Net { }", "INT010", "Net",
        "Class 'Net' cannot be a network: a static class cannot hold parameters; remove 'static'");

    [Fact]
    public void INT010_containing_type_not_partial() => Single(
        "public class Outer { [Network, Input(4), Dense(3), Softmax] public partial class Net; }", "INT010", "Net",
        "Class 'Net' cannot be a network: its containing type 'Outer' is not partial; declare every containing type partial");

    [Fact]
    public void INT022_layer_output_too_large() => Single(
        "[Network, Input(1, 1000, 1000), Conv(4000, 1), Dense(2), Softmax]\npublic partial class Net;", "INT022", "Conv(4000, 1)",
        "Layer 1 (Conv(4000, 1, stride 1, padding 0)) outputs 4,000,000,000 values per sample, more than the 2,147,483,583 a buffer can hold; make it smaller");

    [Fact]
    public void INT023_convolution_buffer_too_large() => Single(
        "[Network, Input(100, 1000, 1000), Conv(1, 5), Dense(2), Softmax]\npublic partial class Net;", "INT023", "Conv(1, 5)",
        "Layer 1 (Conv(1, 5, stride 1, padding 0)) needs an im2col buffer of more than 2,147,483,583 values for one sample; make its input or kernel smaller");

    [Fact]
    public void INT025_undefined_padding_mode() => Single(
        "[Network, Input(1, 6, 6), Conv(2, 3, Mode = (Padding)7), Dense(2), Softmax]\npublic partial class Net;", "INT025", "Mode = (Padding)7",
        "Mode of layer 1 (Conv) is 7, which is not a Padding value; use Padding.Zero or Padding.Circular");

    [Fact]
    public void INT024_field_with_a_generated_name()
    {
        Diagnostic d = Single("[Network, Input(4), Dense(2), Softmax]\npublic partial class Net { public int Summary; }", "INT024", "Summary",
            "Member 'Summary' of 'Net' has the name of a member the generator writes for the network; rename it");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void INT024_nothing_is_emitted_so_no_error_points_into_generated_code()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(4), Dense(2), Softmax]\npublic partial class Net { public static int Parameters() => 0; }");
        Assert.Equal("INT024", Assert.Single(GeneratorHarness.GeneratorDiagnostics(result)).Id);
        Assert.Empty(result.GeneratedTrees);
        Assert.DoesNotContain(GeneratorHarness.CompileErrors(output), e => e.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("public void WeightDecayPenalty() { }", "WeightDecayPenalty")]
    [InlineData("public static int ActivationLength(int x) => x;", "ActivationLength")]
    [InlineData("public void Forward(System.ReadOnlySpan<float> a, System.Span<float> b) { }", "Forward")]
    [InlineData("public float AddWeightDecay(System.Span<float> g) => 0;", "AddWeightDecay")]
    [InlineData("public void Initialize(ref ulong seed) { }", "Initialize")]
    public void INT024_method_with_the_signature_of_a_generated_method(string member, string name) => Single(
        "[Network, Input(4), Dense(2), Softmax]\npublic partial class Net { " + member + " }", "INT024", name,
        "Member '" + name + "' of 'Net' has the name of a member the generator writes for the network; rename it");

    [Fact]
    public void A_method_overload_of_a_generated_method_is_allowed()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(4), Dense(2), Softmax]\npublic partial class Net { public void Forward(int unused) { } public int Extra => 1; }");
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void INT011_too_many_parameters() => Single(
        "[Network, Input(100000), Dense(100000), Softmax]\npublic partial class Net;", "INT011", "Net",
        "Network 'Net' needs 10,000,100,000 parameter values, more than the 2,147,483,583 a single buffer can hold; make its layers smaller");

    [Fact]
    public void INT012_softmax_over_one_unit()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(4), Dense(1), Softmax]\npublic partial class Net;");
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT012", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Softmax", LocatedText(output, d));
        Assert.Equal("The soft-max of layer 2 has a single input, so its output is always 1 and nothing can be learned; give the layer before it at least two units", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void INT013_activation_on_the_input()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(4), Tanh, Dense(3), Softmax]\npublic partial class Net;");
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT013", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Tanh", LocatedText(output, d));
        Assert.Equal("Layer 1 (Tanh) applies an activation directly to the input; nothing is learned before it", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void INT014_dropout_probability_of_one() => Single(
        "[Network, Input(4), Dense(3), ReLU, Dropout(1), Dense(2), Softmax]\npublic partial class Net;", "INT014", "1",
        "The dropout probability of layer 3 must be at least 0 and less than 1 but is 1");

    [Fact]
    public void INT014_negative_dropout_probability() => Single(
        "[Network, Input(4), Dropout(-0.5), Dense(2), Softmax]\npublic partial class Net;", "INT014", "-0.5",
        "The dropout probability of layer 1 must be at least 0 and less than 1 but is -0.5");

    [Fact]
    public void INT015_conv_after_a_dense_layer() => Single(
        "[Network, Input(1, 8, 8), Dense(16), ReLU, Conv(4, 3), Dense(2), Softmax]\npublic partial class Net;", "INT015", "Conv(4, 3)",
        "Layer 3 (Conv(4, 3, stride 1, padding 0)) needs a channels × height × width input but receives a flat vector of 16 values; declare [Input(c, h, w)] and put convolutions and pooling before the dense layers");

    [Fact]
    public void INT015_pooling_on_a_flat_input() => Single(
        "[Network, Input(64), MaxPool(2), Dense(2), Softmax]\npublic partial class Net;", "INT015", "MaxPool(2)",
        "Layer 1 (MaxPool(2, stride 2)) needs a channels × height × width input but receives a flat vector of 64 values; declare [Input(c, h, w)] and put convolutions and pooling before the dense layers");

    [Fact]
    public void INT016_kernel_larger_than_the_padded_input() => Single(
        "[Network, Input(1, 4, 6), Conv(2, 7, padding: 1), Dense(2), Softmax]\npublic partial class Net;", "INT016", "Conv(2, 7, padding: 1)",
        "Layer 1 (Conv(2, 7, stride 1, padding 1)) needs at least 7×7 input but receives 4×6 (4×6 padded to 6×8)");

    [Fact]
    public void INT016_pool_window_larger_than_its_input() => Single(
        "[Network, Input(1, 7, 7), Conv(2, 3, 2), ReLU, MaxPool(4), Dense(2), Softmax]\npublic partial class Net;", "INT016", "MaxPool(4)",
        "Layer 3 (MaxPool(4, stride 4)) needs at least 4×4 input but receives 3×3");

    [Fact]
    public void INT016_average_pool_window_larger_than_its_input() => Single(
        "[Network, Input(2, 3, 5), AvgPool(4, 1), Dense(2), Softmax]\npublic partial class Net;", "INT016", "AvgPool(4, 1)",
        "Layer 1 (AvgPool(4, stride 1)) needs at least 4×4 input but receives 3×5");

    [Fact]
    public void INT004_average_pool_stride_zero() => Single(
        "[Network, Input(1, 6, 6), AvgPool(2, 0), Dense(2), Softmax]\npublic partial class Net;", "INT004", "0",
        "Stride of layer 1 (AvgPool) must be positive but is 0");

    [Fact]
    public void INT017_stride_does_not_divide()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(3, 224, 224), Conv(96, 11, 4, 2), ReLU, MaxPool(3, 2), Dense(10), Softmax]\npublic partial class Net;");
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT017", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("4", LocatedText(output, d));
        Assert.Equal("Layer 1 (Conv(96, 11, stride 4, padding 2)): the stride 4 does not divide 228 − 11 = 217 (height after padding), so the last 1 row(s) and 1 column(s) of the input are never read; the output is 96×55×55",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void INT017_pool_stride_does_not_divide_the_width()
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n[Network, Input(2, 5, 6), MaxPool(2), Dense(3), Softmax]\npublic partial class Net;");
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT017", d.Id);
        Assert.Equal("2", LocatedText(output, d));
        Assert.Equal("Layer 1 (MaxPool(2, stride 2)): the stride 2 does not divide 5 − 2 = 3 (height), so the last 1 row(s) of the input are never read; the output is 2×2×3",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void INT018_padding_as_large_as_the_kernel() => Single(
        "[Network, Input(1, 8, 8), Conv(2, 3, 1, 3), Dense(2), Softmax]\npublic partial class Net;", "INT018", "3",
        "Padding of layer 1 (Conv) must be between 0 and the kernel side minus one (2) but is 3");

    [Fact]
    public void INT018_negative_padding() => Single(
        "[Network, Input(1, 8, 8), Conv(2, 3, padding: -1), Dense(2), Softmax]\npublic partial class Net;", "INT018", "padding: -1",
        "Padding of layer 1 (Conv) must be between 0 and the kernel side minus one (2) but is -1");

    [Fact]
    public void INT004_zero_stride() => Single(
        "[Network, Input(1, 8, 8), Conv(2, 3, 0), Dense(2), Softmax]\npublic partial class Net;", "INT004", "0",
        "Stride of layer 1 (Conv) must be positive but is 0");

    [Fact]
    public void INT019_even_response_norm_window() => Single(
        "[Network, Input(4, 3, 3), Conv(8, 1), ReLU, LocalResponseNorm(4), Dense(2), Softmax]\npublic partial class Net;", "INT019", "4",
        "Size of layer 3 (LocalResponseNorm) must be odd and positive but is 4");

    [Fact]
    public void INT019_zero_epsilon() => Single(
        "[Network, Input(4, 3, 3), Conv(8, 1), ContrastNorm(0, 0.5), Dense(2), Softmax]\npublic partial class Net;", "INT019", "0",
        "Epsilon of layer 2 (ContrastNorm) must be positive and finite but is 0");

    [Fact]
    public void INT019_negative_beta() => Single(
        "[Network, Input(4, 3, 3), Conv(8, 1), LocalResponseNorm(beta: -1), Dense(2), Softmax]\npublic partial class Net;", "INT019", "beta: -1",
        "Beta of layer 2 (LocalResponseNorm) must be finite and non-negative but is -1");

    [Fact]
    public void INT020_layer_attributes_without_network()
    {
        var (diagnostics, compilation) = OrphanLayerDiagnostics("using Intriguing;\n[Input(4), Dense(3), Softmax]\npublic partial class Net;");
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("INT020", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("[Input] on class 'Net' has no effect: the class has no [Network], so no network is generated from its layer attributes; add [Network] to the declaration that holds them, or remove them",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(LocationKind.SourceFile, d.Location.Kind);
        Assert.Equal("Input(4)", LocatedText(compilation, d));
        Assert.Equal(2, d.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void INT020_once_per_class_on_its_first_layer_attribute_and_suppressible()
    {
        var (diagnostics, compilation) = OrphanLayerDiagnostics("""
            using Intriguing;
            [System.Obsolete]
            [Dense(3), Softmax]
            public class Net;
            #pragma warning disable INT020
            [Sigmoid]
            public class Quiet;
            #pragma warning restore INT020
            """);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("INT020", d.Id);
        Assert.Equal("Dense(3)", LocatedText(compilation, d));
    }

    [Fact]
    public void INT020_not_reported_for_network_classes()
    {
        // Valid networks, a network whose layers sit on another partial declaration (INT007 is the generator's),
        // a class without layer attributes, and a network with errors: none of them gets INT020.
        var (diagnostics, _) = OrphanLayerDiagnostics(
            """
            using Intriguing;
            [Network, Input(784), Dense(100), Sigmoid, Dense(10), Softmax]
            public partial class A;
            [Network(Name = "b")]
            [Input(3, 4, 5)]
            [Conv(2, 3), ReLU, MaxPool(2), Dense(2), Tanh]
            internal partial class B;
            [Network, Input(4), Dense(3)]
            public partial class C;
            [Network, Dense(3), Softmax]
            public class D;
            [System.Serializable]
            public class Plain;
            """,
            "using Intriguing;\n[Sigmoid]\npublic partial class C;");
        Assert.Empty(diagnostics);
    }

    /// <summary>Diagnostics of the analyzer for layer attributes without [Network], over a compilation of the sources.</summary>
    private static (Diagnostic[] Diagnostics, Compilation Compilation) OrphanLayerDiagnostics(params string[] sources)
    {
        Compilation compilation = GeneratorHarness.Compilation(sources);
        System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics = compilation
            .WithAnalyzers(System.Collections.Immutable.ImmutableArray.Create<DiagnosticAnalyzer>(new OrphanLayerAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return (diagnostics.ToArray(), compilation);
    }

    [Fact]
    public void Valid_networks_have_no_diagnostics()
    {
        var (result, output) = GeneratorHarness.Run("""
            using Intriguing;
            [Network, Input(784), Dense(100, WeightDecay = 1e-5), Sigmoid, Dense(10, WeightDecay = 1e-6), Softmax]
            public partial class A;
            [Network(Name = "regression")]
            [Input(3, 4, 5)]
            [Dense(7, Bias = false), ReLU]
            [Dense(2), Tanh]
            internal partial class B;
            [Network, Input(10), Dropout(0.2), Dense(8), ReLU, Dropout(0.5), Dense(3), Softmax]
            internal partial class C;
            [Network, Input(3, 17, 17)]
            [Conv(8, 3, padding: 1, Mode = Padding.Circular, WeightDecay = 1e-4), ReLU, LocalResponseNorm, MaxPool(3, 2)]
            [Conv(4, 5, stride: 1, padding: 2, Bias = false), Tanh, ContrastNorm(1, 0.5), MaxPool(4)]
            [Dense(3), Softmax]
            internal partial class D;
            """);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        Assert.Equal(4, result.Results.Single().GeneratedSources.Length);
    }

    [Fact]
    public void Every_descriptor_has_a_help_page_and_a_release_entry()
    {
        string root = RepoRoot();
        string releases = File.ReadAllText(Path.Combine(root, "src", "Generator", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(root, "src", "Generator", "AnalyzerReleases.Shipped.md"));
        foreach (DiagnosticDescriptor d in DiagnosticDescriptors.All)
        {
            string page = Path.Combine(root, "docs", "diagnostics", d.Id + ".md");
            Assert.True(File.Exists(page), $"missing help page {page}");
            Assert.Contains(d.Id, File.ReadAllText(page));
            Assert.Contains(d.Id + " ", releases);
        }
    }

    [Fact]
    public void Every_descriptor_is_covered_by_a_test_here()
    {
        string[] names = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).ToArray();
        foreach (DiagnosticDescriptor d in DiagnosticDescriptors.All)
        {
            Assert.Contains(names, n => n.StartsWith(d.Id + "_", StringComparison.Ordinal));
        }
    }

    /// <summary>The source text a diagnostic points at, found through its file path and span.</summary>
    private static string LocatedText(Compilation compilation, Diagnostic d)
    {
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.True(span.IsValid, "diagnostic has no location");
        SyntaxTree tree = Assert.Single(compilation.SyntaxTrees, t => t.FilePath == span.Path);
        Assert.Equal(span.StartLinePosition, tree.GetText().Lines.GetLinePosition(d.Location.SourceSpan.Start));
        return tree.GetText().ToString(d.Location.SourceSpan);
    }

    internal static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));
}
