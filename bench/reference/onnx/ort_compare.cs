// Inference speed of the generated networks, the run-time composed (ONNX-imported) networks and ONNX Runtime on the
// same models and batches, and the import time of a ~10 MB ONNX model. A file-based program (.NET 10):
//
//     dotnet run -c Release bench/reference/onnx/ort_compare.cs
//
// ONNX Runtime runs with one intra-op thread, like the generated code's single-sample path. Times are medians over
// repeated runs after a warm-up; on a shared machine they move by tens of percent.
#:project ../../../samples/Intriguing.Paper/Intriguing.Paper.csproj
#:package Microsoft.ML.OnnxRuntime
#:property PublishAot=false
#:property TreatWarningsAsErrors=false

using System.Diagnostics;
using Intriguing;
using Intriguing.Composition;
using Intriguing.Interop;
using Intriguing.Paper;
using Microsoft.ML.OnnxRuntime;

static double Median(Func<double> run, int repeats)
{
    var times = new List<double>();
    for (int r = 0; r < repeats; r++) times.Add(run());
    times.Sort();
    return times[times.Count / 2];
}

static double TimeForward(INetwork net, float[] x, int batch, int iterations)
{
    NetworkWorkspace ws = net.CreateWorkspace(batch);
    float[] y = new float[batch * net.OutputLength];
    // Half a second of calls first: tiered compilation promotes the hot methods before the clock starts.
    for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalMilliseconds < 500;) net.Forward(ws, x, y, batch);
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++) net.Forward(ws, x, y, batch);
    return clock.Elapsed.TotalMilliseconds * 1000 / iterations;
}

static double TimeOrt(InferenceSession session, float[] x, long[] shape, int iterations)
{
    using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, shape);
    using var options = new RunOptions();
    string[] inputs = [session.InputNames[0]];
    for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalMilliseconds < 500;) using (session.Run(options, inputs, [input], session.OutputNames)) { }
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++) using (session.Run(options, inputs, [input], session.OutputNames)) { }
    return clock.Elapsed.TotalMilliseconds * 1000 / iterations;
}

Console.WriteLine($"{DateTime.UtcNow:u}, {Environment.ProcessorCount} cores; times in µs per call (median of 5)");
Console.WriteLine("| model | batch | generated | composed (imported) | ONNX Runtime (1 thread) | ORT / generated | ORT / composed |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (INetwork generated in new INetwork[] { new Fc100x100x10(1), new MnistConv(1) })
{
    byte[] model = OnnxModel.Export(generated);
    ComposedNetwork composed = OnnxModel.Import(model, generated.Name);
    using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
    using var session = new InferenceSession(model, sessionOptions);
    long[] sample = generated.Summary.Layers[0].Geometry is { } g && generated.Summary.Layers[0].Kind == LayerKind.Conv
        ? [g.InputChannels, g.InputHeight, g.InputWidth] : [generated.InputLength];
    foreach (int batch in new[] { 1, 128 })
    {
        var random = new Random(batch);
        float[] x = Enumerable.Range(0, batch * generated.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        int iterations = Math.Max(5, 20000 / batch / (generated.InputLength == 784 && generated is MnistConv ? 20 : 1));
        double gen = Median(() => TimeForward(generated, x, batch, iterations), 5);
        double comp = Median(() => TimeForward(composed, x, batch, iterations), 5);
        double ort = Median(() => TimeOrt(session, x, [batch, .. sample], iterations), 5);
        Console.WriteLine($"| {generated.Name} | {batch} | {gen:F1} | {comp:F1} | {ort:F1} | {ort / gen:F2}× | {ort / comp:F2}× |");
    }
}

// Import of a ~10 MB model: a dense stack 784 → 1600 → 784 → 10 (2.5 M parameters).
var big = ComposedNetwork.Create(new NetworkSummary("big", "784",
[
    new LayerInfo(1, "Dense1", LayerKind.Dense, 784, 1600, "1600", 784 * 1600 + 1600, 784 * 1600, 0, 0, 784 * 1600, Intriguing.Layers.Dense.Lipschitz()),
    new LayerInfo(2, "Dense2", LayerKind.Dense, 1600, 784, "784", 1600 * 784 + 784, 1600 * 784, 0, 784 * 1600 + 1600, 2 * 784 * 1600 + 1600, Intriguing.Layers.Dense.Lipschitz()),
    new LayerInfo(3, "Dense3", LayerKind.Dense, 784, 10, "10", 7850, 7840, 0, 2 * 784 * 1600 + 1600 + 784, 2 * 784 * 1600 + 1600 + 784 + 7840, Intriguing.Layers.Dense.Lipschitz()),
    new LayerInfo(4, "Softmax1", LayerKind.Softmax, 10, 10, "10", 0, 0, 0, -1, -1, Intriguing.Layers.Softmax.Lipschitz()),
]), 784, new float[2 * 784 * 1600 + 1600 + 784 + 7840 + 10]);
big.Initialize(1);
string path = Path.Combine(Path.GetTempPath(), "intriguing-big.onnx");
OnnxModel.Export(big, path);
OnnxModel.Import(path);
double importMs = Median(() => { var c = Stopwatch.StartNew(); OnnxModel.Import(path); return c.Elapsed.TotalMilliseconds; }, 5);
Console.WriteLine($"\nImport of a {new FileInfo(path).Length / 1e6:F1} MB ONNX model ({big.Summary.Parameters:N0} parameters): {importMs:F0} ms (median of 5, file in the page cache).");
File.Delete(path);
