using System.Diagnostics;
using System.Globalization;
using Intriguing.Layers;

namespace Intriguing.Benchmarks.Training;

/// <summary>
/// Timing mode <c>conv-profile</c>: microseconds per sample of each MNIST-Conv kernel at batch 32, one thread, then the
/// strided layers of MNIST-4C3F-small and whole training steps and forward passes of both networks at batch 64. Run it
/// with <c>DOTNET_TieredCompilation=0</c>: the measurements are short, and tier-0 code inflates im2col several times.
/// </summary>
public static class ConvProfile
{
    public static void Run()
    {
        var conv1 = new LayerGeometry(1, 28, 28, 16, 24, 24, 5, 1, 0, PaddingMode.Zero);
        var pool1 = new LayerGeometry(16, 24, 24, 16, 12, 12, 2, 2, 0, PaddingMode.Zero);
        var conv2 = new LayerGeometry(16, 12, 12, 32, 8, 8, 5, 1, 0, PaddingMode.Zero);
        const int B = 32;
        var random = new SeededRandom(1);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle()).ToArray();
        float[] x1 = R(B * conv1.InputLength), w1 = R(16 * 25), b1 = R(16), y1 = new float[B * conv1.OutputLength];
        float[] x2 = R(B * conv2.InputLength), w2 = R(32 * 400), b2 = R(32), y2 = new float[B * conv2.OutputLength];
        float[] p1 = new float[B * pool1.OutputLength];
        int[] arg = new int[B * pool1.OutputLength];
        float[] cols = new float[Math.Max(Convolution.ColumnLength(conv1), Convolution.ColumnLength(conv2))];
        float[] gw1 = new float[w1.Length], gb1 = new float[16], gw2 = new float[w2.Length], gb2 = new float[32], dx2 = new float[x2.Length], dx1 = new float[B * pool1.InputLength];
        void Time(string name, Action a)
        {
            a();
            double best = double.MaxValue;
            for (int r = 0; r < 7; r++)
            {
                var t = Stopwatch.StartNew();
                for (int i = 0; i < 5; i++) a();
                best = Math.Min(best, t.Elapsed.TotalMilliseconds * 1000 / 5 / B);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{best:F2} µs/sample"));
        }

        Time("conv1 forward", () => Convolution.Forward(conv1, x1, w1, b1, y1, cols, B));
        Time("conv1 backward (weights)", () => Convolution.Backward(conv1, x1, w1, y1, gw1, gb1, default, cols, B));
        Time("im2col conv1", () => { for (int s = 0; s < B; s++) Convolution.Im2Col(conv1, x1.AsSpan(s * 784, 784), cols); });
        Time("pool1 forward", () => MaxPooling.Forward(pool1, y1, p1, arg, B));
        Time("pool1 backward", () => MaxPooling.Backward(pool1, p1, dx1, arg, B));
        Time("conv2 forward", () => Convolution.Forward(conv2, x2, w2, b2, y2, cols, B));
        Time("conv2 backward (weights + input)", () => Convolution.Backward(conv2, x2, w2, y2, gw2, gb2, dx2, cols, B));
        Time("conv2 backward (weights)", () => Convolution.Backward(conv2, x2, w2, y2, gw2, gb2, default, cols, B));
        Time("conv2 dcol = Wᵀ·dY (AtB 400×64×32)", () => { for (int s = 0; s < B; s++) Intriguing.Generated.Gemm.MultiplyAtB(w2, y2.AsSpan(s * 2048, 2048), cols, 400, 64, 32); });
        Time("conv2 dW += dY·colᵀ (ABt 32×400×64)", () => { for (int s = 0; s < B; s++) Intriguing.Generated.Gemm.MultiplyABt(y2.AsSpan(s * 2048, 2048), cols, gw2, 32, 400, 64, true); });
        Time("conv2 Y = W·col (AB 32×64×400)", () => { for (int s = 0; s < B; s++) Intriguing.Generated.Gemm.MultiplyAB(w2, cols, y2.AsSpan(s * 2048, 2048), 32, 64, 400); });
        Time("im2col conv2", () => { for (int s = 0; s < B; s++) Convolution.Im2Col(conv2, x2.AsSpan(s * 2304, 2304), cols); });
        Time("col2im conv2", () => { for (int s = 0; s < B; s++) Convolution.Col2Im(conv2, cols, dx2.AsSpan(s * 2304, 2304)); });

        // MNIST-4C3F-small's strided layers (4 × 4, stride 2).
        foreach ((string name, LayerGeometry g) in new[]
        {
            ("4c3f conv2", new LayerGeometry(16, 26, 26, 16, 12, 12, 4, 2, 0, PaddingMode.Zero)),
            ("4c3f conv4", new LayerGeometry(32, 10, 10, 32, 4, 4, 4, 2, 0, PaddingMode.Zero)),
        })
        {
            float[] x = R(B * g.InputLength), w = R(g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel), b = R(g.OutputChannels);
            float[] y = new float[B * g.OutputLength], gw = new float[w.Length], gb = new float[b.Length], dx = new float[x.Length];
            float[] c = new float[Convolution.ColumnLength(g)];
            Time(name + " im2col", () => { for (int s = 0; s < B; s++) Convolution.Im2Col(g, x.AsSpan(s * g.InputLength, g.InputLength), c); });
            Time(name + " col2im", () => { for (int s = 0; s < B; s++) Convolution.Col2Im(g, c, dx.AsSpan(s * g.InputLength, g.InputLength)); });
            Time(name + " forward", () => Convolution.Forward(g, x, w, b, y, c, B));
            Time(name + " backward (weights + input)", () => Convolution.Backward(g, x, w, y, gw, gb, dx, c, B));
        }

        // Whole networks, batch 64: one training step (loss and gradient) and one forward pass, µs per sample.
        foreach (IClassifier net in new IClassifier[] { new Intriguing.Paper.MnistConv(1), new Intriguing.Paper.Mnist4C3FSmall(1) })
        {
            const int Batch = 64;
            NetworkWorkspace ws = net.CreateWorkspace(Batch);
            float[] x = R(Batch * net.InputLength), outputs = new float[Batch * net.OutputLength], gradient = new float[net.ParameterBufferLength];
            int[] labels = Enumerable.Range(0, Batch).Select(i => i % 10).ToArray();
            double Step(Action a)
            {
                for (int i = 0; i < 3; i++) a();
                double best = double.MaxValue;
                for (int r = 0; r < 7; r++)
                {
                    var t = Stopwatch.StartNew();
                    for (int i = 0; i < 5; i++) a();
                    best = Math.Min(best, t.Elapsed.TotalMilliseconds * 1000 / 5 / Batch);
                }

                return best;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{net.Name} training step, batch 64\t{Step(() => net.LossAndGradient(ws, x, labels, Batch, gradient)):F2} µs/sample"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{net.Name} forward, batch 64\t{Step(() => net.Forward(ws, x, outputs, Batch)):F2} µs/sample"));
        }
    }
}
