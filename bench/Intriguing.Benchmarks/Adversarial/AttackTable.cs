using System.Diagnostics;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Adversarial;

/// <summary>
/// Timing mode <c>attack-table CHECKPOINT_DIR EXPORT_DIR [COUNT]</c>: attacks COUNT test images (seeded random
/// targets) of the trained FC100-100-10 and FC200-200-10 on one thread, prints the median wall time per example and the
/// mean CPU time per example (process CPU time over the timed examples: less disturbed by other work on a shared
/// machine than wall time), and
/// exports the weights, examples and targets so that bench/reference/attack_scipy_torch.py runs the same attack
/// with SciPy's L-BFGS-B driving a PyTorch model (the way CleverHans and Foolbox did).
/// </summary>
public static class AttackTable
{
    public static void Run(string[] args)
    {
        string checkpoints = args.Length > 1 ? args[1] : "out/checkpoints";
        string export = args.Length > 2 ? args[2] : "out/attack-bench";
        int count = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50;
        // Fifth argument: "cold" for the published policy (every run from the clean example, geometric bisection),
        // "warm" for warm starts with bisection; anything else (default) for the AttackOptions defaults.
        string policy = args.Length > 4 ? args[4] : "default";
        MnistData data = Mnist.Load(Mnist.Locate(null, download: false));
        Directory.CreateDirectory(export);
        Console.WriteLine("model\texamples\tmedian_ms\tmean_evaluations\tmean_distortion\tsuccesses\tcpu_ms_per_example");
        foreach (var (name, net) in new (string, IClassifier)[] { ("FC100-100-10", new Fc100x100x10()), ("FC200-200-10", new Fc200x200x10()) })
        {
            Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName(name) + ".ckpt"), net);
            var options = policy switch
            {
                "cold" => new AttackOptions { WarmStart = false, InterpolateC = false },
                "warm" => new AttackOptions { InterpolateC = false },
                _ => new AttackOptions(),
            };
            var attack = new LbfgsAttack(net, options);
            File.WriteAllText(Path.Combine(export, "attack.options"), string.Create(CultureInfo.InvariantCulture,
                $"initial_c={options.InitialC:R}\ngrowth={options.GrowthFactor:R}\nbracket_steps={options.BracketSteps}\nbisection_steps={options.BisectionSteps}\n" +
                $"maxiter={options.MaxIterations}\nmaxfun={options.MaxEvaluations}\nmaxcor={options.HistorySize}\nfactr={options.ReductionFactor:R}\nmaxls={options.MaxLineSearchSteps}\n"));
            int[] examples = Enumerable.Range(0, data.Test.Count).Where(i => attack.Predict(data.Test.Sample(i)) == data.Test.Labels[i]).Take(count).ToArray();
            int[] targets = examples.Select(i => AttackRunner.RandomTarget(7, i, data.Test.Labels[i], 10)).ToArray();

            // Warm up the JIT on at least ten examples and for at least two seconds, so that tiered compilation has
            // replaced every hot method by its optimised version (a shorter warm-up timed part of the first model's
            // examples with tier-0 code); then time each example alone.
            var warmUp = Stopwatch.StartNew();
            for (int e = 0; e < 10 || warmUp.Elapsed.TotalSeconds < 2; e++)
            {
                int w = e % examples.Length;
                attack.Targeted(data.Test.Sample(examples[w]), data.Test.Labels[examples[w]], targets[w]);
            }

            var times = new List<double>();
            var results = new List<AttackResult>();
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int e = 0; e < examples.Length; e++)
            {
                long start = Stopwatch.GetTimestamp();
                AttackResult r = attack.Targeted(data.Test.Sample(examples[e]), data.Test.Labels[examples[e]], targets[e], e);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                results.Add(r);
            }

            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / examples.Length;
            times.Sort();
            var ok = results.Where(r => r.Success).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}\t{examples.Length}\t{times[times.Count / 2]:F2}\t{results.Average(r => r.Evaluations):F0}\t{ok.Average(r => r.Distortion):F5}\t{ok.Count}\t{cpuMs:F2}"));

            // Export for the Python peer: per dense layer W (out × in) and b, float32 little-endian; examples; targets.
            string stem = Path.Combine(export, Catalog.FileName(name));
            using (var w = new BinaryWriter(File.Create(stem + ".weights")))
            {
                foreach (LayerInfo l in net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense))
                {
                    w.Write(l.OutputLength);
                    w.Write(l.InputLength);
                    foreach (float v in net.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength)) w.Write(v);
                    foreach (float v in net.Parameters.Slice(l.BiasOffset, l.OutputLength)) w.Write(v);
                }
            }

            using (var w = new BinaryWriter(File.Create(stem + ".examples")))
            {
                w.Write(examples.Length);
                for (int e = 0; e < examples.Length; e++)
                {
                    w.Write(data.Test.Labels[examples[e]]);
                    w.Write(targets[e]);
                    foreach (float v in data.Test.Sample(examples[e])) w.Write(v);
                }
            }
        }
    }
}
