using Microsoft.CodeAnalysis.CSharp;

namespace Intriguing.Generator.Tests;

/// <summary>
/// Declarations that once crashed the generator (CS8785) or made it emit code that does not compile: each is now
/// either supported (the generated part compiles) or refused with an INT diagnostic on the user's declaration.
/// </summary>
public class RobustnessTests
{
    private const string Stack = "[Network, Input(4), Dense(3), Softmax]";

    /// <summary>Runs the generator and asserts that it did not fail, reported no error, and that everything compiles.</summary>
    /// <remarks>Documentation comments are parsed as a build with documentation output does, and generated code must not even warn.</remarks>
    private static (GeneratorDriverRunResult Result, Compilation Output) Compiles(int networks, params string[] sources)
    {
        CSharpParseOptions options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        CSharpCompilation compilation = GeneratorHarness.Compilation().AddSyntaxTrees(sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options, $"Source{i}.cs")));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriverRunResult result = driver.GetRunResult();
        AssertNoCrash(result, output);
        Diagnostic[] errors = GeneratorHarness.GeneratorDiagnostics(result).Where(d => d.Severity == DiagnosticSeverity.Error)
            .Concat(GeneratorHarness.CompileErrors(output))
            .Concat(output.GetDiagnostics().Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true && d.Id != "CS1591"))
            .ToArray();
        Assert.True(errors.Length == 0, GeneratorHarness.Describe(errors) + "\n" + string.Join("\n", output.SyntaxTrees.Skip(sources.Length)));
        Assert.Equal(networks, result.Results.Single().GeneratedSources.Length);
        return (result, output);
    }

    /// <summary>
    /// Runs the generator and asserts one diagnostic, this ID and message, on this text, and no other error than the
    /// compiler's <paramref name="userError"/> (when given) in the user's own code.
    /// </summary>
    private static void Refused(string source, string id, string locatedText, string message, string? userError = null)
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\n" + source);
        AssertNoCrash(result, output);
        Diagnostic d = Assert.Single(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Equal(id, d.Id);
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(locatedText, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Empty(result.GeneratedTrees);
        Diagnostic[] errors = GeneratorHarness.CompileErrors(output).Where(e => e.Id != userError || e.Location.SourceTree?.FilePath != "Source0.cs").ToArray();
        Assert.True(errors.Length == 0, GeneratorHarness.Describe(errors));
    }

    internal static void AssertNoCrash(GeneratorDriverRunResult result, Compilation output)
    {
        Diagnostic[] crashes = result.Diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Id is "CS8784" or "CS8785").ToArray();
        Assert.True(crashes.Length == 0, GeneratorHarness.Describe(crashes));
        Assert.All(result.Results, r => Assert.Null(r.Exception));
    }

    // ---- Hint names ----

    [Fact]
    public void Networks_whose_names_differ_only_in_case_get_distinct_files() =>
        Compiles(2, "using Intriguing;\nnamespace App;\n" + Stack + " public partial class NetA;\n" + Stack + " public partial class NETA;");

    [Fact]
    public void Networks_in_containing_types_that_differ_only_in_case_get_distinct_files() => Compiles(2,
        "using Intriguing;\nnamespace App;\npublic partial class Outer { " + Stack + " public partial class Net; }\npublic partial class OUTER { " + Stack + " public partial class Net; }");

    [Fact]
    public void Networks_in_namespaces_that_differ_only_in_case_get_distinct_files() => Compiles(2,
        "using Intriguing;\nnamespace App { " + Stack + " public partial class Net; }\nnamespace APP { " + Stack + " public partial class Net; }");

    [Fact]
    public void Case_twins_keep_their_plain_file_names_apart_from_the_suffix()
    {
        var (result, _) = Compiles(3, "using Intriguing;\nnamespace App;\n" + Stack + " public partial class NetA;\n" + Stack + " public partial class NETA;\n" + Stack + " public partial class Other;");
        string[] hints = result.Results.Single().GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray();
        Assert.Equal("App.Other.g.cs", hints[2]);
        Assert.StartsWith("App.NETA.", hints[0]);
        Assert.StartsWith("App.NetA.", hints[1]);
        Assert.NotEqual(hints[0].ToUpperInvariant(), hints[1].ToUpperInvariant());
    }

    [Fact]
    public void A_keyword_namespace_segment_is_supported() =>
        Compiles(1, "using Intriguing;\nnamespace App.@int;\n" + Stack + " public partial class Net;");

    // ---- Identifiers ----

    [Theory]
    [InlineData("@class")]
    [InlineData("@int")]
    [InlineData("@var")]
    [InlineData("@record")]
    [InlineData("Ünïcödé")]
    public void A_class_named_with_a_keyword_or_non_ascii_letters_is_supported(string name) =>
        Compiles(1, "using Intriguing;\nnamespace App;\n" + Stack + " public partial class " + name + ";");

    [Theory]
    [InlineData("@int")]
    [InlineData("@class")]
    public void A_containing_type_named_with_a_keyword_is_supported(string name) =>
        Compiles(1, "using Intriguing;\nnamespace App;\npublic partial class " + name + " { " + Stack + " public partial class Net; }");

    [Fact]
    public void A_type_named_var_in_scope_is_supported() =>
        Compiles(1, "using Intriguing;\nnamespace App;\n#pragma warning disable CS8981\npublic class var { }\n" + Stack + " public partial class Net;");

    [Fact]
    public void A_namespace_named_nameof_in_scope_is_supported() =>
        Compiles(1, "using Intriguing;\nnamespace App.@nameof.Inner;\n" + Stack + " public partial class Net;");

    [Fact]
    public void Two_networks_in_one_compilation_with_the_same_name_and_a_type_clash_emit_nothing() =>
        Assert.Empty(GeneratorHarness.Run("using Intriguing;\nnamespace App;\n" + Stack + " public partial class Net;\npublic record Net;").Result.GeneratedTrees);

    [Theory]
    [InlineData("private")]
    [InlineData("protected internal")]
    public void A_namespace_level_class_with_a_nested_only_accessibility_emits_nothing(string accessibility)
    {
        var (result, output) = GeneratorHarness.Run("using Intriguing;\nnamespace App;\n" + Stack + " " + accessibility + " partial class Net;");
        AssertNoCrash(result, output);
        Assert.Empty(result.GeneratedTrees);
        Assert.Equal("CS1527", Assert.Single(GeneratorHarness.CompileErrors(output)).Id);
    }

    [Theory]
    [InlineData("\\n")]
    [InlineData("\\r")]
    [InlineData("\\r\\n")]
    [InlineData("\\u0085")]
    [InlineData("\\u2028")]
    [InlineData("\\u2029")]
    [InlineData("</summary><summary>")]
    [InlineData("\\\"quoted\\\" \\\\ back")]
    [InlineData("\\0 nul")]
    [InlineData("\\uD800 lone")]
    [InlineData("\\uFFFF")]
    [InlineData("\\t tab &amp; <b>")]
    public void Any_display_name_is_supported(string escaped)
    {
        var (_, output) = Compiles(1, "using Intriguing;\n[Network(Name = \"a" + escaped + "b\"), Input(4), Dense(3), Softmax] public partial class Net;");

        // The name reaches the runtime unchanged: INetwork.Name returns the literal written in the attribute.
        string written = output.SyntaxTrees.First().GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AttributeArgumentSyntax>()
            .Single(a => a.NameEquals?.Name.Identifier.ValueText == "Name").Expression.GetFirstToken().ValueText;
        Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax name = output.SyntaxTrees.Last().GetRoot().DescendantNodes()
            .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax>().Single(p => p.ExplicitInterfaceSpecifier?.ToString() == "global::Intriguing.INetwork." && p.Identifier.ValueText == "Name");
        Assert.Equal(written, name.ExpressionBody!.Expression.GetFirstToken().ValueText);
    }

    // ---- Classes that cannot be networks: a diagnostic at the declaration ----

    [Theory]
    [InlineData("Workspace")]
    [InlineData("Summary")]
    [InlineData("Parameters")]
    [InlineData("Forward")]
    [InlineData("Initialize")]
    [InlineData("InputLength")]
    [InlineData("Backward")]
    [InlineData("Layout")]
    public void A_class_named_like_a_generated_member_is_refused(string name) => Refused(
        Stack + "\npublic partial class " + name + ";", "INT010", name,
        "Class '" + name + "' cannot be a network: the generator writes a member named '" + name + "' into it, and a member cannot have the name of its class; rename the class");

    [Fact]
    public void A_primary_constructor_is_refused() => Refused(
        Stack + "\npublic partial class Net(int size);", "INT010", "Net",
        "Class 'Net' cannot be a network: the generated constructor cannot call its primary constructor; remove the parameter list");

    [Fact]
    public void A_base_class_without_a_parameterless_constructor_is_refused() => Refused(
        "public class Base { public Base(int size) { } }\n" + Stack + "\npublic partial class Net : Base;", "INT010", "Net",
        "Class 'Net' cannot be a network: its base class 'Base' has no accessible constructor without arguments, which the generated constructor calls; add one",
        userError: "CS7036"); // the class's implicit constructor, in the user's file

    [Fact]
    public void A_base_class_with_an_optional_argument_constructor_is_supported() => Compiles(1,
        "using Intriguing;\npublic class Base { protected Base(int size = 3) { } }\n" + Stack + "\npublic partial class Net : Base;");

    [Theory]
    [InlineData("public virtual int InputLength => 0;", "InputLength")]
    [InlineData("protected int Summary;", "Summary")]
    [InlineData("public void Initialize(ulong seed) { }", "Initialize")]
    public void A_base_class_member_that_a_generated_member_would_hide_is_refused(string member, string name) => Refused(
        "public class Base { " + member + " }\n" + Stack + "\npublic partial class Net : Base;", "INT010", "Net",
        "Class 'Net' cannot be a network: its base class 'Base' has a member named '" + name + "', which a generated member would hide; rename it or derive from another class");

    [Fact]
    public void Base_class_members_the_generated_ones_do_not_hide_are_fine() => Compiles(1,
        "using Intriguing;\npublic class Base { public void Initialize(int other) { } private int Summary; protected int Extra; }\n" + Stack + "\npublic partial class Net : Base;");

    [Fact]
    public void A_record_is_refused() => Refused(
        Stack + "\npublic partial record Net;", "INT010", "Net",
        "Class 'Net' cannot be a network: a record's generated members clash with the network's; declare a class");

    [Fact]
    public void A_file_local_class_is_refused() => Refused(
        Stack + "\nfile partial class Net;", "INT010", "Net",
        "Class 'Net' cannot be a network: a file-local class cannot be completed from the generated file; remove 'file'");

    // ---- Stacks without a dense layer ----

    [Theory]
    [InlineData("[Input(4)][Softmax]")]
    [InlineData("[Input(4)][Tanh][Softmax]")]
    [InlineData("[Input(1, 4, 4)][Softmax]")]
    [InlineData("[Input(4)][ReLU]")]
    public void A_stack_without_weights_compiles_and_warns(string stack)
    {
        var (result, _) = Compiles(1, "using Intriguing;\n[Network]" + stack + " public partial class Net;");
        Assert.Contains(GeneratorHarness.GeneratorDiagnostics(result), d => d.Id == "INT013");
    }
}
