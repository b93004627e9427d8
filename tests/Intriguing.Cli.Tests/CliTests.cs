using System.Diagnostics;

namespace Intriguing.Cli.Tests;

public class CliTests
{
    private static (int ExitCode, string Out, string Err) Run(string arguments, Dictionary<string, string>? environment = null) =>
        CliRunner.Run(arguments, 120, environment);

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (string command in new[] { "models", "train", "evaluate", "reproduce", "spectral", "advtrain", "attack", "robustness" }) Assert.Contains(command, output);
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
        (code, _, error) = Run("train --model FC100-100-10 --holdout -5");
        Assert.Equal(2, code);
        Assert.Contains("--holdout must be 0", error);
    }

    [Fact]
    public void Attack_methods_and_norms_are_checked_before_any_work()
    {
        var (code, _, error) = Run("attack --model FC100-100-10 --method cw --norm linf");
        Assert.Equal(2, code);
        Assert.Contains("--method cw minimises the L2 norm only", error);
        (code, _, error) = Run("robustness --model FC100-100-10 --method ddn --norm linf");
        Assert.Equal(2, code);
        Assert.Contains("--method ddn minimises the L2 norm only", error);
        Assert.Equal(2, Run("attack --model FC100-100-10 --method foolbox").ExitCode);
        (code, _, error) = Run("attack --model FC100-100-10 --method pgd --epsilon 0");
        Assert.Equal(2, code);
        Assert.Contains("--epsilon must be positive", error);
        (code, _, error) = Run("robustness --model FC100-100-10 --points 1");
        Assert.Equal(2, code);
        Assert.Contains("--points must be at least 2", error);
    }

    [Fact]
    public void Bad_advtrain_tuning_options_are_usage_errors()
    {
        var (code, _, error) = Run("advtrain --lr 0");
        Assert.Equal(2, code);
        Assert.Contains("--lr must be positive", error);
        (code, _, error) = Run("advtrain --lr -0.1");
        Assert.Equal(2, code);
        Assert.Contains("--lr must be positive", error);
        (code, _, error) = Run("advtrain --warmup -1");
        Assert.Equal(2, code);
        Assert.Contains("--warmup must be 0", error);
        // Pool settings and counts out of range are usage errors too, named by their options.
        foreach (var (arguments, expected) in new[]
        {
            ("advtrain --mix -1", "--mix: MixingRatio must be non-negative"),
            ("advtrain --pool-size 0", "--pool-size: PoolSize must be at least 1"),
            ("advtrain --refresh-fraction 1.5", "--refresh-fraction: RefreshFraction must be in (0, 1]"),
            ("advtrain --refresh-period 0", "--refresh-period: RefreshPeriod must be at least 1"),
            ("advtrain --overshoot 0.5", "--overshoot: Overshoot must be at least 1"),
            ("advtrain --overshoot NaN", "--overshoot: Overshoot must be at least 1"),
            ("advtrain --overshoot Infinity", "--overshoot: Overshoot must be at least 1"),
            ("advtrain --pool-distortion -0.1", "--pool-distortion: PoolDistortion must be non-negative and finite"),
            ("advtrain --pool-distortion NaN", "--pool-distortion: PoolDistortion must be non-negative and finite"),
            ("advtrain --overshoot 2 --pool-distortion 0.1", "--pool-distortion: PoolDistortion (0.1) and Overshoot (2) both size"),
            ("advtrain --epochs 0", "--epochs must be at least 1"),
            ("advtrain --robustness-count 0", "--robustness-count must be at least 1"),
            ("advtrain --batch 0", "--batch must be at least 1"),
            ("advtrain --momentum 1", "--momentum must be in [0, 1)"),
            ("advtrain --momentum -0.5", "--momentum must be in [0, 1)"),
            ("advtrain --candidates 0", "--candidates: SourceCandidates must be at least 1"),
        })
        {
            (code, _, error) = Run(arguments);
            Assert.True(code == 2, $"{arguments}: exit code {code}, stderr {error}");
            Assert.Contains(expected, error);
        }

        (code, _, error) = Run("advtrain --pool-attack strong");
        Assert.Equal(2, code);
        Assert.Contains("strong", error);
        (code, var output, _) = Run("advtrain --help");
        Assert.Equal(0, code);
        foreach (string option in new[] { "--lr", "--batch", "--momentum", "--warmup", "--pool-attack", "--overshoot", "--pool-distortion", "--candidates", "input-dropout" }) Assert.Contains(option, output);
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

            (code, _, error) = Run($"spectral --model MNIST-Conv --out \"{empty}\"");
            Assert.Equal(1, code);
            Assert.Contains("No checkpoint at", error);
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

/// <summary>The main job end to end, in its reduced form: every model trained, every table written, and rerun from checkpoints.</summary>
public class ReproduceTests
{
    [Fact]
    public void Quick_reproduce_writes_the_report_and_reuses_its_checkpoints_with_identical_results()
    {
        string data = TestPaths.MnistDirectory();
        string output = Directory.CreateTempSubdirectory("intriguing-reproduce-").FullName;
        try
        {
            string arguments = $"reproduce --quick --attack-count 4 --certify-count 6 --head-to-head 2 --head-to-head-budget 40 --control-seeds 0 --quiet --data \"{data}\" --out \"{output}\"";
            var (code, stdout, stderr) = CliRunner.Run(arguments, timeoutSeconds: 600);
            Assert.True(code == 0, stderr + stdout);
            string report = File.ReadAllText(Path.Combine(output, "report.md"));
            Assert.Contains("Quick run (`--quick`)", report);
            foreach (string section in new[] { "## Table 1", "## Table 2", "## Table 3", "## Table 4", "## Adversarial examples", "## Lipschitz bounds", "### (a) AlexNet", "### (a′) Trained weights: ResNet18", "### (b) MNIST-Conv", "### (c) The Table 1 models", "## Units of φ(x)", "## Hidden-layer adversarial training", "## Settings", "## Certified radii", "## Is the \"minimum\" distortion minimal?" }) Assert.Contains(section, report);
            Assert.Contains("| MNIST-Conv (extra: not in Table 1) |", report);
            Assert.Equal(9, Directory.GetFiles(output, "adversarial-*.png").Length);
            Assert.Equal(6, Directory.GetFiles(output, "units-*.png").Length);
            Assert.Equal(2, Directory.GetFiles(output, "spectral-*.png").Length);
            string html = File.ReadAllText(Path.Combine(output, "report.html"));
            Assert.Contains("<table>", html);
            Assert.True(File.Exists(Path.Combine(output, "advtrain-quick.png")));
            Assert.Equal(3, Directory.GetFiles(output, "certified-*.png").Length);
            Assert.Equal(9 + 6 + 2 + 1 + 3, System.Text.RegularExpressions.Regex.Count(html, "src=\"data:image/png;base64,"));   // self-contained

            using var first = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
            var models = first.RootElement.GetProperty("Models");
            Assert.Equal(10, models.GetArrayLength());
            foreach (var m in models.EnumerateArray())
            {
                Assert.False(m.GetProperty("FromCheckpoint").GetBoolean());
                Assert.InRange(m.GetProperty("TestError").GetDouble(), 0.0, 0.3);
            }

            // A second run reuses every checkpoint and reproduces every number.
            (code, stdout, stderr) = CliRunner.Run(arguments, timeoutSeconds: 600);
            Assert.True(code == 0, stderr + stdout);
            using var second = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
            var again = second.RootElement.GetProperty("Models");
            for (int i = 0; i < 10; i++)
            {
                Assert.True(again[i].GetProperty("FromCheckpoint").GetBoolean(), again[i].GetProperty("Name").GetString());
                Assert.Equal(models[i].GetProperty("TestError").GetDouble(), again[i].GetProperty("TestError").GetDouble());
            }

            var t1 = first.RootElement.GetProperty("Adversarial").GetProperty("Table1");
            var t1again = second.RootElement.GetProperty("Adversarial").GetProperty("Table1");
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(t1[i].GetProperty("RandomTargetDistortion").GetDouble(), t1again[i].GetProperty("RandomTargetDistortion").GetDouble());
                Assert.Equal(t1[i].GetProperty("MeanDistortion").GetDouble(), t1again[i].GetProperty("MeanDistortion").GetDouble());
            }

            // The certificates: a row per Table 1 model and MNIST-Conv, no broken certificate, the same radii again.
            var rows = first.RootElement.GetProperty("Certification").GetProperty("Rows");
            var rowsAgain = second.RootElement.GetProperty("Certification").GetProperty("Rows");
            Assert.Equal(7, rows.GetArrayLength());
            for (int i = 0; i < 7; i++)
            {
                Assert.Equal(0, rows[i].GetProperty("Violations").GetInt32());
                Assert.Equal(0, rows[i].GetProperty("BestViolations").GetInt32());
                Assert.Equal(rows[i].GetProperty("MedianCertified").GetDouble(), rowsAgain[i].GetProperty("MedianCertified").GetDouble());
                Assert.Equal(rows[i].GetProperty("MedianCertifiedLinf").GetDouble(), rowsAgain[i].GetProperty("MedianCertifiedLinf").GetDouble());
            }

            var spectral = first.RootElement.GetProperty("Spectral");
            var spectralAgain = second.RootElement.GetProperty("Spectral");
            Assert.Equal(6, spectral.GetArrayLength());
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(spectral[i].GetProperty("LogitBound").GetDouble(), spectralAgain[i].GetProperty("LogitBound").GetDouble());
                Assert.Equal(spectral[i].GetProperty("LowerEstimate").GetDouble(), spectralAgain[i].GetProperty("LowerEstimate").GetDouble());
                // A lower bound up to the single-precision rounding of the gradients (equal to the bound for the linear models).
                Assert.True(spectral[i].GetProperty("LowerEstimate").GetDouble() <= spectral[i].GetProperty("LogitBound").GetDouble() * (1 + 1e-5));
            }

            // Table 5 on trained weights: ResNet-18's 22 convolutions and 9 blocks, the same bounds again.
            var resnet = first.RootElement.GetProperty("Table5").GetProperty("ResNet18");
            var resnetAgain = second.RootElement.GetProperty("Table5").GetProperty("ResNet18");
            Assert.Equal(22, resnet.GetProperty("Convolutions").GetArrayLength());
            Assert.Equal(9, resnet.GetProperty("Blocks").GetArrayLength());
            Assert.Equal(resnet.GetProperty("Bound").GetDouble(), resnetAgain.GetProperty("Bound").GetDouble());
            Assert.Equal(resnet.GetProperty("RandomBound").GetDouble(), resnetAgain.GetProperty("RandomBound").GetDouble());

            foreach (string table in new[] { "AlexNet", "Conv" })
            {
                var t5 = first.RootElement.GetProperty("Table5").GetProperty(table);
                var t5again = second.RootElement.GetProperty("Table5").GetProperty(table);
                Assert.Equal(t5.GetProperty("LogitBound").GetDouble(), t5again.GetProperty("LogitBound").GetDouble());
                var layers = t5.GetProperty("Layers");
                for (int l = 0; l < layers.GetArrayLength(); l++) Assert.Equal(layers[l].GetProperty("Bound").GetDouble(), t5again.GetProperty("Layers")[l].GetProperty("Bound").GetDouble());
            }

            var conv = first.RootElement.GetProperty("Table5").GetProperty("Conv");
            Assert.Equal(conv.GetProperty("LowerEstimate").GetDouble(), second.RootElement.GetProperty("Table5").GetProperty("Conv").GetProperty("LowerEstimate").GetDouble());
            Assert.InRange(conv.GetProperty("LowerEstimate").GetDouble(), 1e-3, conv.GetProperty("LogitBound").GetDouble());
            // The adversarial-training runs (one tiny run per variant) are reused with the same figures.
            var adv = first.RootElement.GetProperty("AdversarialTraining").GetProperty("Runs");
            var advAgain = second.RootElement.GetProperty("AdversarialTraining").GetProperty("Runs");
            Assert.True(adv.GetArrayLength() >= 5);
            Assert.Equal(adv.GetArrayLength(), advAgain.GetArrayLength());
            for (int i = 0; i < adv.GetArrayLength(); i++)
            {
                Assert.False(adv[i].GetProperty("FromCheckpoint").GetBoolean());
                Assert.True(advAgain[i].GetProperty("FromCheckpoint").GetBoolean());
                Assert.InRange(adv[i].GetProperty("TestError").GetDouble(), 0.0, 0.3);
                foreach (string property in new[] { "TestError", "Robustness", "HiddenRobustness2", "TrainSeconds" })
                {
                    Assert.Equal(adv[i].GetProperty(property).GetRawText(), advAgain[i].GetProperty(property).GetRawText());
                }
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}

/// <summary>Runs the built command line as a process.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Out, string Err) Run(string arguments, int timeoutSeconds = 120, Dictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "intriguing.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (k, v) in environment ?? new()) start.Environment[k] = v;
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(timeoutSeconds * 1000), $"the command did not finish in {timeoutSeconds} s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>The MNIST files for tests: INTRIGUING_DATA, or ../shared/data/mnist beside the repository.</summary>
internal static class TestPaths
{
    public static string MnistDirectory([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        string? env = Environment.GetEnvironmentVariable("INTRIGUING_DATA");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, "train-images-idx3-ubyte.gz"))) return env;
        string shared = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "shared", "data", "mnist"));
        if (File.Exists(Path.Combine(shared, "train-images-idx3-ubyte.gz"))) return shared;
        throw new DirectoryNotFoundException($"These tests need the MNIST files: set INTRIGUING_DATA or put them in {shared}.");
    }
}
