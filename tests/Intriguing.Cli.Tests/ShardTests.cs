using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Intriguing.Cli.Tests;

/// <summary>
/// The sweep commands split into N shards and merged write what the one-process run writes, for N = 1, 2, 3 and 5
/// (timings aside), with small example counts and quick settings.
/// </summary>
public class AttackShardTests
{
    [Fact]
    public void Attack_shards_merged_equal_the_one_process_run() =>
        ShardHarness.AssertInvariant("attack --model FC100-100-10 --count 6 --source test", [1, 2, 3, 5]);

    [Fact]
    public void Batched_attack_shards_merged_equal_the_one_process_run() =>
        ShardHarness.AssertInvariant("attack --model FC100-100-10 --count 7 --method ddn --steps 20 --target RunnerUp", [3]);
}

public class CertifyShardTests
{
    [Fact]
    public void Certify_shards_merged_equal_the_one_process_run() =>
        ShardHarness.AssertInvariant("certify --model FC100-100-10 --count 12 --epsilon 0.3", [1, 2, 3, 5]);
}

public class RobustnessShardTests
{
    [Fact]
    public void Robustness_shards_merged_equal_the_one_process_run() =>
        ShardHarness.AssertInvariant("robustness --model FC100-100-10 --count 8 --pgd --steps 10 --points 4", [1, 2, 3, 5]);
}

public class AdvTrainShardTests
{
    /// <summary>
    /// Also kills a one-shard run after its first training run is stored (while the second trains), runs the shard
    /// again (it reuses the stored run) and merges: the same numbers.
    /// </summary>
    [Fact]
    public void Advtrain_shards_merged_equal_the_one_process_run_also_after_a_killed_shard() =>
        ShardHarness.AssertInvariant("advtrain --quick --variants wd,input --seeds 1 --robustness-count 2 --batch 500 --pool-size 20 --refresh-period 30 --candidates 1", [1, 2, 3, 5], model: false, (command, expected) =>
        {
            string output = ShardHarness.NewOutput(model: false);
            try
            {
                // Runs go pool-heavy first: the input-pool run is stored first, then the weight-decay run trains.
                bool killed = ShardHarness.RunUntil($"{command} --shard 0/1 {ShardHarness.Common(output)}", "advtrain (c) input, seed 1:");
                Assert.True(killed, "the shard finished before it could be killed");
                Assert.False(File.Exists(Path.Combine(output, "shards", "advtrain-quick", "0-of-1.json")));
                ShardHarness.RunShard(command, output, 0, 1);
                ShardHarness.Merge(output);
                ShardHarness.AssertSame(expected, ShardHarness.Outputs(output), "killed and rerun: ");
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        });
}

/// <summary>The same for the comparison on a second architecture (the ReLU MLP), with its derived variants.</summary>
public class AdvTrainSecondModelShardTests
{
    [Fact]
    public void Advtrain_of_another_model_shards_merged_equal_the_one_process_run() =>
        ShardHarness.AssertInvariant("advtrain --quick --model FC200-200-10-ReLU --variants wd,layer2 --seeds 1 --robustness-count 2 --batch 500 --pool-size 20 --refresh-period 30 --candidates 1", [1, 3], model: false);
}

/// <summary>A shard rerun after a failure, missing and foreign shards, and bad shard values.</summary>
public class ShardFailureTests
{
    private const string Certify = "certify --model FC100-100-10 --count 12";

    [Fact]
    public void A_shard_run_again_leaves_the_merge_identical_and_missing_or_foreign_shards_are_named()
    {
        string output = ShardHarness.NewOutput();
        try
        {
            ShardHarness.RunShards(Certify, output, 3);
            ShardHarness.Merge(output);
            Dictionary<string, string> first = ShardHarness.Outputs(output);

            // Shard 1 "killed midway": its file never written, a partial temporary file left behind.
            string job = Path.Combine(output, "shards", "certify-fc100-100-10-l2");
            string shard1 = Path.Combine(job, "1-of-3.json"), kept = Path.Combine(output, "1-of-3.kept");
            File.Delete(shard1);
            File.WriteAllText(Path.Combine(job, ".1-of-3.json.elsewhere-4242.tmp"), "{ \"Command\": \"cert");
            AssertMergeFails(output, "Shard 1-of-3 of certify-fc100-100-10-l2 is missing", "--shard 1/3");

            // Run again, it replaces only its own leftovers; shard 2 run twice changes nothing either.
            ShardHarness.RunShard(Certify, output, 1, 3);
            ShardHarness.RunShard(Certify, output, 2, 3);
            Assert.False(File.Exists(Path.Combine(job, ".1-of-3.json.elsewhere-4242.tmp")));
            ShardHarness.Merge(output);
            ShardHarness.AssertSame(first, ShardHarness.Outputs(output));
            File.Delete(Path.Combine(output, "certify-fc100-100-10-l2.json"));
            File.Copy(shard1, kept);

            // Other settings.
            ShardHarness.RunShard("certify --model FC100-100-10 --count 13", output, 1, 3);
            AssertMergeFails(output, "Shard 1-of-3", "is foreign", "--count 13 instead of --count 12");

            // Another code version.
            File.WriteAllText(shard1, Regex.Replace(File.ReadAllText(kept), "\"Version\": \"[^\"]*\"", "\"Version\": \"0.0.1+0000000\""));
            AssertMergeFails(output, "Shard 1-of-3", "is foreign", "code version 0.0.1+0000000");

            // Another split of the same job.
            File.Copy(kept, shard1, overwrite: true);
            ShardHarness.RunShard(Certify, output, 0, 2);
            AssertMergeFails(output, "Shard 0-of-2", "is foreign", "one of 2 shards");
            File.Delete(Path.Combine(job, "0-of-2.json"));

            // Missing.
            File.Delete(Path.Combine(job, "2-of-3.json"));
            AssertMergeFails(output, "Shard 2-of-3 of certify-fc100-100-10-l2 is missing");
            Assert.False(File.Exists(Path.Combine(output, "certify-fc100-100-10-l2.json")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Bad_shard_values_are_usage_errors()
    {
        foreach (var (arguments, environment, expected) in new (string, Dictionary<string, string>?, string)[]
        {
            ("--shard 3/3", null, "--shard 3/3: the index is 0-based"),
            ("--shard 1of3", null, "--shard must be I/N"),
            ("--shard 0/0", null, "--shard 0/0: N must be at least 1"),
            ("--shard 1/3 --shards 4", null, "disagree"),
            ("--shards 0", null, "--shards must be at least 1"),
            ("--shards 4", null, "--shards N needs the part's index"),
            ("--shards 4", new() { ["JOB_COMPLETION_INDEX"] = "4" }, "JOB_COMPLETION_INDEX=4 gives part 4 of 4"),
            ("", new() { ["JOB_COMPLETION_INDEX"] = "1" }, "give the number of parts with --shards N"),
            ("", new() { ["SLURM_ARRAY_TASK_ID"] = "x", ["SLURM_ARRAY_TASK_COUNT"] = "2" }, "SLURM_ARRAY_TASK_ID must be a non-negative integer"),
            ("", new() { ["SLURM_ARRAY_TASK_ID"] = "5", ["SLURM_ARRAY_TASK_COUNT"] = "2", ["SLURM_ARRAY_TASK_MIN"] = "1" }, "gives part 4 of 2"),
        })
        {
            // The same checks in every sweep command: certify for all, advtrain for two.
            foreach (string command in environment is null && arguments.StartsWith("--shard ", StringComparison.Ordinal) ? new[] { "certify --model FC100-100-10", "advtrain --quick" } : new[] { "certify --model FC100-100-10" })
            {
                var (code, output, error) = CliRunner.Run($"{command} {arguments} --out \"{Path.GetTempPath()}\"", 60, environment);
                Assert.True(code == 2, $"{command} {arguments}: exit {code}, {error}{output}");
                Assert.Contains(expected, error);
                Assert.Single(error.Trim().Split('\n'));
            }
        }
    }

    private static void AssertMergeFails(string output, params string[] expected)
    {
        var (code, stdout, error) = CliRunner.Run($"merge --quiet --out \"{output}\"", 120);
        Assert.True(code == 1, $"exit {code}: {error}{stdout}");
        Assert.Single(error.Trim().Split('\n'));
        foreach (string text in expected) Assert.Contains(text, error);
    }
}

/// <summary>Runs shards and merges, and compares their outputs with a one-process run's.</summary>
internal static class ShardHarness
{
    /// <summary>FC100-100-10 trained for one epoch, once for all the tests.</summary>
    private static readonly Lazy<string> s_model = new(() =>
    {
        string folder = Directory.CreateTempSubdirectory("intriguing-shard-model-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        var (code, output, error) = CliRunner.Run($"train --model FC100-100-10 --epochs 1 --quiet --threads 1 --data \"{TestPaths.MnistDirectory()}\" --out \"{folder}\"", 300);
        Assert.True(code == 0, error + output);
        return Path.Combine(folder, "checkpoints", "fc100-100-10.ckpt");
    });

    /// <summary>A new output folder holding the trained model's checkpoint.</summary>
    public static string NewOutput(bool model = true)
    {
        string output = Directory.CreateTempSubdirectory("intriguing-shards-").FullName;
        if (model)
        {
            Directory.CreateDirectory(Path.Combine(output, "checkpoints"));
            File.Copy(s_model.Value, Path.Combine(output, "checkpoints", "fc100-100-10.ckpt"));
        }

        return output;
    }

    public static string Common(string output) => $"--quiet --threads 1 --data \"{TestPaths.MnistDirectory()}\" --out \"{output}\"";

    public static void RunShard(string command, string output, int index, int count)
    {
        var (code, stdout, error) = CliRunner.Run($"{command} --shard {index}/{count} {Common(output)}", 300);
        Assert.True(code == 0, $"shard {index}/{count}: exit {code}: {error}{stdout}");
        Assert.True(Directory.Exists(Path.Combine(output, "shards")), "no shards folder");
    }

    /// <summary>
    /// Runs the N shards two at a time; the part's index comes from --shard, from a Slurm array's environment (N = 2)
    /// or from a Kubernetes indexed job's with --shards N (N = 3).
    /// </summary>
    public static void RunShards(string command, string output, int count) => Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
    {
        var (arguments, environment) = count switch
        {
            2 => ($"{command} {Common(output)}", new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = $"{i + 1}", ["SLURM_ARRAY_TASK_COUNT"] = "2", ["SLURM_ARRAY_TASK_MIN"] = "1" }),
            3 => ($"{command} --shards 3 {Common(output)}", new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = $"{i}" }),
            _ => ($"{command} --shard {i}/{count} {Common(output)}", null),
        };
        var (code, stdout, error) = CliRunner.Run(arguments, 300, environment);
        Assert.True(code == 0, $"shard {i}/{count}: exit {code}: {error}{stdout}");
        Assert.Contains($"shard {i}/{count}", stdout);
    });

    /// <summary>Runs the command until its standard output has a line starting with <paramref name="line"/>, then kills it; false if it ended first.</summary>
    public static bool RunUntil(string arguments, string line)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "intriguing.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        while (process.StandardOutput.ReadLine() is { } text)
        {
            if (!text.StartsWith(line, StringComparison.Ordinal)) continue;
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return true;
        }

        process.WaitForExit();
        return false;
    }

    public static void Merge(string output)
    {
        var (code, stdout, error) = CliRunner.Run($"merge --quiet --threads 1 --data \"{TestPaths.MnistDirectory()}\" --out \"{output}\"", 300);
        Assert.True(code == 0, $"merge: exit {code}: {error}{stdout}");
    }

    /// <summary>The one-process run of <paramref name="command"/>, then for each N its shards merged: the same files with the same numbers.</summary>
    public static void AssertInvariant(string command, int[] shardCounts, bool model = true, Action<string, Dictionary<string, string>>? more = null)
    {
        var folders = new List<string>();
        try
        {
            string whole = NewOutput(model);
            folders.Add(whole);
            var (code, stdout, error) = CliRunner.Run($"{command} --shard none {Common(whole)}", 300);
            Assert.True(code == 0, $"one process: exit {code}: {error}{stdout}");
            Dictionary<string, string> expected = Outputs(whole);
            Assert.NotEmpty(expected);
            foreach (int n in shardCounts)
            {
                string output = NewOutput(model);
                folders.Add(output);
                RunShards(command, output, n);
                Assert.Empty(Outputs(output));   // shards write only their shard files
                Merge(output);
                AssertSame(expected, Outputs(output), $"{n} shards: ");
            }

            more?.Invoke(command, expected);
        }
        finally
        {
            foreach (string folder in folders) Directory.Delete(folder, recursive: true);
        }
    }

    public static void AssertSame(Dictionary<string, string> expected, Dictionary<string, string> actual, string context = "")
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (file, content) in expected) Assert.True(content == actual[file], $"{context}{file} differs:\n{content}\n---\n{actual[file]}");
    }

    /// <summary>
    /// The result files of a run in <paramref name="output"/> (not checkpoints, shards or stored runs), by name: JSON
    /// without its timing fields and the flag saying a run was reused from an earlier process, Markdown without its
    /// times (and that note), anything else as its SHA-256.
    /// </summary>
    public static Dictionary<string, string> Outputs(string output) => Directory.GetFiles(output).ToDictionary(path => Path.GetFileName(path), path => Path.GetExtension(path) switch
    {
        ".json" => Untimed(JsonNode.Parse(File.ReadAllText(path)))!.ToJsonString(),
        ".md" => Regex.Replace(File.ReadAllText(path).Replace(" (earlier run)", ""), @"\d+(\.\d+)?\s?(s|ms|min)\b", "T"),
        _ => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))),
    });

    private static JsonNode? Untimed(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (string key in o.Select(p => p.Key).Where(k => k.EndsWith("seconds", StringComparison.OrdinalIgnoreCase) || k == "FromCheckpoint").ToList()) o.Remove(key);
                foreach (var (_, child) in o) Untimed(child);
                break;
            case JsonArray a:
                foreach (JsonNode? child in a) Untimed(child);
                break;
        }

        return node;
    }
}
