using System;
using System.Collections.Generic;
using System.Linq;
using Intriguing.Generator.Layers;
using Intriguing.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Intriguing.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>Shape inference, parameter layout and the checks that need the whole stack.</summary>
    internal static class Analyzer
    {
        /// <summary>Every parameter block starts on a multiple of 16 floats (64 bytes).</summary>
        public const int Alignment = 16;

        private const long Limit = ShapeContext.Limit;

        public static AnalysisResult Analyze(ParsedNetwork parsed)
        {
            var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
            bool ok = parsed.CanEmit;

            // An ONNX model that could not be read has said why; its missing stack is not a second problem.
            if (parsed.Onnx is { Imported: false }) return new AnalysisResult(null, diagnostics.ToEquatableArray());

            // Input: exactly one, before every layer, with positive sizes.
            ParsedInput? input = null;
            if (parsed.Inputs.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, parsed.ClassLocation, parsed.ClassName));
                ok = false;
            }
            else
            {
                input = parsed.Inputs[0];
                for (int i = 1; i < parsed.Inputs.Count; i++)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SecondInput, parsed.Inputs[i].Location, parsed.ClassName));
                    ok = false;
                }

                if (parsed.FirstLayerPosition >= 0 && input.Position > parsed.FirstLayerPosition)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputAfterLayer, input.Location, parsed.ClassName));
                    ok = false;
                }

                if (input.IsImage)
                {
                    ok &= Positive(diagnostics, input.Channels, "Input channels", input.Location);
                    ok &= Positive(diagnostics, input.Height, "Input height", input.Location);
                    ok &= Positive(diagnostics, input.Width, "Input width", input.Location);
                }
                else
                {
                    ok &= Positive(diagnostics, input.Width, "Input length", input.Location);
                }
            }

            if (parsed.Layers.Count == 0)
            {
                if (input is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, parsed.ClassLocation, parsed.ClassName));
                }

                return new AnalysisResult(null, diagnostics.ToEquatableArray());
            }

            // Walk the stack: each layer's spec infers its output shape (channels × height × width; a flat vector of n
            // values is n × 1 × 1) and checks its arguments; here the checks of the stack's order and the parameter layout.
            long inputLength = input is null ? 1 : Math.Max(1L, (long)input.Channels * input.Height * input.Width);
            long length = inputLength;
            bool image = input?.IsImage ?? false;
            int c = image ? input!.Channels : (int)Math.Min(inputLength, int.MaxValue);
            int h = image ? input!.Height : 1;
            int wd = image ? input!.Width : 1;
            long offset = 0;
            long parameterCount = 0;
            var layers = new List<LayerModel>();
            var counts = new Dictionary<LayerKind, int>();
            int softmaxIndex = -1;
            bool shapeKnown = true; // false after a size error, so that later shape checks do not cascade
            for (int i = 0; i < parsed.Layers.Count; i++)
            {
                ParsedLayer layer = parsed.Layers[i];
                LayerSpec spec = layer.Spec;
                int index = i + 1;
                counts.TryGetValue(spec.Kind, out int n);
                counts[spec.Kind] = ++n;
                string name = spec.Kind.ToString() + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

                if (softmaxIndex > 0 && softmaxIndex == index - 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotLast, layer.Location, index, spec.Written, softmaxIndex));
                    ok = false;
                }

                if (spec.IsActivation && i > 0 && parsed.Layers[i - 1].Spec is { IsActivation: true } previous && previous is not SoftmaxSpec)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConsecutiveActivations, layer.Location, index, spec.Written, previous.Kind, index - 1));
                }

                if (spec.IsActivation && i == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationWithoutWeights, layer.Location, index, spec.Written));
                }

                if (spec is SoftmaxSpec) softmaxIndex = index;
                LayerOutput output = spec.Infer(new ShapeContext(diagnostics, index, layer, c, h, wd, image, length, shapeKnown));
                ok &= output.Ok;
                shapeKnown = output.ShapeKnown;
                var shape = new LayerShape(c, h, wd, output.C, output.H, output.W, output.Image, output.Kernel, output.Stride, output.Padding, output.Circular, output.Cover);

                ParameterPlacement? placement = null;
                if (spec.Parameters(shape, length, output.Length) is { } request)
                {
                    int weightOffset = (int)Math.Min(offset, int.MaxValue);
                    offset = Align(Saturate(offset + request.Weights));
                    parameterCount = Saturate(parameterCount + request.Weights);
                    int biasOffset = -1;
                    if (request.Biases > 0)
                    {
                        biasOffset = (int)Math.Min(offset, int.MaxValue);
                        offset = Align(Saturate(offset + request.Biases));
                        parameterCount += request.Biases;
                    }

                    // He initialisation for a layer followed by a ReLU, Glorot otherwise.
                    bool relu = i + 1 < parsed.Layers.Count && parsed.Layers[i + 1].Spec.Kind == LayerKind.ReLU;
                    double initScale;
                    string initRule;
                    if (relu)
                    {
                        initScale = Math.Sqrt(6.0 / Math.Max(request.FanIn, 1));
                        initRule = $"He uniform: U(−a, a), a = √(6 / {request.FanInText})";
                    }
                    else
                    {
                        initScale = Math.Sqrt(6.0 / Math.Max(request.FanIn + request.FanOut, 1));
                        initRule = $"Glorot uniform: U(−a, a), a = √(6 / ({request.FanInText} + {request.FanOutText}))";
                    }

                    placement = new ParameterPlacement(weightOffset, (int)Math.Min(request.Weights, int.MaxValue), biasOffset, (int)Math.Min(request.Biases, int.MaxValue),
                        request.WeightDecay, initScale, initRule);
                }

                layers.Add(new LayerModel(index, name, spec, (int)Math.Min(length, int.MaxValue), (int)Math.Min(output.Length, int.MaxValue), shape, placement));
                length = output.Length;
                c = output.C;
                h = output.H;
                wd = output.W;
                image = output.Image;
            }

            // The flat buffer, every workspace row and every index must fit in an int.
            if (offset > Limit || inputLength > Limit)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, parsed.ClassLocation, parsed.ClassName,
                    offset.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
                ok = false;
            }

            if (!ok || input is null)
            {
                return new AnalysisResult(null, diagnostics.ToEquatableArray());
            }

            var model = new NetworkModel(
                parsed.Namespace,
                parsed.ClassName,
                parsed.Accessibility,
                parsed.ContainingTypes,
                parsed.DisplayName,
                input.Channels,
                input.Height,
                input.Width,
                input.IsImage,
                layers.ToEquatableArray(),
                (int)parameterCount,
                (int)Math.Max(offset, Alignment),
                layers[layers.Count - 1].Spec is SoftmaxSpec,
                parsed.HasUserSummary,
                parsed.Onnx?.FileName,
                parsed.Onnx?.Parameters ?? default);

            // A user member, or the class itself, with the name of a generated member would be a compile error inside the
            // generated file; say which instead and emit nothing.
            if (Clashes(parsed, model, diagnostics)) return new AnalysisResult(null, diagnostics.ToEquatableArray());
            return new AnalysisResult(model, diagnostics.ToEquatableArray());
        }

        /// <summary>
        /// Reports INT010 when the class has the name of a generated member (a member cannot have its class's name), and
        /// INT024 for every user member whose name a generated member of the class also has, unless both are methods
        /// with different signatures (overloads may coexist). The generated members are read from the
        /// emitted source itself, so the check cannot fall out of step with the emitter.
        /// </summary>
        private static bool Clashes(ParsedNetwork parsed, NetworkModel model, List<DiagnosticInfo> diagnostics)
        {
            var generated = new Dictionary<string, bool>(StringComparer.Ordinal); // name → every declaration is a method
            var signatures = new HashSet<string>(StringComparer.Ordinal);          // name and parameter types of every generated method
            SyntaxTree tree = CSharpSyntaxTree.ParseText(Emitter.Emit(model));
            ClassDeclarationSyntax? type = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().FirstOrDefault(c => c.Identifier.ValueText == model.ClassName);
            foreach (MemberDeclarationSyntax member in type?.Members ?? default)
            {
                bool method = member is MethodDeclarationSyntax;
                foreach (string name in DeclaredNames(member))
                {
                    generated[name] = generated.TryGetValue(name, out bool all) ? all && method : method;
                }

                if (member is MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } m)
                {
                    signatures.Add(m.Identifier.ValueText + Signature(m));
                }
            }

            bool any = false;
            if (generated.ContainsKey(model.ClassName))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, parsed.ClassLocation, parsed.ClassName,
                    $"the generator writes a member named '{model.ClassName}' into it, and a member cannot have the name of its class; rename the class"));
                any = true;
            }

            foreach (UserMember user in parsed.UserMembers)
            {
                if (generated.TryGetValue(user.Name, out bool methods) && !(methods && user.IsMethod && !signatures.Contains(user.Name + user.Signature)))
                {
                    diagnostics.Add(user.InheritedFrom.Length == 0
                        ? DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, user.Location, user.Name, parsed.ClassName)
                        : DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, user.Location, parsed.ClassName,
                            $"its base class '{user.InheritedFrom}' has a member named '{user.Name}', which a generated member would hide; rename it or derive from another class"));
                    any = true;
                }
            }

            return any;
        }

        /// <summary>
        /// A generated method's signature in the form <see cref="Parser"/> gives a user method's: type-parameter count and
        /// parameter types, fully qualified without <c>global::</c>, '@' or '?'. The class's own nested types (the workspace)
        /// stay bare: while the generator runs they do not exist yet, so a user's parameter of that type reads the same.
        /// Ref kinds are left out: they cannot tell overloads apart.
        /// </summary>
        private static string Signature(MethodDeclarationSyntax method)
        {
            IEnumerable<string> types = method.ParameterList.Parameters.Select(p =>
                (p.Type?.ToString() ?? "").Replace("global::", "").Replace("@", "").Replace("?", "").Replace(" ", ""));
            return "`" + (method.TypeParameterList?.Parameters.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture) + "(" + string.Join(",", types) + ")";
        }

        private static IEnumerable<string> DeclaredNames(MemberDeclarationSyntax member) => member switch
        {
            BaseFieldDeclarationSyntax f => f.Declaration.Variables.Select(v => v.Identifier.ValueText),
            PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } p => new[] { p.Identifier.ValueText },
            MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } m => new[] { m.Identifier.ValueText },
            BaseTypeDeclarationSyntax t => new[] { t.Identifier.ValueText },
            DelegateDeclarationSyntax d => new[] { d.Identifier.ValueText },
            _ => Array.Empty<string>(),
        };

        private static long Saturate(long value) => Math.Min(value, 1L << 60);

        private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

        private static bool Positive(List<DiagnosticInfo> diagnostics, int value, string what, LocationInfo? location)
        {
            if (value > 0) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, value));
            return false;
        }
    }
}
