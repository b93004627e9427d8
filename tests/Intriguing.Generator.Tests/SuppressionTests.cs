using System.Threading;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Intriguing.Generator.Tests;

/// <summary>Generator diagnostics sit in the user's syntax trees, so <c>#pragma warning</c> and per-file severities act on them.</summary>
public class SuppressionTests
{
    private const string StrideNetwork = """
        [Network, Input(3, 224, 224), Conv(96, 11, 4, 2), ReLU, MaxPool(3, 2), Dense(10), Softmax]
        public partial class Net;
        """;

    private const string StackedActivations = """
        [Network, Input(4), Dense(3), Sigmoid, ReLU, Dense(2), Softmax]
        public partial class Act;
        """;

    private static (Diagnostic[] Diagnostics, Compilation Output, GeneratorDriverRunResult Result) Run(string source, CSharpCompilationOptions? options = null)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(source);
        if (options is not null) compilation = compilation.WithOptions(options);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriverRunResult result = driver.GetRunResult();
        return (GeneratorHarness.GeneratorDiagnostics(result), output, result);
    }

    [Fact]
    public void INT017_is_reported_in_the_source_tree_at_the_stride()
    {
        string source = "using Intriguing;\n" + StrideNetwork;
        var (diagnostics, output, _) = Run(source);

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("INT017", d.Id);
        Assert.False(d.IsSuppressed);
        Assert.Equal(LocationKind.SourceFile, d.Location.Kind);
        Assert.Same(output.SyntaxTrees.First(), d.Location.SourceTree);

        // The stride argument of Conv(96, 11, 4, 2): line 2, the same span the value-held location recorded.
        int stride = source.IndexOf("Conv(96, 11, 4", StringComparison.Ordinal) + "Conv(96, 11, ".Length;
        Assert.Equal(new TextSpan(stride, 1), d.Location.SourceSpan);
        FileLinePositionSpan line = d.Location.GetLineSpan();
        Assert.Equal("Source0.cs", line.Path);
        Assert.Equal(new LinePosition(1, stride - "using Intriguing;\n".Length), line.StartLinePosition);
        Assert.Equal(new LinePosition(1, stride - "using Intriguing;\n".Length + 1), line.EndLinePosition);
    }

    [Fact]
    public void Pragma_disables_INT017()
    {
        var (diagnostics, output, result) = Run("using Intriguing;\n#pragma warning disable INT017\n" + StrideNetwork);

        // The compiler keeps a pragma-suppressed diagnostic, marked, and does not show it.
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("INT017", d.Id);
        Assert.True(d.IsSuppressed);
        Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void Pragma_restore_ends_the_suppression()
    {
        string source = "using Intriguing;\n#pragma warning disable INT017\n" + StrideNetwork
            + "\n#pragma warning restore INT017\n" + StrideNetwork.Replace("class Net;", "class Net2;");
        var (diagnostics, output, _) = Run(source);

        Diagnostic d = Assert.Single(diagnostics, d => !d.IsSuppressed);
        Assert.Equal("INT017", d.Id);
        Assert.Equal(source.LastIndexOf("Conv(96, 11, 4", StringComparison.Ordinal) + "Conv(96, 11, ".Length, d.Location.SourceSpan.Start);
        Assert.Same(output.SyntaxTrees.First(), d.Location.SourceTree);
    }

    [Fact]
    public void Pragma_disables_INT006()
    {
        var (unsuppressed, _, _) = Run("using Intriguing;\n" + StackedActivations);
        Assert.Equal("INT006", Assert.Single(unsuppressed).Id);

        var (diagnostics, _, result) = Run("using Intriguing;\n#pragma warning disable INT006\n" + StackedActivations);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("INT006", d.Id);
        Assert.True(d.IsSuppressed);
        Assert.Single(result.Results.Single().GeneratedSources);
    }

    [Fact]
    public void Per_file_severity_applies()
    {
        // What an .editorconfig section "dotnet_diagnostic.INT017.severity = error" gives the file's tree.
        CSharpCompilationOptions options = GeneratorHarness.Compilation().Options
            .WithSyntaxTreeOptionsProvider(new TreeSeverity("Source0.cs", "INT017", ReportDiagnostic.Error));
        var (diagnostics, _, _) = Run("using Intriguing;\n" + StrideNetwork, options);

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal("INT017", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void After_an_edit_of_the_file_diagnostics_point_into_the_new_tree_while_the_model_stays_cached()
    {
        string source = "using Intriguing;\n" + StrideNetwork;
        CSharpCompilation compilation = GeneratorHarness.Compilation(source);
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees.Single();
        SyntaxTree edited = CSharpSyntaxTree.ParseText(source + "\npublic class Unrelated { }\n", GeneratorHarness.ParseOptions, path: old.FilePath);

        GeneratorDriverRunResult result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult();

        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("INT017", d.Id);
        Assert.Same(edited, d.Location.SourceTree);
        Assert.All(
            result.Results.Single().TrackedSteps[NetworkGenerator.Steps.Model].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    private sealed class TreeSeverity(string path, string id, ReportDiagnostic severity) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic result)
        {
            result = severity;
            return tree.FilePath == path && diagnosticId == id;
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic result)
        {
            result = ReportDiagnostic.Default;
            return false;
        }
    }
}
