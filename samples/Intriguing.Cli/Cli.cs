using System.CommandLine;
using Intriguing.Cli.Commands;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;
using Spectre.Console;

namespace Intriguing.Cli;

/// <summary>An error to report to the user without a stack trace.</summary>
/// <summary>A bad input file or value (a model, a data file): reported in one line, with exit code 2.</summary>
internal sealed class InputException(string message) : Exception(message);

internal sealed class CliException(string message) : Exception(message);

/// <summary>An invalid argument value found after parsing: reported like a parse error, with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Shared pieces of the commands: data loading, progress display, error handling.</summary>
internal static class Cli
{
    private static readonly CancellationTokenSource s_cancel = CreateCancellation();

    /// <summary>Cancelled by Ctrl+C: the current epoch stops and the last checkpoint remains.</summary>
    public static CancellationToken Cancellation => s_cancel.Token;

    private static CancellationTokenSource CreateCancellation()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return cts;
    }

    /// <summary>
    /// Runs a command body; turns every failure into one line on standard error, never a stack trace: exit code 2 for
    /// bad arguments, 130 when interrupted, 1 for anything else.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception raw)
        {
            // Parallel work wraps failures; report the first one.
            Exception e = raw is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.Flatten().InnerExceptions[0] : raw;
            switch (e)
            {
                case UsageException:
                    Console.Error.WriteLine(UsageLine(e.Message));
                    return 2;
                case InputException or Interop.OnnxImportException or DataFileException:
                    Console.Error.WriteLine("error: " + OneLine(Message(e)));
                    return 2;
                case OperationCanceledException:
                    Console.Error.WriteLine("Interrupted; completed epochs are kept in the checkpoints and the next run resumes from them.");
                    return 130;
                case CliException or DirectoryNotFoundException or FileNotFoundException or IdxFormatException or CheckpointException or ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException:
                    Console.Error.WriteLine("error: " + OneLine(Message(e)));
                    return 1;
                case OutOfMemoryException or InsufficientExecutionStackException:
                    Console.Error.WriteLine("error: out of memory; use fewer --threads or a smaller --batch.");
                    return 1;
                default:
                    // Unexpected: still one line, naming the kind of failure.
                    Console.Error.WriteLine($"error: {e.GetType().Name}: {OneLine(Message(e))}");
                    return 1;
            }
        }
    }

    /// <summary>The one line of a usage error: the problem and where usage is explained.</summary>
    public static string UsageLine(string message) => $"error: {OneLine(message)} Run `intriguing --help` for usage.";

    /// <summary>An exception's message, without the "(Parameter 'x')" that argument exceptions append.</summary>
    private static string Message(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            int cut = message.LastIndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            if (cut >= 0) message = message[..cut];
        }

        return message;
    }

    private static string OneLine(string text) => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Creates the <c>--out</c> folder and checks that a file can be written in it, before any work starts; a folder
    /// that cannot be made or written to is a one-line error. Temporary files of interrupted writes are removed unless
    /// <paramref name="shared"/> (a shard: the folder is shared with shards on other machines, whose process ids mean
    /// nothing here).
    /// </summary>
    public static string PrepareOutput(string directory, bool shared = false)
    {
        try
        {
            if (File.Exists(directory)) throw new IOException("it is a file, not a folder");
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".write-test.{Environment.ProcessId}.tmp");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            if (shared) return directory;
            foreach (string removed in RunStore.RemoveInterruptedWrites(directory)) Console.Error.WriteLine($"Removed {removed}, left by an interrupted run.");
            return directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CliException($"Cannot write to --out '{directory}': {Message(e)}");
        }
    }

    /// <summary>
    /// Where a catalogue model's checkpoint is looked for under <paramref name="output"/>: OUT/checkpoints/&lt;model&gt;.ckpt,
    /// else the one a `reproduce --quick` wrote (OUT/checkpoints-quick/&lt;model&gt;.ckpt); the first path when neither exists.
    /// </summary>
    public static string DefaultCheckpoint(string output, string model)
    {
        string full = Path.Combine(output, "checkpoints", Catalog.FileName(model) + ".ckpt");
        string quick = Path.Combine(output, "checkpoints-quick", Catalog.FileName(model) + ".ckpt");
        return !File.Exists(full) && File.Exists(quick) ? quick : full;
    }

    /// <summary>
    /// A catalogue model for a command that needs it trained: the checkpoint at <paramref name="checkpoint"/> or, by
    /// default, <see cref="DefaultCheckpoint"/>, whatever settings wrote it (a `train` with other settings included);
    /// only without one is the model trained by its recipe, and the command says so. An explicit checkpoint that does
    /// not exist is an error.
    /// </summary>
    public static INetwork TrainedModel(ModelEntry entry, ReproduceOptions options, string? checkpoint, bool quiet)
    {
        string path = checkpoint ?? DefaultCheckpoint(options.OutputDirectory, entry.Name);
        if (File.Exists(path))
        {
            INetwork net = entry.Create(0);
            Checkpoint.Load(path, net);
            if (!quiet) Console.Error.WriteLine($"{entry.Name}: parameters from {path}.");
            return net;
        }

        if (checkpoint is not null) throw new CliException($"No checkpoint at {checkpoint}.");
        Console.Error.WriteLine($"{entry.Name}: no checkpoint at {path}; training it by its recipe first (the checkpoint goes there).");
        return ModelTraining.TrainAll(new[] { entry }, options, Console.Out).Networks[entry.Name];
    }

    /// <summary>
    /// Finds MNIST (<c>--data</c>, the environment, the cache or a download), checks the files' published SHA-256 unless
    /// <c>--no-verify-data</c> is given, and loads them, reporting where they came from.
    /// </summary>
    public static MnistData LoadData(ParseResult parse)
    {
        bool quiet = parse.GetValue(CommonOptions.Quiet);
        string found = Mnist.Locate(parse.GetValue(CommonOptions.Data), download: true, progress: quiet ? null : new DownloadProgress(), log: quiet ? null : Console.Error);
        if (!parse.GetValue(CommonOptions.NoVerifyData))
        {
            try
            {
                Mnist.Verify(found);
            }
            catch (IdxFormatException e)
            {
                throw new CliException($"{e.Message}. For a deliberately modified copy, pass --no-verify-data.");
            }
        }

        if (!quiet) Console.Error.WriteLine($"MNIST from {found}{(parse.GetValue(CommonOptions.NoVerifyData) ? " (checksums not verified: --no-verify-data)" : "")}");
        return Mnist.Load(found);
    }

    private static bool Interactive(bool quiet) => !quiet && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with one progress bar (epochs) when the output is a terminal.</summary>
    public static T WithProgress<T>(bool quiet, string name, Func<IProgress<TrainingProgress>?, T> work)
    {
        if (!Interactive(quiet)) return work(quiet ? null : new LineProgress(name));
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(Markup.Escape(name), maxValue: 1);
                result = work(new BarProgress(task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar per model when the output is a terminal.</summary>
    public static T WithProgressPerModel<T>(bool quiet, Func<Func<string, IProgress<TrainingProgress>?>, T> work)
    {
        if (!Interactive(quiet)) return work(name => quiet ? null : new LineProgress(name));
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = work(name => new BarProgress(ctx.AddTask(Markup.Escape(name), maxValue: 1))));
        return result;
    }

    public static void PrintResult(ModelResult r)
    {
        Console.WriteLine($"{r.Name}: train error {r.TrainError:P2}, test error {r.TestError:P2}{(double.IsNaN(r.PaperTestError) ? "" : $" (paper {r.PaperTestError:P2})")}" + (r.FromCheckpoint ? " [from checkpoint]" : $" [{r.TrainSeconds:F1} s, {r.SamplesPerSecond:N0} samples/s]"));
    }

    /// <summary>Download progress as a line per tenth of each file (the size is known from the response).</summary>
    private sealed class DownloadProgress : IProgress<(string File, long Done, long Total)>
    {
        private string _file = "";
        private int _tenth = -1;

        public void Report((string File, long Done, long Total) p)
        {
            if (p.File != _file)
            {
                _file = p.File;
                _tenth = -1;
            }

            int tenth = p.Total > 0 ? (int)(10 * p.Done / p.Total) : -1;
            if (tenth > _tenth)
            {
                _tenth = tenth;
                Console.Error.WriteLine($"  {p.File}: {10 * tenth}% of {p.Total / 1e6:F1} MB");
            }
        }
    }

    /// <summary>Progress as a bar: fraction of all steps done.</summary>
    private sealed class BarProgress(ProgressTask task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            task.Value = ((p.Epoch - 1) + (double)p.Step / p.StepsPerEpoch) / p.Epochs;
            task.Description = Markup.Escape($"{task.Description.Split(" [", 2)[0]} [epoch {p.Epoch}/{p.Epochs}, loss {p.MeanLoss:F4}]");
        }
    }

    /// <summary>Progress as plain lines, one per epoch, for logs and pipes.</summary>
    private sealed class LineProgress(string name) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Step == p.StepsPerEpoch) Console.Error.WriteLine($"  {name}: epoch {p.Epoch}/{p.Epochs}, loss {p.MeanLoss:F4}, {p.Elapsed.TotalSeconds:F1} s");
        }
    }
}
