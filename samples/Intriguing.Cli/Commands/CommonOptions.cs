using System.CommandLine;
using System.CommandLine.Parsing;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary>The options several commands share (one instance each, added to every command that takes it).</summary>
internal static class CommonOptions
{
    /// <summary><c>--data</c>: the MNIST folder.</summary>
    public static readonly Option<string?> Data = NotEmpty(new Option<string?>("--data") { Description = $"Folder with the four MNIST files (default: ${Mnist.DataVariable}, then {Mnist.CacheDirectory}, then a verified download); or, where a command takes one, a data file: .npy (with --labels), .npz or .csv." });

    /// <summary><c>--no-verify-data</c>: load MNIST files whose SHA-256 differs from the published one (a modified copy).</summary>
    public static readonly Option<bool> NoVerifyData = new("--no-verify-data") { Description = "Load the MNIST files without checking their published SHA-256 (for a deliberately modified or uncompressed copy).", Recursive = true };

    /// <summary><c>--seed</c>: seed of initialisation, shuffling and splits.</summary>
    public static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of initialisation, shuffling and splits; the same seed gives the same numbers.", DefaultValueFactory = _ => 1 };

    /// <summary><c>--quiet</c>: result lines only.</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No progress bars, only result lines." };

    /// <summary><c>--threads</c>: threads for training, at least 1.</summary>
    public static readonly Option<int> Threads = CreateThreads();

    /// <summary><c>--out</c>: the output folder.</summary>
    public static readonly Option<string> Out = NotEmpty(new Option<string>("--out", "-o") { Description = "Output folder for the report, results and checkpoints.", DefaultValueFactory = _ => "out" });

    /// <summary>The most threads <c>--threads</c> accepts: eight per core (more only costs memory and time).</summary>
    public static int MaxThreads => 8 * Environment.ProcessorCount;

    /// <summary><c>--model</c>: a trainable model of the catalog, by name.</summary>
    public static readonly Option<string> Model = CreateModel();

    /// <summary><c>--checkpoint</c>: a checkpoint file instead of OUT/checkpoints/&lt;model&gt;.ckpt.</summary>
    public static readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Checkpoint file (default: OUT/checkpoints/<model>.ckpt, else the one a reproduce --quick wrote in OUT/checkpoints-quick)." };

    /// <summary><c>--count</c>: examples to draw and attack, at least 1.</summary>
    public static readonly Option<int> Count = CreateCount();

    private static Option<int> CreateThreads()
    {
        var option = new Option<int>("--threads") { Description = "Threads for training (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        CommonOptions.Validate(option, r =>
        {
            int threads = r.GetValueOrDefault<int>();
            if (threads < 1) r.AddError("--threads must be at least 1.");
            else if (threads > MaxThreads) r.AddError($"--threads must be at most {MaxThreads} (8 per core; this machine has {Environment.ProcessorCount}), not {threads}.");
        });
        return option;
    }

    /// <summary>
    /// Adds <paramref name="validator"/> to <paramref name="option"/>, skipped when the value cannot be converted at all
    /// (reading it would throw; the parser reports that error itself).
    /// </summary>
    public static void Validate(Option option, Action<OptionResult> validator) => option.Validators.Add(r =>
    {
        try
        {
            validator(r);
        }
        catch (InvalidOperationException)
        {
            // Not convertible: the parse result already holds the conversion error.
        }
    });

    /// <summary>Adds a check that a path option, when given, is not empty.</summary>
    private static Option<T> NotEmpty<T>(Option<T> option)
    {
        CommonOptions.Validate(option, r =>
        {
            if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[^1].Value)) r.AddError($"{option.Name} must name a folder, not an empty string.");
        });
        return option;
    }

    private static Option<string> CreateModel()
    {
        var option = new Option<string>("--model", "-m") { Description = "Model name, e.g. FC100-100-10 (see `intriguing models`).", Required = true };
        CommonOptions.Validate(option, r =>
        {
            string? name = r.GetValueOrDefault<string>();
            if (name is not null && Catalog.Find(name) is null) r.AddError($"Unknown model '{name}'. Known models: {string.Join(", ", Catalog.All.Select(m => m.Name))}.");
        });
        return option;
    }

    private static Option<int> CreateCount()
    {
        var option = new Option<int>("--count", "-n") { Description = "Number of examples to draw and attack.", DefaultValueFactory = _ => 100 };
        CommonOptions.Validate(option, r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--count must be at least 1."); });
        return option;
    }
}
