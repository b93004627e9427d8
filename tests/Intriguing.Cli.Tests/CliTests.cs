using System.Diagnostics;

namespace Intriguing.Cli.Tests;

public class CliTests
{
    private static (int ExitCode, string Out, string Err) Run(string arguments, Dictionary<string, string>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "intriguing.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in environment ?? new()) start.Environment[k] = v;
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the command did not finish in 2 minutes");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (string command in new[] { "models", "train", "evaluate", "reproduce" }) Assert.Contains(command, output);
    }

    [Fact]
    public void Models_prints_the_compile_time_summaries()
    {
        var (code, output, _) = Run("models");
        Assert.Equal(0, code);
        Assert.Contains("FC100-100-10: 89,610 parameters", output);
        Assert.Contains("FC123-456-10", output);
        Assert.Contains("AE400-10", output);
    }

    [Fact]
    public void Unknown_model_is_a_usage_error_naming_the_known_ones()
    {
        var (code, _, error) = Run("train --model FC999");
        Assert.Equal(2, code);
        Assert.Contains("Unknown model 'FC999'", error);
        Assert.Contains("FC100-100-10", error);
    }

    [Fact]
    public void Missing_required_option_and_bad_values_are_usage_errors()
    {
        Assert.Equal(2, Run("train").ExitCode);
        var (code, _, error) = Run("reproduce --threads 0");
        Assert.Equal(2, code);
        Assert.Contains("--threads must be at least 1", error);
        Assert.Equal(2, Run("reproduce --seed minus-one").ExitCode);
        Assert.Equal(2, Run("frobnicate").ExitCode);
    }

    [Fact]
    public void Missing_data_says_where_to_put_the_files()
    {
        string empty = Directory.CreateTempSubdirectory("intriguing-nodata-").FullName;
        try
        {
            var (code, _, error) = Run($"evaluate --model FC10(1e-4) --data \"{empty}\"", new() { ["HOME"] = empty, ["XDG_CACHE_HOME"] = empty });
            Assert.Equal(1, code);
            Assert.Contains("train the model first", error);

            (code, _, error) = Run($"train --model FC10(1e-4) --data \"{empty}\" --out \"{empty}\"");
            Assert.Equal(1, code);
            Assert.Contains("does not hold the four MNIST files", error);
            Assert.Contains("train-images-idx3-ubyte.gz", error);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
