using System.Runtime.CompilerServices;

namespace Intriguing.Generator.Tests;

/// <summary>The generated source of every sample network, compared with committed snapshots and compiled.</summary>
public class SnapshotTests
{
    private static string SamplesSource([CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples", "Intriguing.Paper", "Models", "PaperModels.cs"));

    private static readonly string[] s_sampleNames =
    {
        "Fc10Lambda1em4", "Fc10Lambda1em2", "Fc10Lambda1", "Fc100x100x10", "Fc100x100x10Dropout", "Fc200x200x10", "Fc200x200x10Relu", "Fc200x200x10ReluDropout", "Fc123x456x10",
        "Ae400Encoder", "Ae400Decoder", "Ae400Classifier", "Ae400x10",
        "MnistConv", "MnistConvDropout", "Mnist4C3FSmall", "AlexNet",
    };

    /// <summary>
    /// The samples' only diagnostic: AlexNet's first convolution leaves the last padded row and column unread
    /// (INT017, intended; silenced in the samples project).
    /// </summary>
    private static void AssertOnlyAlexNetStrideWarning(GeneratorDriverRunResult result)
    {
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal("INT017", d.Id);
        Assert.StartsWith("Layer 1 (Conv(96, 11, stride 4, padding 2)): the stride 4 does not divide 228 − 11 = 217", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TheoryData<string> SampleNetworks() => new(s_sampleNames);

    [Theory]
    [MemberData(nameof(SampleNetworks))]
    public void Sample_network_source_matches_snapshot_and_compiles(string className)
    {
        var (result, output) = GeneratorHarness.Run(SamplesSource());

        AssertOnlyAlexNetStrideWarning(result);
        Diagnostic[] errors = GeneratorHarness.CompileErrors(output);
        Assert.True(errors.Length == 0, GeneratorHarness.Describe(errors));

        GeneratedSourceResult source = Assert.Single(result.Results.Single().GeneratedSources, s => s.HintName == $"Intriguing.Paper.{className}.g.cs");
        Snapshot.Verify(className, source.SourceText.ToString());
    }

    [Fact]
    public void Every_sample_network_is_generated_once()
    {
        var (result, _) = GeneratorHarness.Run(SamplesSource());
        string[] names = result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToArray();
        string[] expected = s_sampleNames.Select(n => $"Intriguing.Paper.{n}.g.cs").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, names);
    }

    [Fact]
    public void Output_is_byte_identical_across_runs()
    {
        string first = string.Join("\n", GeneratorHarness.Run(SamplesSource()).Result.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        string second = string.Join("\n", GeneratorHarness.Run(SamplesSource()).Result.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Nested_network_in_namespace_and_containing_types_compiles()
    {
        const string source = """
            using Intriguing;
            namespace Outer.Inner;
            public partial class Holder
            {
                internal partial record Box
                {
                    [Network, Input(3), Dense(2), Tanh, Dense(2, Bias = false), Softmax]
                    public partial class Net;
                }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Diagnostic[] errors = GeneratorHarness.CompileErrors(output);
        Assert.True(errors.Length == 0, GeneratorHarness.Describe(errors));
        Assert.Equal("Outer.Inner.Holder.Box.Net.g.cs", Assert.Single(result.Results.Single().GeneratedSources).HintName);
    }

    [Fact]
    public void User_code_reads_shapes_on_an_instance_and_gets_only_the_objective_that_fits()
    {
        const string source = """
            using Intriguing;
            public static class User
            {
                public static int Shapes(Classifier net, INetwork contract) =>
                    net.LayerCount + net.InputLength + net.OutputLength + net.ParameterBufferLength + net.ActivationLength(1)
                    + net.Summary.Layers.Count + contract.ActivationLength(2) + Classifier.Layout.Activation1Length;

                public const int Hidden = Classifier.Layout.Activation1Length;

                public static float Trained(Classifier c, Decoder d, NetworkWorkspace cw, NetworkWorkspace dw) =>
                    c.LossAndGradient(cw, new float[3], new[] { 1 }, 1, default)
                    + d.LossAndGradient(dw, new float[3], new float[2], 1, default);

                public static float Misused(Decoder d, NetworkWorkspace dw) => d.LossAndGradient(dw, new float[3], new[] { 1 }, 1, default);
            }

            [Network, Input(3), Dense(4), Tanh, Dense(2), Softmax]
            public partial class Classifier;

            [Network, Input(3), Dense(4), Tanh, Dense(2)]
            public partial class Decoder;
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Diagnostic[] errors = GeneratorHarness.CompileErrors(output);
        // Only the label loss on a network without soft-max fails, and at compile time (it has the target loss only).
        Diagnostic error = Assert.Single(errors);
        Assert.Equal("CS1503", error.Id);
        Assert.Contains("Misused", error.Location.SourceTree!.GetText().Lines.GetLineFromPosition(error.Location.SourceSpan.Start).ToString());
    }
}
