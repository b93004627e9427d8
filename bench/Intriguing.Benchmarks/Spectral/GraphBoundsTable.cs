using System.Diagnostics;
using System.Globalization;
using Intriguing.Interop;
using Intriguing.Paper;
using Intriguing.Spectral;

namespace Intriguing.Benchmarks.Spectral;

/// <summary>
/// <c>graph-bounds-table [--repeat R] [FILE]</c>: times what Table 5 on trained weights adds to <c>reproduce</c>, on
/// ResNet18.onnx (or FILE): the graph's bounds (<see cref="OnnxModel.LipschitzBounds(string, OnnxImportOptions?)"/>), and
/// the whole <see cref="TrainedTable5.Analyze"/> (trained and random weights). Prints one line per convolution (its
/// shape and the wall time of <see cref="ConvolutionNorm"/> on its trained, folded geometry with random weights), then
/// the totals: wall clock and processor time of all threads, best of R runs (default 1) after one warm-up run.
/// </summary>
public static class GraphBoundsTable
{
    public static void Run(string[] args)
    {
        int repeat = 1;
        string? file = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--repeat") repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else file = args[i];
        }

        string path = file ?? TrainedTable5.Locate() ?? throw new FileNotFoundException("ResNet18.onnx not found; restore the solution or give the file.");
        var ci = CultureInfo.InvariantCulture;
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(path); // warm-up (JIT)
        var random = new Random(1);
        foreach (GraphNodeBound n in report.Nodes.Where(n => n.Convolution is not null))
        {
            ConvolutionShape s = n.Convolution!;
            float[] w = Enumerable.Range(0, (int)s.WeightCount).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var clock = Stopwatch.StartNew();
            ConvolutionNorm.Compute(w, s);
            Console.WriteLine(string.Create(ci, $"{n.Node} {s} {clock.Elapsed.TotalSeconds:F3} s"));
        }

        (double Wall, double Cpu) Time(Action action)
        {
            double wall = double.MaxValue, cpu = double.MaxValue;
            for (int r = 0; r < repeat; r++)
            {
                TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                action();
                wall = Math.Min(wall, clock.Elapsed.TotalSeconds);
                cpu = Math.Min(cpu, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
            }

            return (wall, cpu);
        }

        var graph = Time(() => OnnxModel.LipschitzBounds(path));
        var table = Time(() => TrainedTable5.Analyze(path, 1));
        Console.WriteLine(string.Create(ci, $"graph bounds: {graph.Wall:F1} s wall, {graph.Cpu:F1} s CPU; Table 5 on trained weights (trained + random): {table.Wall:F1} s wall, {table.Cpu:F1} s CPU; {Environment.ProcessorCount} threads"));
    }
}
