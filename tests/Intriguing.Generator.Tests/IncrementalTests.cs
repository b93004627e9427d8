using Microsoft.CodeAnalysis.CSharp;

namespace Intriguing.Generator.Tests;

/// <summary>The pipeline caches what did not change and regenerates what did.</summary>
public class IncrementalTests
{
    private const string Network = """
        using Intriguing;
        namespace Inc;
        [Network, Input(784), Dense(100, WeightDecay = 1e-5), Sigmoid, Dense(10), Softmax]
        public partial class Net;
        """;

    private const string Other = """
        namespace Inc;
        public class Unrelated { public int X => 1; }
        """;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) First(params string[] sources)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(sources);
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriverRunResult result, string step) =>
        result.Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorDriverRunResult result) =>
        result.Results.Single().TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void Unchanged_input_is_cached()
    {
        var (driver, compilation) = First(Network, Other);
        GeneratorDriverRunResult result = driver.RunGenerators(compilation.Clone()).GetRunResult();

        // A new compilation object re-runs the semantic transform; its result is equal, so nothing below re-runs.
        Assert.All(Reasons(result, NetworkGenerator.Steps.Parse), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "parse: " + r));
        Assert.All(Reasons(result, NetworkGenerator.Steps.Analyze), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "analysis: " + r));
        Assert.All(Reasons(result, NetworkGenerator.Steps.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "model: " + r));
        Assert.All(OutputReasons(result), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Unrelated_edit_leaves_the_source_output_cached()
    {
        var (driver, compilation) = First(Network, Other);
        SyntaxTree old = compilation.SyntaxTrees.ElementAt(1);
        SyntaxTree edited = CSharpSyntaxTree.ParseText(Other.Replace("X => 1", "X => 2"), GeneratorHarness.ParseOptions, path: old.FilePath);
        GeneratorDriverRunResult result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult();

        Assert.All(Reasons(result, NetworkGenerator.Steps.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(OutputReasons(result), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Edit_that_moves_the_network_down_keeps_the_model_unchanged()
    {
        // Comment lines above the class shift every location: the parse result changes, the model must not.
        var (driver, compilation) = First(Network);
        SyntaxTree old = compilation.SyntaxTrees.Single();
        SyntaxTree edited = CSharpSyntaxTree.ParseText("// a comment\n// another\n" + Network, GeneratorHarness.ParseOptions, path: old.FilePath);
        GeneratorDriverRunResult result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult();

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, NetworkGenerator.Steps.Parse));
        Assert.All(Reasons(result, NetworkGenerator.Steps.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "model: " + r));
        Assert.All(OutputReasons(result), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Layer_size_edit_regenerates()
    {
        var (driver, compilation) = First(Network, Other);
        SyntaxTree old = compilation.SyntaxTrees.First();
        SyntaxTree edited = CSharpSyntaxTree.ParseText(Network.Replace("Dense(100,", "Dense(200,"), GeneratorHarness.ParseOptions, path: old.FilePath);
        GeneratorDriverRunResult result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult();

        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(result, NetworkGenerator.Steps.Model));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(result));
        string generated = result.Results.Single().GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("public const int Activation1Length = 200;", generated);
    }
}

/// <summary>The pipeline's models compare by value, which is what makes the caching above possible.</summary>
public class ModelEqualityTests
{
    private static object Output(string step, string source)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(source);
        GeneratorDriverRunResult result = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation).GetRunResult();
        return result.Results.Single().TrackedSteps[step].Single().Outputs.Single().Value;
    }

    [Theory]
    [InlineData("Parse")]
    [InlineData("Analyze")]
    [InlineData("Model")]
    public void Independent_runs_over_equal_source_give_equal_models(string step)
    {
        const string source = "using Intriguing;\n[Network, Input(784), Dense(100, WeightDecay = 1e-5), Sigmoid, ReLU, Dense(10), Softmax]\npublic partial class Net;";
        object first = Output(step, source);
        object second = Output(step, source);
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, Output(step, source.Replace("Dense(10)", "Dense(11)")));
    }

    [Theory]
    [InlineData("Parse")]
    [InlineData("Analyze")]
    [InlineData("Model")]
    public void Convolutional_models_compare_by_value(string step)
    {
        const string source = "using Intriguing;\n[Network, Input(2, 9, 9), Conv(4, 3, padding: 1), ReLU, LocalResponseNorm(3), MaxPool(3, 2), ContrastNorm(1, 0.5), Dropout(0.5), Dense(3), Softmax]\npublic partial class Net;";
        object first = Output(step, source);
        object second = Output(step, source);
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, Output(step, source.Replace("padding: 1)", "padding: 1, Mode = Padding.Circular)")));
        Assert.NotEqual(first, Output(step, source.Replace("MaxPool(3, 2)", "MaxPool(3, 1)")));
        Assert.NotEqual(first, Output(step, source.Replace("Dropout(0.5)", "Dropout(0.25)")));
    }
}
