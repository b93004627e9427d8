using Intriguing.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Intriguing.Generator;

/// <summary>
/// Turns every <c>[Network]</c> partial class into specialized forward, backward and analysis code.
/// </summary>
/// <remarks>
/// Pipeline map:
/// <code>
/// ForAttributeWithMetadataName("Intriguing.NetworkAttribute")   (syntax filter: class declarations)
///   → Parse     : attributes in source order → ParsedNetwork (values and locations; no symbols or syntax)
///   → Analyze   : shape inference, parameter layout, stack checks → AnalysisResult (model + diagnostics)
///   ├→ Model    : the NetworkModel alone (no locations), so unrelated edits leave it equal and cached
///   │    → RegisterSourceOutput: emit "Namespace.Class.g.cs"
///   └→ Diagnostics + CompilationProvider → RegisterSourceOutput: report them
/// </code>
/// Diagnostics travel through the cached stages as values (<see cref="LocationInfo"/>) and are only joined with the
/// compilation when reported, to be located in its syntax trees: a location in a tree is what lets
/// <c>#pragma warning disable INTxxx</c> and per-file <c>.editorconfig</c> severities act on them. The model path never
/// sees the compilation, so the emitted source stays cached; only networks that have diagnostics pass through the join.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incremental-generator tests.</summary>
    public static class Steps
    {
        /// <summary>The parse step.</summary>
        public const string Parse = "Parse";

        /// <summary>The analysis step.</summary>
        public const string Analyze = "Analyze";

        /// <summary>The model fed to the emitter.</summary>
        public const string Model = "Model";

        /// <summary>The diagnostics fed to the reporter.</summary>
        public const string Diagnostics = "Diagnostics";
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<AnalysisResult> analysed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Intriguing.NetworkAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(Steps.Parse)
            .Select(static (parsed, _) => Analyzer.Analyze(parsed))
            .WithTrackingName(Steps.Analyze);

        IncrementalValuesProvider<NetworkModel> models = analysed
            .Select(static (r, _) => r.Model)
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(Steps.Model);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = analysed
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(Steps.Diagnostics);

        context.RegisterSourceOutput(models, static (spc, model) =>
            spc.AddSource(Emitter.HintName(model), Emitter.Emit(model)));

        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (DiagnosticInfo d in pair.Left) spc.ReportDiagnostic(d.ToDiagnostic(pair.Right));
        });
    }
}

/// <summary>Version stamped into [GeneratedCode]; fixed text so output does not depend on the build.</summary>
internal static class ThisAssembly
{
    public const string Version = "0.1.0";
}
