using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary>The options several commands share (one instance each, added to every command that takes it).</summary>
internal static class CommonOptions
{
    /// <summary><c>--data</c>: the MNIST folder.</summary>
    public static readonly Option<string?> Data = new("--data") { Description = $"Folder with the four MNIST files (default: ${Mnist.DataVariable}, then {Mnist.CacheDirectory}, then a verified download); or, where a command takes one, a data file: .npy (with --labels), .npz or .csv." };

    /// <summary><c>--seed</c>: seed of initialisation, shuffling and splits.</summary>
    public static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of initialisation, shuffling and splits; the same seed gives the same numbers.", DefaultValueFactory = _ => 1 };

    /// <summary><c>--quiet</c>: result lines only.</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No progress bars, only result lines." };

    /// <summary><c>--threads</c>: threads for training, at least 1.</summary>
    public static readonly Option<int> Threads = CreateThreads();

    /// <summary><c>--out</c>: the output folder.</summary>
    public static readonly Option<string> Out = new("--out", "-o") { Description = "Output folder for the report, results and checkpoints.", DefaultValueFactory = _ => "out" };

    /// <summary><c>--model</c>: a trainable model of the catalog, by name.</summary>
    public static readonly Option<string> Model = CreateModel();

    /// <summary><c>--checkpoint</c>: a checkpoint file instead of OUT/checkpoints/&lt;model&gt;.ckpt.</summary>
    public static readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Checkpoint file (default: OUT/checkpoints/<model>.ckpt, else the one a reproduce --quick wrote in OUT/checkpoints-quick)." };

    /// <summary><c>--count</c>: examples to draw and attack, at least 1.</summary>
    public static readonly Option<int> Count = CreateCount();

    private static Option<int> CreateThreads()
    {
        var option = new Option<int>("--threads") { Description = "Threads for training (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be at least 1."); });
        return option;
    }

    private static Option<string> CreateModel()
    {
        var option = new Option<string>("--model", "-m") { Description = "Model name, e.g. FC100-100-10 (see `intriguing models`).", Required = true };
        option.Validators.Add(r =>
        {
            string? name = r.GetValueOrDefault<string>();
            if (name is not null && Catalog.Find(name) is null) r.AddError($"Unknown model '{name}'. Known models: {string.Join(", ", Catalog.All.Select(m => m.Name))}.");
        });
        return option;
    }

    private static Option<int> CreateCount()
    {
        var option = new Option<int>("--count", "-n") { Description = "Number of examples to draw and attack.", DefaultValueFactory = _ => 100 };
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--count must be at least 1."); });
        return option;
    }
}
