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
///   → Onnx      : with the AdditionalFiles' .onnx paths: [Network(Onnx = ...)] gets its layers and parameters from the model
///   → Analyze   : shape inference, parameter layout, stack checks → AnalysisResult (model + diagnostics)
///   ├→ Model    : the NetworkModel alone (no locations), so unrelated edits leave it equal and cached
///   │    + HintNames: the file-name stems networks share ignoring case (usually none)
///   │    → RegisterSourceOutput: emit "Namespace.Class.g.cs" (a hash before ".g.cs" for case twins)
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

        /// <summary>The ONNX files among the AdditionalFiles.</summary>
        public const string OnnxFiles = "OnnxFiles";

        /// <summary>The parsed network with the layers of its ONNX model, if it names one.</summary>
        public const string Onnx = "Onnx";

        /// <summary>The analysis step.</summary>
        public const string Analyze = "Analyze";

        /// <summary>The model fed to the emitter.</summary>
        public const string Model = "Model";

        /// <summary>The file-name stems that several networks share ignoring case.</summary>
        public const string HintNames = "HintNames";

        /// <summary>The diagnostics fed to the reporter.</summary>
        public const string Diagnostics = "Diagnostics";
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // [Network(Onnx = "...")] reads its model from the project's AdditionalFiles.
        IncrementalValueProvider<EquatableArray<OnnxFileRef>> onnxFiles = context.AdditionalTextsProvider
            .Where(static t => OnnxImport.IsOnnx(t))
            .Select(static (t, ct) => OnnxImport.Reference(t, ct))
            .Collect()
            .Select(static (all, _) => all.ToEquatableArray())
            .WithTrackingName(Steps.OnnxFiles);

        IncrementalValuesProvider<AnalysisResult> analysed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Intriguing.NetworkAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(Steps.Parse)
            .Combine(onnxFiles)
            .Select(static (pair, ct) => OnnxImport.Resolve(pair.Left, pair.Right, ct))
            .WithTrackingName(Steps.Onnx)
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

        // Hint names are compared ignoring case: networks whose file names would differ only in case get a hash suffix.
        IncrementalValueProvider<EquatableArray<string>> collidingStems = models
            .Collect()
            .Select(static (all, _) => Emitter.CollidingStems(all))
            .WithTrackingName(Steps.HintNames);

        context.RegisterSourceOutput(models.Combine(collidingStems), static (spc, pair) =>
            spc.AddSource(Emitter.HintName(pair.Left, pair.Right), Emitter.Emit(pair.Left)));

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
