using System.Diagnostics;
using System.Globalization;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Benchmarks.Training;

/// <summary>
/// Timing mode <c>conv-table [SECONDS]</c>: SGD training throughput (samples per second, both cores) of MNIST-Conv
/// at batch 64 (its recipe) on random MNIST-shaped data, and the time of one AlexNet forward pass (one sample, one
/// thread); compared with PyTorch by bench/reference/conv_compare.sh (same architectures, batch, optimiser, machine).
/// </summary>
public static class ConvTable
{
    public static void Run(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var random = new SeededRandom(1);
        const int N = 10_000;
        float[] x = new float[N * 784];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
        int[] y = Enumerable.Range(0, N).Select(i => i % 10).ToArray();
        var data = new Dataset("random", x, y, 784, 10);
        Console.WriteLine("case\tvalue");

        var net = new MnistConv(1);
        var options = new SgdOptions { Epochs = 1, BatchSize = 64, LearningRate = 0.01f, Momentum = 0.9f, Schedule = LearningRateSchedule.Constant };
        using (var warm = new Trainer(net, data.Take(2000), options)) warm.Run();
        long samples = 0;
        var clock = Stopwatch.StartNew();
        using (var trainer = new Trainer(net, data, options))
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                trainer.Run();
                samples += N;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MNIST-Conv training, batch 64 (samples/s)\t{samples / clock.Elapsed.TotalSeconds:F0}"));

        // One thread, no trainer: the network's own cost per sample of a training step's gradient.
        NetworkWorkspace ws = net.CreateWorkspace(32);
        float[] gradient = new float[MnistConv.Layout.ParameterBufferLength];
        for (int i = 0; i < 200; i++) net.LossAndGradient(ws, x.AsSpan(0, 32 * 784), y.AsSpan(0, 32), 32, gradient);
        double bestStep = double.MaxValue;
        for (int r = 0; r < 20; r++)
        {
            var t = Stopwatch.StartNew();
            net.LossAndGradient(ws, x.AsSpan(r * 32 * 784, 32 * 784), y.AsSpan(r * 32, 32), 32, gradient);
            bestStep = Math.Min(bestStep, t.Elapsed.TotalMilliseconds * 1000 / 32);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MNIST-Conv LossAndGradient, batch 32, one thread (µs/sample)\t{bestStep:F1}"));

        var alex = new AlexNet(1);
        float[] image = new float[AlexNet.Layout.InputLength];
        for (int i = 0; i < image.Length; i++) image[i] = random.NextSingle();
        float[] output = new float[1000];
        alex.Forward(image, output);
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            var t = Stopwatch.StartNew();
            alex.Forward(image, output);
            best = Math.Min(best, t.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"AlexNet forward, one sample (ms)\t{best:F1}"));
    }
}
