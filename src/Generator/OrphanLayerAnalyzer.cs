using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Intriguing.Generator;

/// <summary>
/// Warns about a class that carries layer attributes (<c>[Input]</c>, <c>[Dense]</c>, <c>[Softmax]</c>, …) but no
/// <c>[Network]</c>: the generator only reads classes marked <c>[Network]</c>, so such a stack silently does nothing.
/// </summary>
/// <remarks>
/// A layer attribute is any attribute class declared next to <c>Intriguing.NetworkAttribute</c> (same assembly and
/// namespace) other than <c>[Network]</c> itself, so new layer kinds are covered without a list to keep in step.
/// One warning per class, on its first layer attribute.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OrphanLayerAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.LayersWithoutNetwork);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? network = start.Compilation.GetTypeByMetadataName("Intriguing.NetworkAttribute");
            if (network is null) return;
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, network), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol network)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        AttributeData? firstLayer = null;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            INamedTypeSymbol? attributeClass = attribute.AttributeClass;
            if (attributeClass is null) continue;
            if (SymbolEqualityComparer.Default.Equals(attributeClass, network)) return;
            if (firstLayer is null && attribute.ApplicationSyntaxReference is not null && IsLayerAttribute(attributeClass, network))
            {
                firstLayer = attribute;
            }
        }

        if (firstLayer is null) return;
        Location location = firstLayer.ApplicationSyntaxReference!.GetSyntax(context.CancellationToken).GetLocation();
        string name = firstLayer.AttributeClass!.Name;
        if (name.EndsWith("Attribute", System.StringComparison.Ordinal)) name = name.Substring(0, name.Length - "Attribute".Length);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LayersWithoutNetwork, location, name, type.Name));
    }

    private static bool IsLayerAttribute(INamedTypeSymbol attributeClass, INamedTypeSymbol network) =>
        SymbolEqualityComparer.Default.Equals(attributeClass.ContainingAssembly, network.ContainingAssembly)
        && SymbolEqualityComparer.Default.Equals(attributeClass.ContainingNamespace, network.ContainingNamespace);
}
