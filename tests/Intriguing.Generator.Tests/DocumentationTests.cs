using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Intriguing.Generator.Tests;

/// <summary>The generated part's class documentation next to the user's.</summary>
public class DocumentationTests
{
    private const string Stack = "[Network, Input(4), Dense(3), Softmax]\npublic partial class Net;";

    /// <summary>The compiler's documentation of <c>Net</c>, with documentation comments parsed as the build does.</summary>
    private static string TypeDocumentation(string source)
    {
        CSharpParseOptions options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        CSharpCompilation compilation = GeneratorHarness.Compilation().AddSyntaxTrees(CSharpSyntaxTree.ParseText("using Intriguing;\n" + source, options, "Net.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: options);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        return output.GetTypeByMetadataName("Net")!.GetDocumentationCommentXml() ?? "";
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    [Fact]
    public void Without_a_user_summary_the_generated_summary_names_the_stack()
    {
        string doc = TypeDocumentation(Stack);
        Assert.Equal(1, Count(doc, "<summary>"));
        Assert.Contains("Net: 4 → Dense 3 → Softmax.", doc.Split("</summary>")[0]);
    }

    [Fact]
    public void A_user_summary_stays_the_only_summary()
    {
        string doc = TypeDocumentation("/// <summary>My classifier.</summary>\n" + Stack);
        Assert.Equal(1, Count(doc, "<summary>"));
        Assert.Contains("My classifier.", doc.Split("</summary>")[0]);
        Assert.Contains("Net: 4 → Dense 3 → Softmax.", doc);
    }
}
