using System.Diagnostics;
using System.Globalization;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Training;

/// <summary>
/// Timing mode <c>lipschitz-table [SECONDS] [ROUNDS]</c>: SGD throughput (samples per second, one thread) of
/// FC100-100-10 and MNIST-Conv at batch 32 on random MNIST-shaped data without norm control and with each
/// <see cref="LipschitzOptions"/> mode, the configurations interleaved over ROUNDS rounds so that a load change on the
/// machine affects them alike; prints the median of the rounds and its ratio to the uncontrolled run.
/// </summary>
public static class LipschitzTable
{
    public static void Run(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var random = new SeededRandom(1);
        const int N = 4_000;
        float[] x = new float[N * 784];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        int[] y = Enumerable.Range(0, N).Select(i => i % 10).ToArray();
        var data = new Dataset("random", x, y, 784, 10);
        var modes = new (string Name, LipschitzOptions? Options)[]
        {
            ("none", null),
            ("project", new LipschitzOptions { Project = true, Tau = 4 }),
            ("hinge", new LipschitzOptions { Penalty = NormPenalty.Hinge, Tau = 4, Beta = 0.1f }),
            ("parseval", new LipschitzOptions { Parseval = 0.001f }),
            ("margin+project", new LipschitzOptions { MarginEpsilon = 0.5f, Project = true, Tau = 4 }),
            ("gloro+project", new LipschitzOptions { GloRoEpsilon = 0.5f, Project = true, Tau = 4 }),
        };
        Console.WriteLine("model\tmode\tsamples_per_second\tratio_to_none");
        foreach (var (name, make) in new (string, Func<IClassifier>)[] { ("FC100-100-10", () => new Fc100x100x10(1)), ("MNIST-Conv", () => new MnistConv(1)) })
        {
            var rates = modes.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                for (int m = 0; m < modes.Length; m++)
                {
                    IClassifier net = make();
                    var options = new SgdOptions { Epochs = 1, BatchSize = 32, LearningRate = 0.01f, Schedule = LearningRateSchedule.Constant, Threads = 1, Lipschitz = modes[m].Options };
                    using var trainer = new Trainer(net, data, options);
                    trainer.Run(); // warm-up epoch (JIT, first tracker iterations)
                    long samples = 0;
                    var clock = Stopwatch.StartNew();
                    while (clock.Elapsed.TotalSeconds < seconds)
                    {
                        trainer.Run();
                        samples += N;
                    }

                    rates[m].Add(samples / clock.Elapsed.TotalSeconds);
                }
            }

            double baseline = Median(rates[0]);
            for (int m = 0; m < modes.Length; m++)
            {
                double rate = Median(rates[m]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{modes[m].Name}\t{rate:F0}\t{baseline / rate:F2}"));
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
