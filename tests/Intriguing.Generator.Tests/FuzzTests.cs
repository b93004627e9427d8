using System.Text;

namespace Intriguing.Generator.Tests;

/// <summary>Random attribute stacks, valid and garbage, must never crash the generator.</summary>
public class FuzzTests
{
    private static readonly string[] s_layers =
    {
        "Dense({n})", "Dense({n}, WeightDecay = {d})", "Dense({n}, Bias = false)", "Dense({n}, Bias = {b}, WeightDecay = {d})",
        "Sigmoid", "ReLU", "Tanh", "Softmax", "Input({n})", "Input({n}, {n}, {n})",
        // Garbage the compiler rejects: the generator must stay quiet and alive.
        "Dense", "Dense(\"x\")", "Dense({n}, {n})", "Dense({n}, WeightDecay = \"a\")", "Input()", "Input({n}, {n})",
        "Sigmoid({n})", "Dense(int.MaxValue)", "Dense(-{n})", "Unknown({n})", "Dense({n}, Bias = 3)",
        "Dense({n}, WeightDecay = double.PositiveInfinity)", "Dense({n}, WeightDecay = 1e308 * 10)", "Input(int.MinValue)",
        "Dropout({d})", "Dropout({n})", "Dropout", "Dropout(\"x\")", "Dropout(0.5, 1)", "Dropout(double.NaN)", "Dropout(0.999999)",
        // Convolution, pooling, normalisation: sizes, strides and paddings from the size list (zero, negative, huge).
        "Conv({n}, {n})", "Conv({n}, {n}, {n}, {n})", "Conv({n}, {n}, stride: {n})", "Conv({n}, {n}, padding: {n}, Mode = Padding.Circular)",
        "Conv({n}, {n}, {n}, {n}, WeightDecay = {d}, Bias = {b})", "Conv({n})", "Conv", "Conv({n}, {n}, Mode = (Padding)7)",
        "MaxPool({n})", "MaxPool({n}, {n})", "MaxPool", "MaxPool({n}, {n}, {n})",
        "AvgPool({n})", "AvgPool({n}, {n})", "AvgPool", "AvgPool({n}, {n}, {n})",
        "ContrastNorm", "ContrastNorm({d}, {d})", "ContrastNorm({d})", "LocalResponseNorm", "LocalResponseNorm({n})",
        "LocalResponseNorm({n}, {d}, {d}, {d})", "LocalResponseNorm(beta: {d})",
        "Input(1, 28, 28)", "Input(3, {n}, {n})", "Input({n}, 7, 7)",
    };

    private static readonly string[] s_sizes = { "0", "1", "2", "3", "10", "17", "-1", "65536", "46341", "int.MaxValue", "1 << 20" };
    private static readonly string[] s_decays = { "0", "1e-5", "-1", "double.NaN", "1e300", "0.5f", "1" };
    private static readonly string[] s_modifiers = { "public partial class", "partial class", "public class", "internal static partial class", "public abstract partial class", "public sealed partial class" };

    [Fact]
    public void Thousand_random_stacks_never_crash_the_generator()
    {
        var random = new SeededRandom(20141216);
        int stacks = 0;
        for (int run = 0; run < 25; run++)
        {
            var source = new StringBuilder("using Intriguing;\nnamespace Fuzz;\n");
            for (int c = 0; c < 40; c++, stacks++)
            {
                source.Append(random.NextInt(10) == 0 ? "" : "[Network]");
                int lists = random.NextInt(5);
                for (int l = 0; l < lists; l++)
                {
                    source.Append('[');
                    int count = 1 + random.NextInt(4);
                    for (int a = 0; a < count; a++)
                    {
                        if (a > 0) source.Append(", ");
                        source.Append(Fill(s_layers[random.NextInt(s_layers.Length)], random));
                    }

                    source.Append(']');
                }

                if (random.NextInt(4) > 0)
                {
                    // Most stacks start from a plausible input so that the analysis goes deep.
                    source.Insert(source.Length, "");
                }

                source.Append('\n').Append(s_modifiers[random.NextInt(s_modifiers.Length)]).Append(" Net").Append(c);
                source.Append(random.NextInt(2) == 0 ? ";\n" : " { }\n");
            }

            var (result, output) = GeneratorHarness.Run(source.ToString());
            Diagnostic[] crashes = result.Diagnostics.Concat(output.GetDiagnostics())
                .Where(d => d.Id is "CS8784" or "CS8785").ToArray();
            Assert.True(crashes.Length == 0, GeneratorHarness.Describe(crashes) + "\n" + source);
            Assert.All(result.Results, r => Assert.Null(r.Exception));

            // Whatever the generator emitted must compile: errors may only come from the user's own garbage.
            foreach (Diagnostic error in GeneratorHarness.CompileErrors(output))
            {
                Assert.False(error.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) ?? false,
                    "generated code does not compile: " + error + "\n" + source);
            }
        }

        Assert.True(stacks >= 1000);
    }

    [Fact]
    public void Valid_random_stacks_compile_without_diagnostics()
    {
        var random = new SeededRandom(7);
        string[] activations = { "Sigmoid", "ReLU", "Tanh" };
        var source = new StringBuilder("using Intriguing;\nnamespace Fuzz;\n");
        for (int c = 0; c < 60; c++)
        {
            source.Append("[Network, Input(").Append(1 + random.NextInt(50)).Append(")]");
            int hidden = random.NextInt(4);
            for (int h = 0; h < hidden; h++)
            {
                source.Append("[Dense(").Append(1 + random.NextInt(40)).Append(random.NextInt(2) == 0 ? ", Bias = false" : "")
                    .Append("), ").Append(activations[random.NextInt(3)]).Append(random.NextInt(3) == 0 ? ", Dropout(0.5)" : "").Append(']');
            }

            source.Append(random.NextInt(2) == 0 ? "[Dense(" + (2 + random.NextInt(9)) + "), Softmax]" : "[Dense(" + (1 + random.NextInt(9)) + ")]");
            source.Append("\npublic partial class Net").Append(c).Append(";\n");
        }

        var (result, output) = GeneratorHarness.Run(source.ToString());
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Diagnostic[] errors = GeneratorHarness.CompileErrors(output);
        Assert.True(errors.Length == 0, GeneratorHarness.Describe(errors));
        Assert.Equal(60, result.Results.Single().GeneratedSources.Length);
    }

    [Fact]
    public void Valid_random_conv_stacks_compile_without_diagnostics()
    {
        // Shapes chosen so that every stride divides: kernel k, stride s, padding p on an n×n map with (n + 2p − k) % s == 0.
        var random = new SeededRandom(11);
        var source = new StringBuilder("using Intriguing;\nnamespace Fuzz;\n");
        for (int c = 0; c < 40; c++)
        {
            int channels = 1 + random.NextInt(3), n = 6 + random.NextInt(10);
            source.Append("[Network, Input(").Append(channels).Append(", ").Append(n).Append(", ").Append(n).Append(")]");
            int blocks = 1 + random.NextInt(2);
            for (int b = 0; b < blocks && n >= 3; b++)
            {
                int k = 1 + random.NextInt(Math.Min(3, n)), p = random.NextInt(k), s = 1 + random.NextInt(2);
                while ((n + 2 * p - k) % s != 0) s--;
                bool circular = random.NextInt(2) == 0;
                source.Append("[Conv(").Append(1 + random.NextInt(4)).Append(", ").Append(k).Append(", ").Append(s).Append(", ").Append(p)
                    .Append(circular ? ", Mode = Padding.Circular" : "").Append("), ").Append(new[] { "ReLU", "Tanh", "Sigmoid" }[random.NextInt(3)]);
                n = (n + 2 * p - k) / s + 1;
                if (random.NextInt(2) == 0) source.Append(", ContrastNorm(").Append(0.5 + random.NextInt(3)).Append(", 0.5)");
                if (random.NextInt(2) == 0) source.Append(", LocalResponseNorm(").Append(1 + 2 * random.NextInt(3)).Append(')');
                if (n >= 2 && random.NextInt(2) == 0)
                {
                    int size = 2, stride = n % 2 == 0 ? 2 : 1;
                    source.Append(", MaxPool(").Append(size).Append(", ").Append(stride).Append(')');
                    n = (n - size) / stride + 1;
                }

                source.Append(']');
            }

            source.Append(random.NextInt(2) == 0 ? "[Dense(" + (2 + random.NextInt(9)) + "), Dropout(0.25), Softmax]" : "[Dense(" + (1 + random.NextInt(9)) + ")]");
            source.Append("\npublic partial class Net").Append(c).Append(";\n");
        }

        var (result, output) = GeneratorHarness.Run(source.ToString());
        Assert.True(GeneratorHarness.GeneratorDiagnostics(result).Length == 0, GeneratorHarness.Describe(GeneratorHarness.GeneratorDiagnostics(result)) + "\n" + source);
        Diagnostic[] errors = GeneratorHarness.CompileErrors(output);
        Assert.True(errors.Length == 0, GeneratorHarness.Describe(errors));
        Assert.Equal(40, result.Results.Single().GeneratedSources.Length);
    }

    private static string Fill(string template, SeededRandom random)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            if (template[i] == '{' && i + 2 < template.Length && template[i + 2] == '}')
            {
                sb.Append(template[i + 1] switch
                {
                    'n' => s_sizes[random.NextInt(s_sizes.Length)],
                    'd' => s_decays[random.NextInt(s_decays.Length)],
                    _ => random.NextInt(2) == 0 ? "true" : "false",
                });
                i += 2;
            }
            else
            {
                sb.Append(template[i]);
            }
        }

        return sb.ToString();
    }
}
