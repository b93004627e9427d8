using System.Diagnostics;
using System.Globalization;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Certification;

/// <summary>
/// Timing mode <c>certify-table CHECKPOINT_DIR [COUNT] [EXPORT_DIR] [MODEL] [REFINEMENTS] [SLOPE_STEPS]</c>: certified L2 and L∞ radii (CROWN,
/// relative tolerance 1e-3) of COUNT correctly classified test images of a trained Table 1 model (default
/// FC100-100-10) on one thread; prints the median wall time per example and per bound propagation, and the time of one
/// propagation's parts. With EXPORT_DIR, writes the weights, examples, radii and margin bounds for
/// bench/reference/crown_torch.py (the same algorithm in float64 PyTorch).
/// </summary>
public static class CertifyTable
{
    public static void Run(string[] args)
    {
        string checkpoints = args.Length > 1 ? args[1] : "out/checkpoints";
        int count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
        string? export = args.Length > 3 && args[3] != "-" ? args[3] : null;
        string model = args.Length > 4 ? args[4] : "FC100-100-10";
        int refinements = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 0;
        int slopeSteps = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 0;
        MnistData data = Mnist.Load(Mnist.Locate(null, download: false));
        var net = (ICertifiable)Catalog.Find(model)!.Create(0);
        Checkpoint.Load(Path.Combine(checkpoints, Catalog.FileName(model) + ".ckpt"), net);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        var output = new float[net.OutputLength];
        int[] examples = Enumerable.Range(0, data.Test.Count).Where(i =>
        {
            net.Forward(ws, data.Test.Sample(i), output);
            return System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(output) == data.Test.Labels[i];
        }).Take(count).ToArray();

        Console.WriteLine("norm\texamples\tmedian_ms_per_example\tmean_propagations\tmedian_radius\tms_per_propagation");
        var radii = new Dictionary<PerturbationNorm, double[]>();
        foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
        {
            var options = new CertifyOptions { Norm = norm, MarginRefinements = refinements, SlopeSteps = slopeSteps };
            var warm = Stopwatch.StartNew();
            for (int e = 0; e < 5 || warm.Elapsed.TotalSeconds < 2; e++) Certifier.Radius(net, bw, ws, data.Test.Sample(examples[e % examples.Length]), data.Test.Labels[examples[e % examples.Length]], options);
            var times = new List<double>();
            var r = new double[examples.Length];
            double propagations = 0;
            for (int e = 0; e < examples.Length; e++)
            {
                var sw = Stopwatch.StartNew();
                CertifiedRadius c = Certifier.Radius(net, bw, ws, data.Test.Sample(examples[e]), data.Test.Labels[examples[e]], options);
                times.Add(sw.Elapsed.TotalMilliseconds);
                r[e] = c.Radius;
                propagations += c.Evaluations;
            }

            radii[norm] = r;
            times.Sort();
            double median = times[times.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{norm}\t{examples.Length}\t{median:F3}\t{propagations / examples.Length:F1}\t{r.OrderBy(v => v).ElementAt(r.Length / 2):G6}\t{median / (propagations / examples.Length):F3}"));
        }

        // One propagation at the median L2 radius, by parts.
        float[] x = data.Test.Sample(examples[0]).ToArray();
        var region = new InputRegion(PerturbationNorm.L2, radii[PerturbationNorm.L2][0]);
        const int reps = 200;
        var t = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) net.PropagateBounds(bw, x, region);
        double propagate = t.Elapsed.TotalMilliseconds / reps;
        t.Restart();
        for (int i = 0; i < reps; i++) net.MarginLowerBound(bw, data.Test.Labels[examples[0]]);
        double margins = t.Elapsed.TotalMilliseconds / reps;
        t.Restart();
        for (int i = 0; i < reps; i++) net.PropagateBounds(bw, x, region, BoundMethod.CrownInterval);
        double interval = t.Elapsed.TotalMilliseconds / reps;
        var a = new float[128 * 100];
        var bMatrix = new float[100 * 784];
        var product = new float[128 * 784];
        var fill = new SeededRandom(1);
        for (int i = 0; i < a.Length; i++) a[i] = fill.NextSingle() - 0.5f;
        for (int i = 0; i < bMatrix.Length; i++) bMatrix[i] = fill.NextSingle() - 0.5f;
        for (int i = 0; i < 20; i++) Intriguing.Generated.Gemm.MultiplyAB(a, bMatrix, product, 128, 784, 100);
        t.Restart();
        for (int i = 0; i < reps; i++) Intriguing.Generated.Gemm.MultiplyAB(a, bMatrix, product, 128, 784, 100);
        double gemm = t.Elapsed.TotalMilliseconds / reps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parts (ms): PropagateBounds {propagate:F3} (of which interval steps and relaxations {interval:F3}), MarginLowerBound {margins:F3}; one 128×100·100×784 product {gemm:F3} ({2e-6 * 128 * 784 * 100 / gemm:F1} GFLOP/s)"));

        if (export is not null)
        {
            // certify.bin (little-endian): count, then per example its label and 784 floats; the three dense layers as
            // (rows, columns, W row-major, b); then per norm (L2, L∞) the radii (float64) and the margin lower bounds
            // (float64, 10 per example, +∞ at the label) at half the radius.
            Directory.CreateDirectory(export);
            using var w = new BinaryWriter(File.Create(Path.Combine(export, "certify.bin")));
            w.Write(examples.Length);
            foreach (int e in examples)
            {
                w.Write(data.Test.Labels[e]);
                foreach (float v in data.Test.Sample(e)) w.Write(v);
            }

            // The dense layers in order (each but the last followed by a sigmoid: the Table 1 models).
            LayerInfo[] dense = net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense).ToArray();
            w.Write(dense.Length);
            foreach (LayerInfo l in dense)
            {
                w.Write(l.OutputLength);
                w.Write(l.InputLength);
                foreach (float v in net.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength)) w.Write(v);
                for (int j = 0; j < l.OutputLength; j++) w.Write(l.BiasOffset >= 0 ? net.Parameters[l.BiasOffset + j] : 0f);
            }

            foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
            {
                foreach (double v in radii[norm]) w.Write(v);
                for (int e = 0; e < examples.Length; e++)
                {
                    net.PropagateBounds(bw, data.Test.Sample(examples[e]), new InputRegion(norm, 0.5 * radii[norm][e]));
                    net.MarginLowerBound(bw, data.Test.Labels[examples[e]]);
                    foreach (double v in bw.MarginBounds) w.Write(v);
                }
            }
        }
    }
}
