using System.Diagnostics;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Adversarial;

/// <summary>
/// Timing mode <c>pool-table CHECKPOINT_DIR [COUNT] [THREADS] [ATTACK] [STEPS] [LAYER]</c>, against the trained
/// FC100-100-10: the pool attacks of the adversarial-training comparison on COUNT sources drawn as a refresh draws them
/// (nearest the boundary among <see cref="AdversarialTrainingOptions.SourceCandidates"/> times as many), in the space of
/// activation LAYER. ATTACK <c>default</c> is L-BFGS (<see cref="AdversarialTrainingOptions.CheapAttack"/>), <c>ddn</c>
/// and <c>fmn</c> the batched attacks with STEPS steps, each compared with L-BFGS on the same sources and targets (cosine
/// of the perturbations, ratio of their sizes); two rounds, the first one warms up. <c>refresh</c> times whole refreshes
/// of a pool with the comparison's DDN attack of STEPS steps. Prints wall and CPU time per example.
/// </summary>
public static class PoolTable
{
    public static void Run(string[] args)
    {
        string checkpoints = args.Length > 1 ? args[1] : "out/checkpoints";
        int count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 400;
        int threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        MnistData data = Mnist.Load(Mnist.Locate(null, download: false));
        var net = new Fc100x100x10();
        Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName("FC100-100-10") + ".ckpt"), net);
        AdversarialTrainingOptions pools = AdversarialTrainingExperiment.DefaultPools;
        int layer = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 0;
        AttackOptions attack = pools.Attack with { Layer = layer };
        string variant = args.Length > 4 ? args[4] : "default";
        int steps = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 30;
        if (variant == "refresh")
        {
            // Whole refreshes of the comparison's input pool, as the trainer makes them (DDN, 20 steps by default).
            var ddn = new Ddn(AdversarialTrainingExperiment.ComparisonPoolAttack with { Steps = steps, Layer = layer });
            var pool = new AdversarialPool(layer, pools.PoolSize, net.ActivationLength(layer));
            for (int round = 0; round < 6; round++)
            {
                TimeSpan c0 = Process.GetCurrentProcess().TotalProcessorTime;
                PoolRefresh r = pool.Refresh(net, data.Train, count, ddn, (ulong)(100 + round), threads, default, 1, pools.PoolDistortion, pools.SourceCandidates);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refresh {round}: {r.Seconds * 1000:F0} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds:F0} ms CPU, {r.Succeeded}/{r.Attacked}"));
            }

            return;
        }

        var rng = new SeededRandom(5);
        Console.WriteLine("attack\tattacked\tsucceeded\twall_ms_per_example\tcpu_ms_per_example\tgradients\tmean_distortion\tmedian_cos_to_lbfgs\tmean_ratio_to_lbfgs");
        for (int round = 0; round < 2; round++)
        {
            int drawn = count * pools.SourceCandidates;
            int[] order = Enumerable.Range(0, data.Train.Count).ToArray();
            for (int i = 0; i < drawn; i++) { int j = i + rng.NextInt(order.Length - i); (order[i], order[j]) = (order[j], order[i]); }
            AdversarialPool.KeepNearestBoundary(net, data.Train, order, drawn, count);
            TimeSpan refCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var refClock = Stopwatch.StartNew();
            var (space, correct, reference) = LayerSpaceAttack.Run(net, data.Train, order.AsSpan(0, count), TargetPolicy.RunnerUp, attack, (ulong)(100 + round), threads);
            double refWall = refClock.Elapsed.TotalMilliseconds, refCpu = (Process.GetCurrentProcess().TotalProcessorTime - refCpu0).TotalMilliseconds;
            int[] targets = reference.Select(r => r.Target).ToArray();
            IAttack? other = variant switch
            {
                "ddn" => new Ddn(new DdnOptions { Steps = steps, Layer = layer }),
                "fmn" => new Fmn(new FmnOptions { Steps = steps, Layer = layer }),
                _ => null,
            };
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            AttackResult[] results = other?.Run(net, space, correct, targets, new AttackExecution { Threads = threads, BatchSize = 64 }) ?? reference;
            double wall = other is null ? refWall : clock.Elapsed.TotalMilliseconds;
            double cpu = other is null ? refCpu : (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
            int n = results.Length;
            var cos = new List<double>();
            var ratio = new List<double>();
            for (int e = 0; e < n; e++)
            {
                if (!results[e].Success || !reference[e].Success) continue;
                ReadOnlySpan<float> x = space.Sample(correct[e]);
                double dot = 0, a2 = 0, b2 = 0;
                for (int j = 0; j < x.Length; j++)
                {
                    double a = results[e].Adversarial[j] - x[j], b = reference[e].Adversarial[j] - x[j];
                    dot += a * b; a2 += a * a; b2 += b * b;
                }
                cos.Add(dot / Math.Sqrt(a2 * b2));
                ratio.Add(results[e].Distortion / reference[e].Distortion);
            }
            cos.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variant}\t{n}\t{results.Count(r => r.Success)}\t{wall / n:F3}\t{cpu / n:F3}\t{results.Average(r => r.Gradients):F1}\t{results.Where(r => r.Success).Average(r => r.Distortion):F4}\t{cos[cos.Count / 2]:F3}\t{ratio.Average():F3}"));
        }
    }
}
