using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Intriguing.Generator.Layers;
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
            var classDecl = (TypeDeclarationSyntax)context.TargetNode;
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var diagnostics = new List<DiagnosticInfo>();
            LocationInfo? classLocation = LocationInfo.From(classDecl.Identifier.GetLocation());

            // [Network] on two declarations of one class is the compiler's CS0579; emitting for both would give two files
            // with one name, so emit for neither.
            bool canEmit = symbol.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == Ns + "NetworkAttribute") <= 1;

            // Another type of the same name and arity beside it is the compiler's CS0101 or CS0102; a generated part would
            // bind to either and add errors of its own.
            ImmutableArray<INamedTypeSymbol> namesakes = symbol.ContainingType?.GetTypeMembers(symbol.Name, symbol.Arity)
                ?? symbol.ContainingNamespace.GetTypeMembers(symbol.Name, symbol.Arity);
            canEmit &= namesakes.Length <= 1;

            // A type in a namespace that is declared private or protected is the compiler's CS1527; so is one of its
            // containing types. The generated members would be more accessible than their own types.
            INamedTypeSymbol outermost = symbol;
            while (outermost.ContainingType is { } next) outermost = next;
            canEmit &= outermost.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.NotApplicable;

            // The class itself: partial, not static, not generic, containing types partial and not generic.
            if (!classDecl.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, symbol.Name));
                canEmit = false;
            }

            string? shapeProblem = symbol switch
            {
                { IsRecord: true } => "a record's generated members clash with the network's; declare a class",
                { IsStatic: true } => "a static class cannot hold parameters; remove 'static'",
                { IsAbstract: true } => "the generated constructor needs a concrete class; remove 'abstract'",
                { IsGenericType: true } => "generic network classes are not supported; remove the type parameters",
                { IsFileLocal: true } => "a file-local class cannot be completed from the generated file; remove 'file'",
                _ => null,
            };

            if (shapeProblem is null && symbol.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: not null }))
            {
                shapeProblem = "the generated constructor cannot call its primary constructor; remove the parameter list";
            }

            if (shapeProblem is null && symbol.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: TypeKind.Class } baseType
                && !baseType.InstanceConstructors.Any(c => c.Parameters.All(p => p.IsOptional || p.IsParams) && context.SemanticModel.Compilation.IsSymbolAccessibleWithin(c, symbol)))
            {
                shapeProblem = $"its base class '{baseType.Name}' has no accessible constructor without arguments, which the generated constructor calls; add one";
            }

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

                if (outer.IsFileLocal)
                {
                    shapeProblem ??= $"its containing type '{outer.Name}' is file-local and cannot be completed from the generated file; remove 'file'";
                }

                containing.Insert(0, new ContainingType(Keyword(outer), outer.Name));
            }

            if (shapeProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, classLocation, symbol.Name, shapeProblem));
                canEmit = false;
            }

            string displayName = symbol.Name;
            OnnxSource? onnx = null;
            foreach (AttributeData a in context.Attributes)
            {
                foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
                {
                    if (named.Key == "Name" && named.Value.Value is string s && !string.IsNullOrWhiteSpace(s))
                    {
                        displayName = s;
                    }

                    if (named.Key == "Onnx" && named.Value.Value is string path)
                    {
                        LocationInfo? at = a.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax
                            ? NamedLocations(syntax).FirstOrDefault(n => n.Name == "Onnx")?.Location ?? LocationInfo.From(syntax)
                            : classLocation;
                        onnx = new OnnxSource(path, at);
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
                    if (name == Ns + "InputAttribute")
                    {
                        ImmutableArray<TypedConstant> args = data.ConstructorArguments;
                        if (broken || args.Length is not (1 or 3))
                        {
                            canEmit = false;
                        }
                        else if (args.Length == 1)
                        {
                            inputs.Add(new ParsedInput(1, 1, AsInt(args[0]), false, position, location));
                        }
                        else
                        {
                            inputs.Add(new ParsedInput(AsInt(args[0]), AsInt(args[1]), AsInt(args[2]), true, position, location));
                        }
                    }
                    else
                    {
                        // A layer: its spec reads the attribute (null when the arguments cannot be read; the compiler reports why).
                        var attribute = new LayerAttribute(name, data.ConstructorArguments, data.NamedArguments);
                        if (!LayerSpecs.TryRead(attribute, out LayerSpec? spec)) continue;
                        if (broken || spec is null)
                        {
                            canEmit = false;
                        }
                        else
                        {
                            layers.Add(new ParsedLayer(spec, location, ArgumentLocations(attributeSyntax, data, location), NamedLocations(attributeSyntax)));
                            if (firstLayerPosition < 0) firstLayerPosition = position;
                        }
                    }

                    position++;
                }
            }

            // An ONNX model brings its own layers: attributes beside it would be a second stack.
            if (onnx is not null)
            {
                foreach (ParsedLayer layer in layers)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxWithLayers, layer.Location, symbol.Name, onnx.Path, layer.Spec.Written));
                    canEmit = false;
                }
            }

            // The namespace's segments as names (no '@'): the emitter escapes the ones that are keywords.
            var segments = new List<string>();
            for (INamespaceSymbol? n = symbol.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace) segments.Insert(0, n.Name);
            string ns = string.Join(".", segments);
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
                canEmit,
                HasSummary(symbol, cancellationToken),
                UserMembers(symbol, classLocation, context.SemanticModel.Compilation),
                onnx);
        }

        /// <summary>
        /// The members the user declares on the class (constructors and compiler-made members aside), then the members it
        /// inherits and can see from base classes other than <c>object</c> (located at the class, with the base's name):
        /// a generated member of the same name would hide those.
        /// </summary>
        private static EquatableArray<UserMember> UserMembers(INamedTypeSymbol symbol, LocationInfo? classLocation, Compilation compilation)
        {
            var members = new List<UserMember>();
            foreach (ISymbol member in symbol.GetMembers())
            {
                if (member.IsImplicitlyDeclared || member is IMethodSymbol { MethodKind: not MethodKind.Ordinary }) continue;
                if (member.Locations.FirstOrDefault(l => l.IsInSource) is not { } at || LocationInfo.From(at) is not { } location) continue;
                members.Add(new UserMember(member.Name, member is IMethodSymbol, location, member is IMethodSymbol method ? Signature(method) : ""));
            }

            if (classLocation is null) return members.ToEquatableArray();
            for (INamedTypeSymbol? type = symbol.BaseType; type is { SpecialType: not SpecialType.System_Object, TypeKind: TypeKind.Class }; type = type.BaseType)
            {
                foreach (ISymbol member in type.GetMembers())
                {
                    if (member.IsImplicitlyDeclared || member is IMethodSymbol { MethodKind: not MethodKind.Ordinary } || !member.CanBeReferencedByName) continue;
                    if (!compilation.IsSymbolAccessibleWithin(member, symbol)) continue;
                    members.Add(new UserMember(member.Name, member is IMethodSymbol, classLocation, member is IMethodSymbol method ? Signature(method) : "", type.Name));
                }
            }

            return members.ToEquatableArray();
        }

        private static readonly SymbolDisplayFormat s_signatureFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted)
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        /// <summary>A method's type-parameter count and parameter types, as the analyzer compares them with generated methods'.</summary>
        private static string Signature(IMethodSymbol method) =>
            "`" + method.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture) + "("
            + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(s_signatureFormat).Replace("?", "").Replace(" ", ""))) + ")";

        /// <summary>Whether a declaration of the class carries a documentation comment with a <c>&lt;summary&gt;</c>.</summary>
        private static bool HasSummary(INamedTypeSymbol symbol, CancellationToken cancellationToken)
        {
            foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
            {
                foreach (SyntaxTrivia trivia in reference.GetSyntax(cancellationToken).GetLeadingTrivia())
                {
                    bool doc = trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia)
                        || (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) && trivia.ToString().StartsWith("///", System.StringComparison.Ordinal));
                    if (doc && trivia.ToFullString().Contains("<summary")) return true;
                }
            }

            return false;
        }

        private static int AsInt(TypedConstant c) => c.Value is int i ? i : 0;

        /// <summary>Where each named argument (<c>Name = value</c>) is written.</summary>
        private static EquatableArray<NamedLocation> NamedLocations(AttributeSyntax syntax)
        {
            var list = new List<NamedLocation>();
            foreach (AttributeArgumentSyntax argument in syntax.ArgumentList?.Arguments ?? default)
            {
                if (argument.NameEquals is { } nameEquals && LocationInfo.From(argument) is { } at)
                {
                    list.Add(new NamedLocation(nameEquals.Name.Identifier.ValueText, at));
                }
            }

            return list.ToEquatableArray();
        }

        /// <summary>The location of each constructor argument as written (by position or by name), else the attribute.</summary>
        private static EquatableArray<LocationInfo> ArgumentLocations(AttributeSyntax syntax, AttributeData data, LocationInfo? fallback)
        {
            ImmutableArray<IParameterSymbol> parameters = data.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
            var result = new LocationInfo?[parameters.Length];
            int position = 0;
            foreach (AttributeArgumentSyntax argument in syntax.ArgumentList?.Arguments ?? default)
            {
                if (argument.NameEquals is not null) continue;
                int index = position++;
                if (argument.NameColon is { } nameColon)
                {
                    index = -1;
                    for (int p = 0; p < parameters.Length; p++)
                    {
                        if (parameters[p].Name == nameColon.Name.Identifier.ValueText) index = p;
                    }
                }

                if (index >= 0 && index < result.Length) result[index] = LocationInfo.From(argument);
            }

            var list = new List<LocationInfo>();
            foreach (LocationInfo? l in result)
            {
                if ((l ?? fallback) is { } known) list.Add(known);
                else return EquatableArray<LocationInfo>.Empty;
            }

            return list.ToEquatableArray();
        }

        private static bool IsStackAttribute(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null) return false;
            string name = attributeClass.ToDisplayString();
            return name == Ns + "InputAttribute" || LayerSpecs.IsLayerAttribute(name);
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
