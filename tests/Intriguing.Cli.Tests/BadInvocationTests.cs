using System.Diagnostics;

namespace Intriguing.Cli.Tests;

/// <summary>
/// A table of bad invocations, every command with bad numbers, empty strings, unwritable paths, devices and FIFOs: each
/// ends with exit code 2 (bad arguments) or 1 (anything else), one line on standard error naming the problem, no stack
/// trace, nothing on standard output, and no file written outside <c>--out</c>.
/// </summary>
public class BadInvocationTests
{
    private const string Model = "FC100-100-10";

    // {out}: an output folder inside the run's scratch folder; {data}: the MNIST folder; {fifo}: a named pipe;
    // {fifodata}: a folder whose four MNIST files are named pipes; {devicedata}: the same with links to /dev/zero.
    public static TheoryData<string, int, string> Invocations() => new()
    {
        // --threads: at least 1, at most 8 per core (a huge count once ran out of memory or aborted the process).
        { $"train --model {Model} --threads 0", 2, "--threads must be at least 1" },
        { $"train --model {Model} --threads 2147483647", 2, "--threads must be at most" },
        { "reproduce --threads 100000", 2, "--threads must be at most" },
        { "advtrain --threads 1000", 2, "--threads must be at most" },
        { $"attack --model {Model} --threads -1", 2, "--threads must be at least 1" },
        { "transfer --threads 99999", 2, "--threads must be at most" },
        // Numbers out of range or unreadable.
        { $"train --model {Model} --epochs -3", 2, "--epochs must be at least 1" },
        { $"train --model {Model} --epochs 99999999999", 2, "Cannot parse argument '99999999999' for option '--epochs'" },
        { $"train --model {Model} --threads abc", 2, "Cannot parse argument 'abc' for option '--threads'" },
        { $"attack --model {Model} --count x", 2, "Cannot parse argument 'x' for option '--count'" },
        { "reproduce --attack-count 1e9", 2, "Cannot parse argument '1e9' for option '--attack-count'" },
        { $"train --model {Model} --batch 0", 2, "--batch must be at least 1" },
        { $"train --model {Model} --lr -1", 2, "--lr must be positive and finite" },
        { $"train --model {Model} --lr NaN", 2, "--lr must be positive and finite" },
        { $"train --model {Model} --seed -1", 2, "-1" },
        { $"train --model {Model} --holdout -5", 2, "--holdout must be 0" },
        { $"train --model {Model} --batch 1000000 --quiet --data \"{{data}}\" --out \"{{out}}\"", 2, "--batch must be at most 60000" },
        { $"attack --model {Model} --layer 99", 2, "--layer must be between 0 (the input) and 5" },
        { $"attack --model {Model} --layer -1", 2, "--layer must be between 0 (the input) and 5" },
        { $"attack --model {Model} --count 0", 2, "--count must be at least 1" },
        { $"attack --model {Model} --source dev", 2, "dev" },
        { $"units --model {Model} --layer 99", 2, "--layer must be between 1 and 6" },
        { $"units --model {Model} --rows 0", 2, "--rows must be at least 1" },
        { "transfer --count 0", 2, "--count must be at least 1" },
        { "spectral --model FC100-100-10 --examples 0", 2, "--examples must be at least 1" },
        { "spectral --model FC999", 2, "FC999" },
        { "evaluate --model FC999", 2, "Unknown model 'FC999'" },
        { "reproduce --attack-count -1", 2, "--attack-count must be 0 or more" },
        { "reproduce --advtrain-seeds -1", 2, "--advtrain-seeds must be 0 or more" },
        { "reproduce --control-seeds -1", 2, "--control-seeds must be 0 or more" },
        { "control --models FC999", 2, "--models: unknown model 'FC999'" },
        { "advtrain --seeds -1", 2, "--seeds must be a comma-separated list of integers" },
        { "advtrain --seeds 99999999999999999999", 2, "--seeds must be a comma-separated list of integers" },
        { "advtrain --seeds a,b", 2, "--seeds must be a comma-separated list of integers" },
        { "advtrain --seeds \"\"", 2, "--seeds needs at least one seed" },
        { "advtrain --seeds ,", 2, "--seeds needs at least one seed" },
        { "advtrain --variants foo", 2, "Unknown variant 'foo'" },
        { "advtrain --variants \"\"", 2, "--variants needs at least one variant" },
        { "advtrain --epochs 0", 2, "--epochs must be at least 1" },
        { "preimages --model FC999", 2, "Unknown model 'FC999' for preimages" },
        { "preimages --count 0", 2, "--count must be at least 1" },
        { "preimages --iterations 0", 2, "--iterations must be at least 1" },
        { "preimages --layers 9", 2, "--layers: FC100-100-10 has pool activations 0 to 5, not 9" },
        { "preimages --layers 2,2", 2, "--layers lists an activation twice" },
        { "preimages --layers a", 2, "--layers must be a comma-separated list of activation numbers" },
        { "preimages --lambda x", 2, "--lambda must be a comma-separated list of numbers" },
        { "preimages --lambda -1", 2, "--lambda needs one or more finite values of at least 0" },
        { "preimages --quiet --data \"{data}\" --out \"{out}\"", 1, "No checkpoint at" },
        { "advtrain --batch 1000000 --quiet --data \"{data}\" --out \"{out}\"", 2, "--batch must be at most" },
        { "models --frobnicate", 2, "--frobnicate" },
        { "frobnicate", 2, "frobnicate" },
        // Norm control (train --lipschitz): inconsistent or out-of-range settings.
        { $"train --model {Model} --beta 1", 2, "--beta needs --lipschitz" },
        { $"train --model {Model} --lipschitz foo", 2, "--lipschitz: unknown mode 'foo'" },
        { $"train --model {Model} --lipschitz ,", 2, "--lipschitz needs at least one of" },
        { $"train --model {Model} --lipschitz margin", 2, "--lipschitz margin needs --margin-eps" },
        { $"train --model {Model} --lipschitz margin --margin-eps -1", 2, "--margin-eps must be positive and finite" },
        { $"train --model {Model} --lipschitz margin --margin-eps 1 --margin-warmup -2", 2, "--margin-warmup must be 0 or more" },
        { $"train --model {Model} --lipschitz hinge,log", 2, "--lipschitz: choose one penalty" },
        { $"train --model {Model} --lipschitz margin,gloro --margin-eps 1", 2, "--lipschitz: choose one certified objective" },
        { $"train --model {Model} --lipschitz gloro", 2, "--lipschitz gloro needs --margin-eps" },
        { $"train --model {Model} --lipschitz project --beta 2", 2, "--beta needs --lipschitz hinge or log" },
        { $"train --model {Model} --lipschitz hinge --beta NaN", 2, "--beta must be a finite number" },
        { $"train --model {Model} --lipschitz project --tau 0", 2, "--tau must be positive numbers" },
        { $"train --model {Model} --lipschitz project --tau 1,x", 2, "--tau must be positive numbers" },
        { $"train --model {Model} --lipschitz project --parseval-beta 1", 2, "--parseval-beta needs --lipschitz parseval" },
        { $"train --model {Model} --lipschitz project --clip-period 5", 2, "--clip-period needs --lipschitz clip" },
        { $"train --model {Model} --lipschitz clip --clip-period 0", 2, "--clip-period must be at least 1 step" },
        { $"train --model {Model} --lipschitz project --clip-only", 2, "--clip-only needs --lipschitz clip" },
        { $"train --model {Model} --lipschitz project --tau 1,2 --quiet --data \"{{data}}\" --out \"{{out}}\"", 2, "give 1 or 3 values, not 2" },
        { $"train --model AE400-10 --lipschitz project --quiet --data \"{{data}}\" --out \"{{out}}\"", 2, "--lipschitz needs mini-batch SGD" },
        // Empty strings.
        { $"train --model {Model} --out \"\"", 2, "--out must name a folder" },
        { $"train --model {Model} --data \"\"", 2, "--data must name a folder" },
        { "reproduce --out \"\"", 2, "--out must name a folder" },
        { $"train --model \"\"", 2, "Unknown model ''" },
        // Output folders that cannot be written: refused before any work.
        { $"train --model {Model} --out /sys/intriguing", 1, "Cannot write to --out '/sys/intriguing'" },
        { "spectral --model MNIST-Conv --out /sys/intriguing", 1, "Cannot write to --out '/sys/intriguing'" },
        { "reproduce --out /proc/intriguing", 1, "Cannot write to --out '/proc/intriguing'" },
        { "advtrain --out /sys/intriguing", 1, "Cannot write to --out '/sys/intriguing'" },
        { $"attack --model {Model} --out /sys/intriguing", 1, "Cannot write to --out '/sys/intriguing'" },
        { $"units --model {Model} --out /sys/intriguing", 1, "Cannot write to --out '/sys/intriguing'" },
        { "transfer --out /sys/intriguing", 1, "Cannot write to --out '/sys/intriguing'" },
        { $"train --model {Model} --out /dev/null", 1, "Cannot write to --out '/dev/null': it is a file, not a folder" },
        { $"train --model {Model} --out \"{{fifo}}\"", 1, "it is a file, not a folder" },
        // Devices and FIFOs as data files: refused, never read without end or waited on.
        { $"train --model {Model} --quiet --data \"{{fifodata}}\" --out \"{{out}}\"", 1, "not a regular file" },
        { $"train --model {Model} --quiet --data \"{{devicedata}}\" --out \"{{out}}\"", 1, "not a regular file" },
        { $"evaluate --model {Model} --checkpoint /dev/zero", 1, "/dev/zero" },
        { $"evaluate --model {Model} --checkpoint \"{{fifo}}\"", 1, "not a regular file" },
    };

    [Theory]
    [MemberData(nameof(Invocations))]
    public void A_bad_invocation_fails_with_one_line_and_writes_nothing_outside_out(string arguments, int exitCode, string message)
    {
        string scratch = Directory.CreateTempSubdirectory("intriguing-bad-").FullName;
        try
        {
            string home = Directory.CreateDirectory(Path.Combine(scratch, "home")).FullName;
            string output = Path.Combine(scratch, "out");
            string fifo = Path.Combine(scratch, "pipe");
            MakeFifo(fifo);
            string fifoData = Directory.CreateDirectory(Path.Combine(scratch, "fifodata")).FullName;
            string deviceData = Directory.CreateDirectory(Path.Combine(scratch, "devicedata")).FullName;
            foreach (string file in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            {
                MakeFifo(Path.Combine(fifoData, file));
                File.CreateSymbolicLink(Path.Combine(deviceData, file), "/dev/zero");
            }

            string before = Listing(scratch);
            string expanded = arguments.Replace("{out}", output).Replace("{data}", TestPaths.MnistDirectory()).Replace("{fifo}", fifo)
                .Replace("{fifodata}", fifoData).Replace("{devicedata}", deviceData);
            var environment = new Dictionary<string, string> { ["HOME"] = home, ["XDG_CACHE_HOME"] = home, ["INTRIGUING_DATA"] = "" };
            var (code, stdout, stderr) = CliRunner.Run(expanded, 60, environment, workingDirectory: scratch);

            string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(code == exitCode, $"{expanded}: exit code {code}, expected {exitCode}; stderr:\n{stderr}");
            Assert.True(lines.Length == 1, $"{expanded}: {lines.Length} lines on stderr:\n{stderr}");
            Assert.StartsWith("error: ", lines[0]);
            Assert.Contains(message, lines[0]);
            Assert.DoesNotContain("   at ", stderr);
            Assert.DoesNotContain("Exception", stderr);
            Assert.Equal("", stdout);

            // Nothing new outside the output folder (which may have been made, but holds nothing).
            Assert.Equal(before, Listing(scratch, except: output));
            if (Directory.Exists(output)) Assert.Empty(Directory.EnumerateFileSystemEntries(output));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string Listing(string root, string? except = null) => string.Join("\n", Directory
        .EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        .Where(p => except is null || !(p == except || p.StartsWith(except + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        .Order(StringComparer.Ordinal));

    private static void MakeFifo(string path)
    {
        using Process p = Process.Start(new ProcessStartInfo("mkfifo", $"\"{path}\"") { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
