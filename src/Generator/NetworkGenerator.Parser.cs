using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Intriguing.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Intriguing.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>Reads a [Network] class and its attributes into a <see cref="ParsedNetwork"/>. Never throws on user input.</summary>
    internal static class Parser
    {
        private const string Ns = "Intriguing.";

        public static ParsedNetwork Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var classDecl = (ClassDeclarationSyntax)context.TargetNode;
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var diagnostics = new List<DiagnosticInfo>();
            LocationInfo? classLocation = LocationInfo.From(classDecl.Identifier.GetLocation());
            bool canEmit = true;

            // The class itself: partial, not static, not generic, containing types partial and not generic.
            if (!classDecl.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, symbol.Name));
                canEmit = false;
            }

            string? shapeProblem = symbol switch
            {
                { IsStatic: true } => "a static class cannot hold parameters; remove 'static'",
                { IsAbstract: true } => "the generated constructor needs a concrete class; remove 'abstract'",
                { IsGenericType: true } => "generic network classes are not supported; remove the type parameters",
                _ => null,
            };

            var containing = new List<ContainingType>();
            for (INamedTypeSymbol? outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (outer.IsGenericType)
                {
                    shapeProblem ??= $"it is nested in the generic type '{outer.Name}'";
                }

                bool outerPartial = outer.DeclaringSyntaxReferences.Any(r =>
                    r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!outerPartial)
                {
                    shapeProblem ??= $"its containing type '{outer.Name}' is not partial; declare every containing type partial";
                }

                containing.Insert(0, new ContainingType(Keyword(outer), outer.Name));
            }

            if (shapeProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, classLocation, symbol.Name, shapeProblem));
                canEmit = false;
            }

            string displayName = symbol.Name;
            foreach (AttributeData a in context.Attributes)
            {
                foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
                {
                    if (named.Key == "Name" && named.Value.Value is string s && !string.IsNullOrWhiteSpace(s))
                    {
                        displayName = s;
                    }
                }
            }

            // Map each attribute application on this declaration to its bound data.
            var bySyntax = new Dictionary<SyntaxNode, AttributeData>();
            foreach (AttributeData a in symbol.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                SyntaxNode? node = a.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                if (node is null) continue;
                if (classDecl.AttributeLists.Any(l => l.Span.Contains(node.Span)) && node.SyntaxTree == classDecl.SyntaxTree)
                {
                    bySyntax[node] = a;
                }
                else if (IsStackAttribute(a.AttributeClass))
                {
                    // Stack order across partial declarations is undefined: refuse it.
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SplitDeclaration, LocationInfo.From(node), ShortName(a.AttributeClass!), symbol.Name));
                    canEmit = false;
                }
            }

            var inputs = new List<ParsedInput>();
            var layers = new List<ParsedLayer>();
            int position = 0;
            int firstLayerPosition = -1;
            foreach (AttributeListSyntax list in classDecl.AttributeLists)
            {
                foreach (AttributeSyntax attributeSyntax in list.Attributes)
                {
                    if (!bySyntax.TryGetValue(attributeSyntax, out AttributeData? data)) continue;
                    INamedTypeSymbol? attributeClass = data.AttributeClass;
                    if (attributeClass is null || attributeClass.TypeKind == TypeKind.Error) continue;
                    string name = attributeClass.ToDisplayString();
                    if (!name.StartsWith(Ns, System.StringComparison.Ordinal)) continue;

                    bool broken = data.AttributeConstructor is null || data.ConstructorArguments.Any(c => c.Kind == TypedConstantKind.Error);
                    LocationInfo? location = LocationInfo.From(attributeSyntax);
                    switch (name)
                    {
                        case Ns + "InputAttribute":
                            if (broken)
                            {
                                canEmit = false;
                                break;
                            }

                            ImmutableArray<TypedConstant> args = data.ConstructorArguments;
                            if (args.Length == 1)
                            {
                                inputs.Add(new ParsedInput(1, 1, AsInt(args[0]), false, position, location));
                            }
                            else if (args.Length == 3)
                            {
                                inputs.Add(new ParsedInput(AsInt(args[0]), AsInt(args[1]), AsInt(args[2]), true, position, location));
                            }
                            else
                            {
                                canEmit = false;
                            }

                            break;

                        case Ns + "DenseAttribute":
                            if (broken || data.ConstructorArguments.Length != 1)
                            {
                                canEmit = false;
                                break;
                            }

                            double decay = 0;
                            bool bias = true;
                            foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
                            {
                                if (named.Key == "WeightDecay" && named.Value.Value is double d) decay = d;
                                else if (named.Key == "Bias" && named.Value.Value is bool b) bias = b;
                            }

                            layers.Add(new ParsedLayer(
                                LayerKind.Dense,
                                AsInt(data.ConstructorArguments[0]),
                                decay,
                                bias,
                                location,
                                LocationInfo.From(attributeSyntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)) ?? location,
                                LocationInfo.From(attributeSyntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "WeightDecay")) ?? location));
                            if (firstLayerPosition < 0) firstLayerPosition = position;
                            break;

                        case Ns + "DropoutAttribute":
                            if (broken || data.ConstructorArguments.Length != 1)
                            {
                                canEmit = false;
                                break;
                            }

                            layers.Add(new ParsedLayer(
                                LayerKind.Dropout, 0, 0, false, location,
                                LocationInfo.From(attributeSyntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)) ?? location,
                                location,
                                Rate: AsDouble(data.ConstructorArguments[0])));
                            if (firstLayerPosition < 0) firstLayerPosition = position;
                            break;

                        case Ns + "SigmoidAttribute":
                        case Ns + "ReLUAttribute":
                        case Ns + "TanhAttribute":
                        case Ns + "SoftmaxAttribute":
                            LayerKind kind = name switch
                            {
                                Ns + "SigmoidAttribute" => LayerKind.Sigmoid,
                                Ns + "ReLUAttribute" => LayerKind.ReLU,
                                Ns + "TanhAttribute" => LayerKind.Tanh,
                                _ => LayerKind.Softmax,
                            };
                            layers.Add(new ParsedLayer(kind, 0, 0, false, location, location, location));
                            if (firstLayerPosition < 0) firstLayerPosition = position;
                            break;

                        default:
                            continue;
                    }

                    position++;
                }
            }

            string ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } nsSymbol ? nsSymbol.ToDisplayString() : "";
            return new ParsedNetwork(
                ns,
                symbol.Name,
                "",
                containing.ToEquatableArray(),
                displayName,
                inputs.ToEquatableArray(),
                layers.ToEquatableArray(),
                diagnostics.ToEquatableArray(),
                classLocation,
                firstLayerPosition,
                canEmit);
        }

        private static int AsInt(TypedConstant c) => c.Value is int i ? i : 0;

        private static double AsDouble(TypedConstant c) => c.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            _ => double.NaN,
        };

        private static bool IsStackAttribute(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null) return false;
            string name = attributeClass.ToDisplayString();
            return name is Ns + "InputAttribute" or Ns + "DenseAttribute" or Ns + "SigmoidAttribute"
                or Ns + "ReLUAttribute" or Ns + "TanhAttribute" or Ns + "SoftmaxAttribute" or Ns + "DropoutAttribute";
        }

        private static string ShortName(INamedTypeSymbol attributeClass)
        {
            string n = attributeClass.Name;
            return n.EndsWith("Attribute", System.StringComparison.Ordinal) ? n.Substring(0, n.Length - "Attribute".Length) : n;
        }

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };
    }
}
