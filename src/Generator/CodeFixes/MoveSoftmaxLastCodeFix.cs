using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Intriguing.Generator.CodeFixes;

/// <summary>
/// INT005 (soft-max must be the last layer): moves the <c>[Softmax]</c> that the reported layer follows to the end of
/// the stack, right after the last layer attribute; when the stack already ends in a soft-max, removes it instead.
/// </summary>
/// <remarks>
/// The layers are the class declaration's attributes of namespace <c>Intriguing</c> other than <c>[Network]</c> and
/// <c>[Input]</c>, in source order: the order the generator reads.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveSoftmaxLastCodeFix)), Shared]
public sealed class MoveSoftmaxLastCodeFix : CodeFixProvider
{
    /// <summary>The diagnostic this fixes: INT005, reported on the layer that follows the soft-max.</summary>
    public const string DiagnosticId = "INT005";

    private const string Namespace = "Intriguing";
    private const string Softmax = "SoftmaxAttribute";
    private const string Network = "NetworkAttribute";
    private const string Input = "InputAttribute";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticId);

    /// <summary>None: two diagnostics of one stack would move overlapping attributes; fix them one at a time.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            AttributeSyntax? reported = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>();
            if (reported?.FirstAncestorOrSelf<ClassDeclarationSyntax>() is not { } declaration) continue;

            List<AttributeSyntax> layers = declaration.AttributeLists.SelectMany(l => l.Attributes)
                .Where(a => IsLayer(model, a, context.CancellationToken)).ToList();
            int at = layers.IndexOf(reported);
            if (at < 1 || !IsSoftmax(model, layers[at - 1], context.CancellationToken)) continue;

            AttributeSyntax softmax = layers[at - 1];
            AttributeSyntax last = layers[layers.Count - 1];
            bool endsInSoftmax = IsSoftmax(model, last, context.CancellationToken);
            string title = endsInSoftmax
                ? "Remove the [Softmax] before the last layers (the stack already ends in one)"
                : "Move [Softmax] to the end of the stack";
            context.RegisterCodeFix(
                CodeAction.Create(
                    title,
                    ct => FixAsync(context.Document, declaration, softmax, endsInSoftmax ? null : last, ct),
                    equivalenceKey: nameof(MoveSoftmaxLastCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, ClassDeclarationSyntax declaration, AttributeSyntax softmax, AttributeSyntax? insertAfter, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;

        // Mark both attributes, so that they can be found again after the removal rebuilds the declaration.
        var moved = new SyntaxAnnotation();
        var end = new SyntaxAnnotation();
        ClassDeclarationSyntax result = declaration.ReplaceNodes(
            insertAfter is null ? new[] { softmax } : new[] { softmax, insertAfter },
            (original, rewritten) => rewritten.WithAdditionalAnnotations(original == softmax ? moved : end));

        AttributeSyntax toRemove = result.GetAnnotatedNodes(moved).OfType<AttributeSyntax>().Single();
        result = Remove(result, toRemove);
        if (insertAfter is not null)
        {
            AttributeSyntax anchor = result.GetAnnotatedNodes(end).OfType<AttributeSyntax>().Single();
            result = InsertAfter(result, anchor, softmax.WithoutTrivia());
        }

        return document.WithSyntaxRoot(root.ReplaceNode(declaration, result));
    }

    /// <summary>Removes an attribute, and its list when it was the only one there (keeping the list's leading trivia).</summary>
    private static ClassDeclarationSyntax Remove(ClassDeclarationSyntax declaration, AttributeSyntax attribute)
    {
        var list = (AttributeListSyntax)attribute.Parent!;
        if (list.Attributes.Count > 1)
        {
            return declaration.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(attribute)));
        }

        int index = declaration.AttributeLists.IndexOf(list);
        ClassDeclarationSyntax result = declaration.WithAttributeLists(declaration.AttributeLists.RemoveAt(index));

        // The first list carries the declaration's leading trivia (documentation comment, indentation).
        return index == 0 ? result.WithLeadingTrivia(list.GetLeadingTrivia()) : result;
    }

    /// <summary>Inserts <paramref name="attribute"/> right after <paramref name="anchor"/> in its list, separated by ", ".</summary>
    private static ClassDeclarationSyntax InsertAfter(ClassDeclarationSyntax declaration, AttributeSyntax anchor, AttributeSyntax attribute)
    {
        var list = (AttributeListSyntax)anchor.Parent!;
        int position = list.Attributes.IndexOf(anchor);
        var nodes = list.Attributes.ToList();
        var separators = list.Attributes.GetSeparators().ToList();
        nodes.Insert(position + 1, attribute);
        separators.Insert(position, SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
        return declaration.ReplaceNode(list, list.WithAttributes(SyntaxFactory.SeparatedList(nodes, separators)));
    }

    private static INamedTypeSymbol? AttributeType(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken) =>
        (model.GetSymbolInfo(attribute, cancellationToken).Symbol as IMethodSymbol)?.ContainingType;

    private static bool IsLayer(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken) =>
        AttributeType(model, attribute, cancellationToken) is { } type
        && type.ContainingNamespace is { Name: Namespace, ContainingNamespace.IsGlobalNamespace: true }
        && type.Name is not (Network or Input);

    private static bool IsSoftmax(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken) =>
        AttributeType(model, attribute, cancellationToken) is { Name: Softmax, ContainingNamespace: { Name: Namespace, ContainingNamespace.IsGlobalNamespace: true } };
}
