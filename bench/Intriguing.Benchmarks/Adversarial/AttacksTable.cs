using System.Diagnostics;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Adversarial;

/// <summary>
/// Timing mode <c>attacks-table CHECKPOINT_DIR EXPORT_DIR [COUNT]</c>: runs the batched attacks with fixed settings on
/// COUNT correctly classified test images of the trained FC100-100-10, untargeted, on one thread, at batch 1 and at
/// batch COUNT; prints wall and CPU milliseconds per example, successes and the mean L2 and L∞ distortions; exports the weights, the examples
/// and every result so that bench/reference/attacks_torch.py runs the same algorithms in float64 PyTorch and compares.
/// </summary>
public static class AttacksTable
{
    /// <summary>The benchmarked attacks and their settings (mirrored by attacks_torch.py).</summary>
    public static (string Name, IAttack Attack)[] Attacks() =>
    [
        ("fgsm", new Fgsm(new FgsmOptions { Epsilon = 0.1 })),
        ("pgd", new Pgd(new PgdOptions { Epsilon = 0.1, Steps = 20, RandomStart = false })),
        ("pgd-l2", new Pgd(new PgdOptions { Norm = AttackNorm.L2, Epsilon = 1, Steps = 20, RandomStart = false })),
        ("deepfool", new DeepFool(new DeepFoolOptions { Steps = 20 })),
        ("deepfool-linf", new DeepFool(new DeepFoolOptions { Norm = AttackNorm.LInf, Steps = 20 })),
        ("ddn", new Ddn(new DdnOptions { Steps = 50 })),
        ("fmn", new Fmn(new FmnOptions { Steps = 50 })),
        ("fmn-linf", new Fmn(new FmnOptions { Norm = AttackNorm.LInf, Steps = 50 })),
        ("cw", new CarliniWagner(new CarliniWagnerOptions { BinarySteps = 2, Steps = 20, InitialConst = 0.1, LearningRate = 0.05 })),
    ];

    public static void Run(string[] args)
    {
        string checkpoints = args.Length > 1 ? args[1] : "out/checkpoints";
        string export = args.Length > 2 ? args[2] : "out/attacks-bench";
        int count = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;
        MnistData data = Mnist.Load(Mnist.Locate(null, download: false));
        Directory.CreateDirectory(export);
        var net = new Fc100x100x10();
        Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName("FC100-100-10") + ".ckpt"), net);
        int[] correct = LayerSpaceAttack.Correct(net, data.Test, new AttackOptions());
        int[] examples = correct[..Math.Min(count, correct.Length)];
        Export(net, data.Test, examples, export);

        Console.WriteLine("attack\tbatch\twall_ms_per_example\tcpu_ms_per_example\tsuccesses\tmean_l2\tmean_linf\tgradients_per_example");
        foreach (var (name, attack) in Attacks())
        {
            // Warm-up: every code path compiled, and the batch states of both batch sizes made, before timing.
            foreach (int batch in new[] { 1, examples.Length }) attack.Run(net, data.Test, examples, null, new AttackExecution { BatchSize = batch, Threads = 1 });
            AttackResult[]? reference = null;
            foreach (int batch in new[] { 1, examples.Length })
            {
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                AttackResult[] results = attack.Run(net, data.Test, examples, null, new AttackExecution { BatchSize = batch, Threads = 1 });
                double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds / examples.Length;
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / examples.Length;
                AttackResult[] ok = results.Where(r => r.Success).ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}\t{batch}\t{wall:F3}\t{cpu:F3}\t{ok.Length}\t{(ok.Length > 0 ? ok.Average(r => r.L2) : double.NaN):F5}\t{(ok.Length > 0 ? ok.Average(r => r.LInf) : double.NaN):F5}\t{results.Average(r => r.Gradients):F1}"));
                if (reference is null)
                {
                    reference = results;
                    File.WriteAllLines(Path.Combine(export, $"ours_{name}.txt"), results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{(r.Success ? 1 : 0)}\t{r.L2:R}\t{r.LInf:R}")));
                }
                else if (!results.Select(r => r.L2).SequenceEqual(reference.Select(r => r.L2)))
                {
                    throw new InvalidOperationException($"{name}: batch {batch} differs from batch 1.");
                }
            }
        }
    }

    /// <summary>Per dense layer W (out × in) and b, float32 little-endian; then the examples (label, 784 values).</summary>
    private static void Export(Fc100x100x10 net, Dataset test, int[] examples, string export)
    {
        using (var w = new BinaryWriter(File.Create(Path.Combine(export, "fc100-100-10.weights"))))
        {
            foreach (LayerInfo l in net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense))
            {
                w.Write(l.OutputLength);
                w.Write(l.InputLength);
                foreach (float v in net.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength)) w.Write(v);
                foreach (float v in net.Parameters.Slice(l.BiasOffset, l.OutputLength)) w.Write(v);
            }
        }

        using var e = new BinaryWriter(File.Create(Path.Combine(export, "examples")));
        e.Write(examples.Length);
        foreach (int i in examples)
        {
            e.Write(test.Labels[i]);
            foreach (float v in test.Sample(i)) e.Write(v);
        }
    }
}
