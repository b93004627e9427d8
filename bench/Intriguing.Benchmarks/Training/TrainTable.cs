using System.Diagnostics;
using System.Globalization;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Training;

/// <summary>
/// Timing mode <c>train-table [SECONDS]</c>: SGD training throughput (samples per second, both cores) of FC100-100-10
/// and FC200-200-10 at batch 1, 32 and 128 on random MNIST-shaped data, after a warm-up; compared with PyTorch by
/// bench/reference/train_compare.sh (same architecture, batch, optimiser and machine). Optional filters after
/// <c>split</c> (or <c>nosplit</c>): a model name and a batch size, e.g. <c>train-table 3 split FC200-200-10 1</c>.
/// </summary>
public static class TrainTable
{
    public static void Run(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        bool split = args.Length > 2 && args[2] == "split"; // batch 1: split the fused step's large layers over the cores
        string? onlyModel = args.Length > 3 ? args[3] : null;
        int? onlyBatch = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : null;
        var random = new SeededRandom(1);
        const int N = 20_000;
        float[] x = new float[N * 784];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        int[] y = Enumerable.Range(0, N).Select(i => i % 10).ToArray();
        var data = new Dataset("random", x, y, 784, 10);
        Console.WriteLine("model\tbatch\tsamples_per_second");
        foreach (var (name, make) in new (string, Func<IClassifier>)[] { ("FC100-100-10", () => new Fc100x100x10(1)), ("FC200-200-10", () => new Fc200x200x10(1)) })
        {
            if (onlyModel is not null && onlyModel != name) continue;
            foreach (int batch in new[] { 1, 32, 128 })
            {
                if (onlyBatch is not null && onlyBatch != batch) continue;
                IClassifier net = make();
                // Epochs over a subset for at least a second as warm-up (so that the tiered JIT has compiled the hot
                // methods fully optimized), then whole epochs until the time budget is spent.
                var options = new SgdOptions { Epochs = 1, BatchSize = batch, LearningRate = 0.01f, Momentum = 0.9f, Schedule = LearningRateSchedule.Constant, SplitSingleSampleSteps = split };
                using (var warm = new Trainer(net, data.Take(batch == 1 ? 2000 : 10000), options))
                {
                    var warmClock = Stopwatch.StartNew();
                    while (warmClock.Elapsed.TotalSeconds < 1) warm.Run();
                }
                long samples = 0;
                long runs0 = WorkerPool.PinnedRuns, taken0 = WorkerPool.PartsTakenByCaller;
                var clock = Stopwatch.StartNew();
                using var trainer = new Trainer(net, data, options);
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    trainer.Run();
                    samples += N;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{batch}\t{samples / clock.Elapsed.TotalSeconds:F0}"));
                long runs = WorkerPool.PinnedRuns - runs0;
                if (runs > 0) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name} batch {batch}: {runs} split runs, caller took the helper's part in {100.0 * (WorkerPool.PartsTakenByCaller - taken0) / runs:F1}%"));
            }
        }
    }
}
