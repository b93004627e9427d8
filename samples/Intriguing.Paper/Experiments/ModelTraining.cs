using System.Diagnostics;
using System.Globalization;
using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>The models of Tables 1 and 3: each trained by its recipe (or reused from its checkpoint) and measured.</summary>
public static class ModelTraining
{
    /// <summary>Trains (or reuses the checkpoints of) <paramref name="entries"/>; returns their results and networks by name.</summary>
    public static (List<ModelResult> Results, Dictionary<string, INetwork> Networks) TrainAll(IEnumerable<ModelEntry> entries, ReproduceOptions options, TextWriter log, Func<string, IProgress<TrainingProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        string checkpoints = Path.Combine(options.OutputDirectory, options.Quick ? "checkpoints-quick" : "checkpoints");
        Directory.CreateDirectory(checkpoints);
        var (p1, p2) = TrainingSplits.Halves(options.Data.Train, options.Seed);
        var results = new List<ModelResult>();
        var networks = new Dictionary<string, INetwork>();
        foreach (ModelEntry entry in entries)
        {
            var (net, result) = TrainModel(entry, options, p1, p2, checkpoints, log, progress?.Invoke(entry.Name), cancellationToken);
            results.Add(result);
            networks[entry.Name] = net;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{entry.Name}: train error {result.TrainError:P2}, test error {result.TestError:P2}{(double.IsNaN(result.PaperTestError) ? "" : $" (paper {result.PaperTestError:P2})")}{(result.FromCheckpoint ? ", from checkpoint" : $", trained in {result.TrainSeconds:F1} s")}"));
        }

        return (results, networks);
    }

    /// <summary>Trains one model by its recipe, resuming or reusing its checkpoint, and measures its errors.</summary>
    public static (INetwork Network, ModelResult Result) TrainModel(ModelEntry entry, ReproduceOptions options, Dataset p1, Dataset p2, string checkpoints, TextWriter log, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(options);
        Dataset train = TrainingSplits.Select(entry.Split, options.Data.Train, p1, p2);
        INetwork net = entry.Create(options.Seed);
        var clock = Stopwatch.StartNew();
        var (settings, reused, throughput) = entry.Recipe.Train(new RecipeRun(entry.Name, net.AsClassifier(), train, options.Seed, options.Threads, options.Quick, checkpoints, log, progress, cancellationToken));
        double seconds = reused ? 0 : clock.Elapsed.TotalSeconds;
        var result = new ModelResult
        {
            Name = entry.Name,
            Table = entry.Table,
            Split = entry.Split.ToString(),
            TrainError = Evaluation.ErrorRate(net, train),
            TestError = Evaluation.ErrorRate(net, options.Data.Test),
            P1Error = entry.Split == TrainingSplit.Full ? null : Evaluation.ErrorRate(net, p1),
            P2Error = entry.Split == TrainingSplit.Full ? null : Evaluation.ErrorRate(net, p2),
            PaperTrainError = entry.PaperTrainError,
            PaperTestError = entry.PaperTestError,
            TrainSeconds = seconds,
            FromCheckpoint = reused,
            Settings = settings,
            Seed = options.Seed,
            SamplesPerSecond = reused ? 0 : throughput,
        };
        return (net, result);
    }
}
