using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Intriguing.Cli.Tests;

/// <summary>The way a user starts: a fresh console project outside the solution, referencing the NuGet package.</summary>
public class PackageTests
{
    private static string RepoRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    private static (int Code, string Output) Dotnet(string arguments, string directory, int timeoutSeconds = 600)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(timeoutSeconds * 1000), $"dotnet {arguments} did not finish in {timeoutSeconds} s");
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Fresh_project_declares_builds_and_runs_a_network_from_the_package()
    {
        string root = RepoRoot();
        string work = Directory.CreateTempSubdirectory("intriguing-package-").FullName;
        try
        {
            // A unique version, so that no cached copy of an earlier package is ever used.
            string version = "0.1.0-ci." + DateTime.UtcNow.Ticks;
            string feed = Path.Combine(work, "feed");
            var (code, output) = Dotnet($"pack \"{Path.Combine(root, "src", "Runtime", "Intriguing.Runtime.csproj")}\" -c Release --no-build -o \"{feed}\" -p:PackageVersion={version}", root);
            Assert.True(code == 0, output);

            string app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Intriguing" Version="{version}" />
                    <AdditionalFiles Include="models/mlp.onnx" />
                  </ItemGroup>
                </Project>
                """);
            // A PyTorch-exported model compiled by the generator from the package (its Google.Protobuf ships beside it).
            Directory.CreateDirectory(Path.Combine(app, "models"));
            File.Copy(Path.Combine(root, "tests", "Intriguing.Networks.Tests", "Onnx", "torch_mlp.onnx"), Path.Combine(app, "models", "mlp.onnx"));
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using Intriguing;

                var net = new Tiny(seed: 3);
                Console.WriteLine(net.Summary);
                var ws = net.CreateWorkspace();
                float[] x = { 0.1f, 0.9f, 0.5f, 0.3f };
                float[] gradient = new float[Tiny.Layout.ParameterBufferLength];
                float loss = net.LossAndGradient(ws, x, new[] { 1 }, 1, gradient);
                Console.WriteLine($"parameters={net.ParameterCount} loss-finite={float.IsFinite(loss)}");

                Mlp mlp = Mlp.FromOnnx();
                float[] probabilities = new float[mlp.OutputLength];
                mlp.Forward(Enumerable.Range(0, Mlp.Layout.InputLength).Select(i => (i % 5) / 5f).ToArray(), probabilities);
                Console.WriteLine($"onnx layers={mlp.LayerCount} sum={probabilities.Sum():F3}");

                [Network, Input(4), Dense(5, WeightDecay = 1e-3), Tanh, Dense(3), Softmax]
                public partial class Tiny;

                [Network(Onnx = "models/mlp.onnx")]
                public partial class Mlp;
                """);

            // The package's README: no links into the repository, and its first example compiles against the package.
            using (var package = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(feed, "Intriguing." + version + ".nupkg").Single()))
            {
                string readme = new StreamReader(package.GetEntry("README.md")!.Open()).ReadToEnd();
                Assert.DoesNotContain("](docs", readme);
                Assert.DoesNotContain("](bench", readme);
                int start = readme.IndexOf("```csharp", StringComparison.Ordinal) + "```csharp".Length;
                string example = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
                string readmeApp = Path.Combine(work, "readme");
                Directory.CreateDirectory(readmeApp);
                File.Copy(Path.Combine(app, "nuget.config"), Path.Combine(readmeApp, "nuget.config"));
                File.WriteAllText(Path.Combine(readmeApp, "Readme.csproj"), File.ReadAllText(Path.Combine(app, "App.csproj")).Replace("<AdditionalFiles Include=\"models/mlp.onnx\" />", ""));
                File.WriteAllText(Path.Combine(readmeApp, "Program.cs"), example);
                (code, output) = Dotnet("build -c Release", readmeApp);
                Assert.True(code == 0, output);
            }

            // Directory.Build.props of the repository must not leak in: the project lives outside it.
            (code, output) = Dotnet("run -c Release", app);
            Assert.True(code == 0, output);
            Assert.Contains("parameters=43 loss-finite=True", output);
            Assert.Contains("onnx layers=6 sum=1.000", output);
            Assert.Contains("Dense1", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void Command_line_installs_as_a_dotnet_tool_and_runs()
    {
        string root = RepoRoot();
        string work = Directory.CreateTempSubdirectory("intriguing-tool-").FullName;
        try
        {
            string version = "0.1.0-ci." + DateTime.UtcNow.Ticks;
            string feed = Path.Combine(work, "feed");
            var (code, output) = Dotnet($"pack \"{Path.Combine(root, "samples", "Intriguing.Cli", "Intriguing.Cli.csproj")}\" -c Release --no-build -o \"{feed}\" -p:PackageVersion={version}", root);
            Assert.True(code == 0, output);
            (code, output) = Dotnet("new tool-manifest", work);
            Assert.True(code == 0, output);
            (code, output) = Dotnet($"tool install Intriguing.Tool --add-source \"{feed}\" --version {version}", work);
            Assert.True(code == 0, output);
            (code, output) = Dotnet("tool run intriguing -- models", work);
            Assert.True(code == 0, output);
            Assert.Contains("FC100-100-10: 89,610 parameters", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
