using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Intriguing.Generator.Tests;

/// <summary>
/// Random declarations around valid stacks: identifiers (keywords, case twins, Unicode, names of generated members),
/// class shapes (records, structs, file-local and static classes, primary constructors, base classes, nesting in generic
/// and non-partial types, user members) and random display names. Whatever the declaration, the generator must not
/// fail, its output must compile without warnings, and a network it does not generate must carry an error in the
/// user's file.
/// </summary>
public class DeclarationFuzzTests
{
    private const int CasesPerCompilation = 40;

    private static readonly string[] s_keywords =
    {
        "@class", "@int", "@var", "@record", "@partial", "@string", "@object", "@namespace", "@global", "@value", "@nameof",
        "@dynamic", "@async", "@await", "@file", "@required", "@scoped", "@field", "@this", "@base",
    };

    private static readonly string[] s_generatedNames =
    {
        "Workspace", "Summary", "Parameters", "Forward", "Initialize", "InputLength", "Backward", "Layout", "OutputLength", "LayerCount",
        "ParameterCount", "ParameterBufferLength", "CreateWorkspace", "Dense1Weights", "Dense1Bias", "Conv1Weights", "LossAndGradient",
        "AddWeightDecay", "WeightDecayPenalty", "LipschitzBounds", "Activation", "Delta", "Own", "ForwardLayers", "BackwardLayers",
        "DefaultWorkspace", "s_summary", "_parameters", "s_activationLengths", "ForwardTo", "ForwardFrom", "ActivationLength",
        "BackwardFrom", "Reach", "LossAndLayerGradient", "Masked", "Columns", "Batch", "Outputs", "PropagateBounds", "MarginLowerBound",
        "BoundBuffers", "CreateBoundWorkspace", "BackSubstitute", "RefineMargins", "OwnBounds", "Check", "A0", "D1", "Activation1Length",
        "OptimizeMargins", "StartSlopes", "SlopePass", "EnsureSlopes", "OptimizeBounds3", "BoundsSlopePass3",
        "Intriguing", "System", "INetwork", "Net", "NET", "net",
    };

    private static readonly string[] s_unicodeNames = { "Ünïcödé", "网络", "Δelta", "نات", "Net\u0301", "_", "__", "x\u200Dy", "ǅungla", "Ⅻ" };

    private static readonly string[] s_stacks =
    {
        "[Input(4), Dense(3), Softmax]", "[Input(4)][Softmax]", "[Input(4)][Tanh][Softmax]", "[Input(1, 4, 4)][Softmax]",
        "[Input(1, 6, 6), Conv(2, 3), ReLU, MaxPool(2), Dense(2), Softmax]", "[Input(3), Dense(2, Bias = false), Sigmoid, Dense(2)]",
        "[Input(2, 5, 5), Conv(2, 3, 1, 1, Mode = Padding.Circular), ContrastNorm, AvgPool(2, 1), Dense(3)]",
        "[Input(5), Dropout(0.5), Dense(2), Softmax]", "[Input(1, 6, 6), Conv(2, 3, Mode = (Padding)7), Dense(2), Softmax]",
        "", "[Input(4)]", "[Dense(\"x\")]", "[Input(2, 4, 4), LocalResponseNorm, Dense(2), Softmax]",
    };

    private static readonly string[] s_members =
    {
        "public int {0};", "public void {0}() { }", "public int {0} => 0;", "public class {0} { }", "public static int {0}(int x) => x;",
        "public event System.Action? {0};", "public const int {0} = 1;", "public {1}(int x) { }",
    };

    private static readonly string[] s_modifiers =
    {
        "partial", "partial", "partial", "public partial", "public partial", "internal sealed partial", "static partial", "abstract partial", "file partial", "", "public",
        "unsafe partial", "private partial", "protected internal partial", "sealed partial",
    };

    private static readonly string[] s_kinds = { "class", "class", "class", "class", "class", "class", "class", "record", "record class", "struct", "record struct", "interface" };

    private static readonly string[] s_containers =
    {
        "partial class {0}", "partial struct {0}", "partial record {0}", "partial interface {0}", "class {0}", "static partial class {0}",
        "partial class {0}<T>", "file partial class {0}", "partial record struct {0}", "public partial class {0}",
    };

    private static readonly string[] s_bases = { "", "", "", " : BaseOk", " : BaseArg", " : BaseOptional", " : BaseHiding", " : BaseAbstract", " : System.IDisposable", " : BaseSealed" };

    private const string BaseTypes = """
        public class BaseOk { }
        public class BaseArg { public BaseArg(int x) { } }
        public class BaseOptional { protected BaseOptional(int x = 1, params int[] rest) { } }
        public class BaseHiding { public virtual int InputLength => 0; public int Summary; }
        public abstract class BaseAbstract { public abstract void Run(); }
        public sealed class BaseSealed { }
        """;

    private static readonly Gen<string> s_asciiIdentifier =
        Gen.Select(Gen.Char["abcdxyzABCDXYZ_"], Gen.Char["abcxyzABCXYZ_019"].Array[0, 6], (first, rest) => first + new string(rest));

    private static readonly Gen<string> s_identifier = Gen.Frequency(
        (3, (IGen<string>)Gen.OneOf(s_keywords)),
        (4, Gen.OneOf(s_generatedNames)),
        (2, Gen.OneOf(s_unicodeNames)),
        (3, s_asciiIdentifier));

    /// <summary>Any text, weighted towards what breaks literals and comments: line terminators, quotes, XML, controls, surrogates.</summary>
    private static readonly Gen<string> s_text = Gen.Frequency(
        (2, (IGen<char>)Gen.Char),
        (2, Gen.Char["\n\r\u0085\u2028\u2029\"\\<>&\0\t{}/*"]),
        (1, Gen.Char['\uD800', '\uDFFF']),
        (1, Gen.Char["\uFFFE\uFFFF\uFEFF"]),
        (3, Gen.Char['a', 'z'])).Array[0, 12].Select(chars => new string(chars));

    private sealed record Network(string Kind, string Modifiers, string Name, string? PrimaryConstructor, string Base, string[] Members, string? DisplayName, string Stack);

    private sealed record Case(string[] Namespace, (string Format, string Name)[] Containers, Network First, Network? Second, int Twin, bool TypeNamedVar);

    private static readonly string[] s_validStacks = s_stacks.Take(8).Append(s_stacks[12]).ToArray();

    /// <summary>A declaration the generator should complete: odd names and display names, but a plain partial class and a valid stack.</summary>
    private static readonly Gen<Network> s_plainNetwork = Gen.Select(
        Gen.Frequency((3, (IGen<string>)Gen.OneOf(s_keywords)), (2, Gen.OneOf(s_unicodeNames)), (3, s_asciiIdentifier)),
        Gen.Frequency((1, (IGen<string?>)Gen.Const((string?)null)), (3, s_text.Select(t => (string?)t))),
        Gen.OneOf(s_validStacks),
        Gen.OneOf("partial", "public partial", "internal sealed partial"),
        (name, display, stack, modifiers) => new Network("class", modifiers, name, null, "", Array.Empty<string>(), display, stack));

    private static readonly Gen<Network> s_anyNetwork = Gen.Select(
        Gen.OneOf(s_kinds), Gen.OneOf(s_modifiers), s_identifier, Gen.OneOf(null, null, null, null, "(int size)", "()"), Gen.OneOf(s_bases),
        Gen.Select(Gen.OneOf(s_members), s_identifier, (format, name) => format.Replace("{0}", name)).Array[0, 2],
        Gen.Frequency((2, (IGen<string?>)Gen.Const((string?)null)), (3, s_text.Select(t => (string?)t))),
        Gen.OneOf(s_stacks),
        (kind, modifiers, name, primary, baseType, members, display, stack) => new Network(kind, modifiers, name, primary, baseType, members, display, stack));

    private static readonly Gen<Network> s_network = Gen.Frequency((1, (IGen<Network>)s_plainNetwork), (1, s_anyNetwork));

    private static readonly Gen<Case> s_case = Gen.Select(
        s_identifier.Array[0, 2],
        Gen.Frequency(
            (1, (IGen<(string, string)[]>)Gen.Const(Array.Empty<(string, string)>())),
            (1, Gen.Select(Gen.OneOf(s_containers), s_identifier, (format, name) => (format, name)).Array[1, 2])),
        s_network,
        Gen.Frequency((1, (IGen<Network?>)Gen.Const((Network?)null)), (2, s_network.Select(n => (Network?)n))),
        Gen.Int[0, 4],
        Gen.Bool,
        (ns, containers, first, second, twin, typeNamedVar) => new Case(ns, containers, first, second, twin, typeNamedVar));

    [Fact]
    public void Random_declarations_never_crash_the_generator_nor_emit_code_that_does_not_compile()
    {
        int cases = 0, generated = 0;
        Check.Sample(s_case.Array[CasesPerCompilation], batch =>
        {
            Interlocked.Add(ref generated, VerifyBatch(batch));
            Interlocked.Add(ref cases, batch.Length);
        }, iter: 25, threads: 1, print: batch => $"a batch of {batch.Length} cases (the failing one is in the message)");

        Assert.True(cases >= 1000, $"only {cases} cases ran");

        // Enough of the declarations are networks the generator completes, so that the emitter is exercised too.
        Assert.True(generated >= cases / 4, $"only {generated} networks generated from {cases} cases");
    }

    /// <summary>Checks one compilation of <paramref name="batch"/>; returns the number of networks generated.</summary>
    private static int VerifyBatch(Case[] batch)
    {
        string[] sources = batch.Select(Source).ToArray();
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Fuzz",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, GeneratorHarness.ParseOptions, path: $"Case{i}.cs")),
            GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        GeneratorDriver driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriverRunResult result = driver.GetRunResult();

        RobustnessTests.AssertNoCrash(result, output);
        // The analyzer for layer attributes without [Network] runs over the same declarations and must not fail either.
        Diagnostic[] analyzer = output.WithAnalyzers(System.Collections.Immutable.ImmutableArray.Create<DiagnosticAnalyzer>(new OrphanLayerAnalyzer()))
            .GetAllDiagnosticsAsync().GetAwaiter().GetResult().ToArray();
        Diagnostic[] all = output.GetDiagnostics().Concat(result.Diagnostics).Concat(analyzer).ToArray();
        Assert.DoesNotContain(all, d => d.Id == "AD0001");

        // No error or warning in generated code: whatever is wrong must be reported in the user's file.
        Diagnostic[] generatedErrors = all.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToArray();
        if (generatedErrors.Length > 0)
        {
            string file = generatedErrors[0].Location.SourceTree!.FilePath;
            int index = Enumerable.Range(0, batch.Length).First(i => Path.GetFileName(file).StartsWith($"Fuzz{i}.", StringComparison.Ordinal));
            Assert.Fail($"generated code has errors or warnings:\n{GeneratorHarness.Describe(generatedErrors.Take(5))}\n{sources[index]}");
        }

        // A network that is not generated carries an error in its file (the generator's or the compiler's).
        string[] hints = result.Results.Single().GeneratedSources.Select(s => s.HintName).ToArray();
        for (int i = 0; i < batch.Length; i++)
        {
            int declared = batch[i].Second is null ? 1 : 2;
            int generated = hints.Count(h => h.StartsWith($"Fuzz{i}.", StringComparison.Ordinal));
            if (generated >= declared) continue;
            Assert.True(all.Any(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath == $"Case{i}.cs"),
                $"case {i}: {declared - generated} network(s) silently not generated:\n{sources[i]}");
        }

        return hints.Length;
    }

    private static string Source(Case c, int index)
    {
        var sb = new StringBuilder("using Intriguing;\n#pragma warning disable CS8981, CS0169, CS0067, CS0414, CS0649\n");
        sb.Append("namespace Fuzz").Append(index).Append("\n{\n").Append(BaseTypes).Append('\n');
        if (c.TypeNamedVar) sb.Append("public class var { }\n");
        sb.Append("}\n");
        Append(sb, index, c.Namespace, c.Containers, c.First);
        if (c.Second is { } second)
        {
            // Twins: the second network repeats the first's namespace, containers or name with the case flipped.
            string[] ns = c.Twin == 1 ? c.Namespace.Select(FlipCase).ToArray() : c.Namespace;
            (string, string)[] containers = c.Twin == 2 ? c.Containers.Select(t => (t.Format, FlipCase(t.Name))).ToArray() : c.Containers;
            Network network = c.Twin == 3 ? second with { Name = FlipCase(c.First.Name) } : c.Twin == 4 ? second with { Name = c.First.Name } : second;
            Append(sb, index, ns, containers, network);
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, int index, string[] ns, (string Format, string Name)[] containers, Network n)
    {
        sb.Append("namespace Fuzz").Append(index);
        foreach (string segment in ns) sb.Append('.').Append(segment);
        sb.Append("\n{\n");
        foreach ((string format, string name) in containers) sb.Append(format.Replace("{0}", name)).Append("\n{\n");
        sb.Append("[Network").Append(n.DisplayName is null ? "" : "(Name = " + SymbolDisplay.FormatLiteral(n.DisplayName, quote: true) + ")").Append(']').Append(n.Stack).Append('\n');
        sb.Append(n.Modifiers).Append(n.Modifiers.Length > 0 ? " " : "").Append(n.Kind).Append(' ').Append(n.Name).Append(n.PrimaryConstructor).Append(n.Base);
        sb.Append("\n{\n");
        foreach (string member in n.Members) sb.Append(member.Replace("{1}", n.Name)).Append('\n');
        sb.Append("}\n");
        foreach (var _ in containers) sb.Append("}\n");
        sb.Append("}\n");
    }

    private static string FlipCase(string name) => new(name.Select(ch => char.IsUpper(ch) ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch)).ToArray());
}
