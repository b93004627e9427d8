using Intriguing.Layers;
using Intriguing.Paper;

namespace Intriguing.Networks.Tests;

/// <summary>The convolution, pooling and normalisation kernels against naive loops, and the AlexNet shapes.</summary>
public class ConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, int, bool> Geometries() => new()
    {
        // C, H, W, D, k, stride, padding, circular
        { 1, 5, 5, 1, 1, 1, 0, false },   // pointwise: no im2col
        { 3, 4, 6, 5, 1, 1, 0, false },
        { 2, 7, 5, 3, 3, 1, 1, false },
        { 2, 7, 5, 3, 3, 2, 0, false },
        { 3, 9, 8, 4, 4, 3, 2, false },
        { 2, 6, 6, 3, 3, 1, 1, true },
        { 1, 6, 7, 2, 4, 2, 1, true },
        { 2, 5, 5, 2, 5, 1, 4, true },    // padding wider than half the input: wraps more than once per side
        { 3, 11, 11, 4, 11, 4, 2, false }, // AlexNet's first layer in miniature (floor semantics)
        { 2, 10, 9, 3, 4, 2, 0, false },  // strided rows split into phases: MNIST-4C3F's k 4, stride 2
        { 2, 9, 10, 3, 4, 2, 1, false },  // the same with padding
        { 1, 8, 11, 2, 2, 3, 0, false },  // stride above the kernel: input columns no window reads
        { 2, 7, 6, 2, 3, 3, 2, false },   // padding that gives phases a negative offset
        { 1, 6, 6, 1, 6, 2, 5, false },   // padding as wide as the kernel allows: rows and runs wholly in the padding
    };

    private static LayerGeometry Geometry(int c, int h, int w, int d, int k, int stride, int pad, bool circular) =>
        new(c, h, w, d, (h + 2 * pad - k) / stride + 1, (w + 2 * pad - k) / stride + 1, k, stride, pad, circular ? PaddingMode.Circular : PaddingMode.Zero);

    /// <summary>y[d,i,j] = b[d] + Σ W[d,c,u,v]·x[c, i·s − p + u, j·s − p + v], in double, straight from the definition.</summary>
    private static double[] Naive(LayerGeometry g, float[] x, float[] weights, float[] bias)
    {
        double[] p = weights.Concat(bias).Select(v => (double)v).ToArray();
        double[] y = new double[g.OutputLength];
        ReferenceNetwork.Convolve(g, p, 0, weights.Length, x.Select(v => (double)v).ToArray(), y);
        return y;
    }

    private static float[] Random(int n, SeededRandom random) => Enumerable.Range(0, n).Select(_ => (float)random.NextGaussian()).ToArray();

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Forward_matches_the_definition_for_every_sample_of_a_batch(int c, int h, int w, int d, int k, int stride, int pad, bool circular)
    {
        LayerGeometry g = Geometry(c, h, w, d, k, stride, pad, circular);
        var random = new SeededRandom(31);
        const int Batch = 3;
        float[] x = Random(Batch * g.InputLength, random), weights = Random(d * c * k * k, random), bias = Random(d, random);
        float[] y = new float[Batch * g.OutputLength];
        float[] columns = new float[Convolution.ColumnLength(g)];
        Convolution.Forward(g, x, weights, bias, y, columns, Batch);
        for (int s = 0; s < Batch; s++)
        {
            double[] expected = Naive(g, x.AsSpan(s * g.InputLength, g.InputLength).ToArray(), weights, bias);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - y[s * g.OutputLength + i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"sample {s} output {i}: {expected[i]} vs {y[s * g.OutputLength + i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Backward_is_the_adjoint_of_forward(int c, int h, int w, int d, int k, int stride, int pad, bool circular)
    {
        // For the linear map x ↦ W ⊛ x (no bias): ⟨W ⊛ x, dy⟩ = ⟨x, dx⟩, and in the weights ⟨W ⊛ x, dy⟩ = ⟨W, dW⟩.
        LayerGeometry g = Geometry(c, h, w, d, k, stride, pad, circular);
        var random = new SeededRandom(32);
        const int Batch = 2;
        float[] x = Random(Batch * g.InputLength, random), weights = Random(d * c * k * k, random), dy = Random(Batch * g.OutputLength, random);
        float[] y = new float[Batch * g.OutputLength], columns = new float[Convolution.ColumnLength(g)];
        Convolution.Forward(g, x, weights, default, y, columns, Batch);
        float[] dx = new float[Batch * g.InputLength], dw = new float[weights.Length], db = new float[d];
        Convolution.Backward(g, x, weights, dy, dw, db, dx, columns, Batch);

        double Dot(float[] a, float[] b) => a.Zip(b, (p, q) => (double)p * q).Sum();
        double lhs = Dot(y, dy);
        Assert.Equal(lhs, Dot(x, dx), 1e-3 * (1 + Math.Abs(lhs)));
        Assert.Equal(lhs, Dot(weights, dw), 1e-3 * (1 + Math.Abs(lhs)));
        for (int f = 0; f < d; f++)
        {
            double sum = 0;
            for (int s = 0; s < Batch; s++) for (int p = 0; p < g.OutputHeight * g.OutputWidth; p++) sum += dy[s * g.OutputLength + f * g.OutputHeight * g.OutputWidth + p];
            Assert.Equal(sum, db[f], 1e-4 * (1 + Math.Abs(sum)));
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Input_gradient_matches_the_definition(int c, int h, int w, int d, int k, int stride, int pad, bool circular)
    {
        // dx[c, y, x] = Σ W[f, c, u, v]·dy[f, i, j] over every window position (i, j) and tap (u, v) that reads (y, x).
        LayerGeometry g = Geometry(c, h, w, d, k, stride, pad, circular);
        var random = new SeededRandom(33);
        const int Batch = 2;
        float[] x = Random(Batch * g.InputLength, random), weights = Random(d * c * k * k, random), dy = Random(Batch * g.OutputLength, random);
        float[] dx = new float[Batch * g.InputLength], columns = new float[Convolution.ColumnLength(g)];
        Convolution.Backward(g, x, weights, dy, default, default, dx, columns, Batch);
        int oh = g.OutputHeight, ow = g.OutputWidth;
        for (int s = 0; s < Batch; s++)
        {
            double[] expected = new double[g.InputLength];
            for (int f = 0; f < d; f++)
            for (int ch = 0; ch < c; ch++)
            for (int u = 0; u < k; u++)
            for (int v = 0; v < k; v++)
            for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                int iy = i * stride - pad + u, ix = j * stride - pad + v;
                if (circular)
                {
                    iy = ((iy % h) + h) % h;
                    ix = ((ix % w) + w) % w;
                }
                else if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                {
                    continue;
                }

                expected[(ch * h + iy) * w + ix] += (double)weights[((f * c + ch) * k + u) * k + v] * dy[s * g.OutputLength + (f * oh + i) * ow + j];
            }

            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - dx[s * g.InputLength + i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"sample {s} input {i}: {expected[i]} vs {dx[s * g.InputLength + i]}");
            }
        }
    }

    [Fact]
    public void Max_pool_sends_gradient_to_the_first_maximum_of_each_window()
    {
        // One channel, 3×3 input, 2×2 windows at stride 1: the centre is the maximum of all four windows.
        var g = new LayerGeometry(1, 3, 3, 1, 2, 2, 2, 1, 0, PaddingMode.Zero);
        float[] x = { 1, 2, 1, 3, 9, 3, 1, 2, 1 };
        float[] y = new float[4];
        int[] argmax = new int[4];
        MaxPooling.Forward(g, x, y, argmax, 1);
        Assert.Equal(new float[] { 9, 9, 9, 9 }, y);
        Assert.Equal(new[] { 4, 4, 4, 4 }, argmax);
        float[] dx = Enumerable.Repeat(float.NaN, 9).ToArray();
        MaxPooling.Backward(g, new float[] { 1, 2, 3, 4 }, dx, argmax, 1);
        Assert.Equal(new float[] { 0, 0, 0, 0, 10, 0, 0, 0, 0 }, dx);

        // Ties go to the first value in row-major window order.
        MaxPooling.Forward(g, new float[9], y, argmax, 1);
        Assert.Equal(new[] { 0, 1, 3, 4 }, argmax);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void Max_pool_matches_a_naive_first_maximum_on_ties_and_every_width(int k, int stride)
    {
        // Values from {0, 1, 2} (many ties) and a few NaNs, widths around the vectorised blocks of eight and four windows.
        var random = new Random(17 * k + stride);
        for (int ow = 1; ow <= 21; ow++)
        {
            int oh = 3, h = (oh - 1) * stride + k, w = (ow - 1) * stride + k + (ow % 3 == 0 ? 1 : 0), c = 2, batch = 3;
            var g = new LayerGeometry(c, h, w, c, oh, ow, k, stride, 0, PaddingMode.Zero);
            float[] x = Enumerable.Range(0, batch * c * h * w).Select(_ => random.Next(40) == 0 ? float.NaN : random.Next(3)).ToArray();
            var y = new float[batch * g.OutputLength];
            var argmax = new int[y.Length];
            MaxPooling.Forward(g, x, y, argmax, batch);
            for (int s = 0, o = 0; s < batch; s++)
            {
                for (int ch = 0; ch < c; ch++)
                {
                    for (int i = 0; i < oh; i++)
                    {
                        for (int j = 0; j < ow; j++, o++)
                        {
                            int first = ch * h * w + i * stride * w + j * stride, best = first;
                            for (int u = 0; u < k; u++)
                            {
                                for (int v = 0; v < k; v++)
                                {
                                    int at = first + u * w + v;
                                    if (x[s * c * h * w + at] > x[s * c * h * w + best]) best = at;
                                }
                            }

                            Assert.True(best == argmax[o], $"k={k} stride={stride} width {ow}: window {o} winner {argmax[o]}, expected {best}");
                            Assert.Equal(x[s * c * h * w + best], y[o]);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Max_pool_bound_counts_the_windows_that_share_an_input()
    {
        // Brute force over every input position of every max-pool layer in the test and sample networks.
        foreach (NetworkSummary summary in new[] { PoolNet.Layout.Summary, OverlapPoolNet.Layout.Summary, ConvRegressionNet.Layout.Summary, AlexNet.Layout.Summary, MnistConv.Layout.Summary })
        {
            foreach (LayerInfo l in summary.Layers.Where(l => l.Kind == LayerKind.MaxPool))
            {
                LayerGeometry g = l.Geometry!;
                int most = 0;
                for (int r = 0; r < g.InputHeight; r++)
                {
                    for (int q = 0; q < g.InputWidth; q++)
                    {
                        int windows = 0;
                        for (int i = 0; i < g.OutputHeight; i++)
                        {
                            for (int j = 0; j < g.OutputWidth; j++)
                            {
                                if (r >= i * g.Stride && r < i * g.Stride + g.Kernel && q >= j * g.Stride && q < j * g.Stride + g.Kernel) windows++;
                            }
                        }

                        most = Math.Max(most, windows);
                    }
                }

                string expected = most == 1 ? "1 (non-overlapping)" : $"√{most} (≤ {most} windows per input)";
                Assert.Equal(expected, l.LipschitzMethod);
            }
        }
    }

    [Fact]
    public void Conv_training_steps_with_dropout_and_norms_allocate_nothing()
    {
        var conv = new MnistConv(1);
        NetworkWorkspace ws = conv.CreateWorkspace(16);
        var norm = new NormNet(1);
        NetworkWorkspace nws = norm.CreateWorkspace(4);
        var drop = new DropoutNet(1);
        NetworkWorkspace dws = drop.CreateWorkspace(4);
        dws.Training = true;
        var random = new SeededRandom(2);
        float[] x = Enumerable.Range(0, 16 * 784).Select(_ => random.NextSingle()).ToArray();
        int[] labels = Enumerable.Range(0, 16).Select(i => i % 3).ToArray();
        float[] gradient = new float[MnistConv.Layout.ParameterBufferLength], normGradient = new float[NormNet.Layout.ParameterBufferLength], dropGradient = new float[DropoutNet.Layout.ParameterBufferLength];
        float[] inputGradient = new float[784], outputs = new float[16 * 10];

        for (int i = 0; i < 20; i++) Step();
        Assert.Equal(0, AllocationProbe.BytesAllocated(() => { for (int i = 0; i < 50; i++) Step(); }));

        void Step()
        {
            conv.LossAndGradient(ws, x, labels, 16, gradient);
            conv.Forward(ws, x, outputs, 16);
            conv.LossAndLayerGradient(ws, 0, x.AsSpan(0, 784), labels.AsSpan(0, 1), 1, inputGradient);
            norm.LossAndGradient(nws, x.AsSpan(0, 4 * NormNet.Layout.InputLength), labels.AsSpan(0, 4), 4, normGradient, inputGradient.AsSpan(0, 4 * NormNet.Layout.InputLength));
            dws.TrainingStep++;
            drop.LossAndGradient(dws, x.AsSpan(0, 4 * DropoutNet.Layout.InputLength), labels.AsSpan(0, 4), 4, dropGradient);
        }
    }

    [Fact]
    public void Conv_weights_are_initialised_with_fan_in_channels_times_kernel_area()
    {
        // Every layer of MNIST-Conv is followed by a ReLU except the last: He, a = √(6 / fan-in); the last: Glorot.
        var net = new MnistConv(5);
        (float[] Weights, double Limit)[] layers =
        {
            (net.Conv1Weights.ToArray(), Math.Sqrt(6.0 / (1 * 5 * 5))),
            (net.Conv2Weights.ToArray(), Math.Sqrt(6.0 / (16 * 5 * 5))),
            (net.Dense1Weights.ToArray(), Math.Sqrt(6.0 / 512)),
            (net.Dense2Weights.ToArray(), Math.Sqrt(6.0 / (100 + 10))),
        };
        foreach (var (weights, limit) in layers)
        {
            double max = weights.Max(Math.Abs);
            Assert.True(max <= limit && max > 0.9 * limit, $"max |w| {max} for limit {limit}");
            // Uniform on (−a, a): variance a²/3.
            double variance = weights.Average(w => (double)w * w);
            Assert.InRange(variance, limit * limit / 3 * 0.7, limit * limit / 3 * 1.3);
        }

        Assert.True(net.Conv1Bias.ToArray().All(b => b == 0));
    }

    [Fact]
    public void MnistConv_learns_from_two_thousand_real_images()
    {
        // 2,000 training images, 2 epochs of SGD; 1,000 test images. Chance is 90% error; this seed gives 8.0%.
        Intriguing.Data.MnistData mnist = Intriguing.Data.Mnist.Load(TestData.MnistDirectory());
        var net = new MnistConv(3);
        var result = Intriguing.Training.Trainer.Fit(net, mnist.Train.Take(2000), new Intriguing.Training.SgdOptions { Epochs = 2, BatchSize = 32, LearningRate = 0.05f, Seed = 2 });
        Assert.True(result.EpochLosses[^1] < result.EpochLosses[0], string.Join(", ", result.EpochLosses));
        double error = Intriguing.Training.Evaluation.ErrorRate(net, mnist.Test.Take(1000));
        Assert.True(error < 0.10, $"test error {error:P2} after 2 epochs on 2,000 images");
    }

    [Fact]
    public void AlexNet_has_the_papers_layer_shapes_and_parameter_count()
    {
        NetworkSummary summary = AlexNet.Layout.Summary;
        string[] shapes = summary.Layers.Select(l => l.OutputShape).ToArray();
        Assert.Equal(new[]
        {
            "96×55×55", "96×55×55", "96×55×55", "96×27×27",
            "256×27×27", "256×27×27", "256×27×27", "256×13×13",
            "384×13×13", "384×13×13", "384×13×13", "384×13×13",
            "256×13×13", "256×13×13", "256×6×6",
            "4096", "4096", "4096", "4096", "4096", "4096", "1000", "1000",
        }, shapes);

        // Table 5 sizes: C_in × k × k × C_out of the convolutions, then the dense layers (FC 1 is 9216 × 4096).
        LayerInfo[] conv = summary.Layers.Where(l => l.Kind == LayerKind.Conv).ToArray();
        Assert.Equal(new[] { "3×11×11×96", "96×5×5×256", "256×3×3×384", "384×3×3×384", "384×3×3×256" },
            conv.Select(l => $"{l.Geometry!.InputChannels}×{l.Geometry.Kernel}×{l.Geometry.Kernel}×{l.Geometry.OutputChannels}"));
        Assert.Equal(new[] { 4, 1, 1, 1, 1 }, conv.Select(l => l.Geometry!.Stride));
        Assert.Equal(new[] { "9216×4096", "4096×4096", "4096×1000" },
            summary.Layers.Where(l => l.Kind == LayerKind.Dense).Select(l => $"{l.InputLength}×{l.OutputLength}"));

        // Hand count: Σ (weights + biases) = 34,944 + 614,656 + 885,120 + 1,327,488 + 884,992 + 37,752,832 + 16,781,312 + 4,097,000.
        Assert.Equal(62_378_344, summary.Parameters);
        Assert.Equal(62_378_344, AlexNet.Layout.ParameterCount);

        // Overlapping 3×3/2 pooling: an input lies in up to 2 × 2 windows, so the bound is √4, not the paper's 1.
        Assert.All(summary.Layers.Where(l => l.Kind == LayerKind.MaxPool), l => Assert.StartsWith("√4", l.LipschitzMethod));
        Assert.Equal(0.5, summary.Layers.First(l => l.Kind == LayerKind.Dropout).DropoutRate);
        NormParameters norm = summary.Layers.First(l => l.Kind == LayerKind.LocalResponseNorm).Norm!;
        Assert.Equal(new NormParameters(Size: 5, K: 2, Alpha: 1e-4, Beta: 0.75), norm);
    }

    [Fact]
    public void AlexNet_initialises_from_a_seed_and_runs_one_sample()
    {
        var net = new AlexNet(7);
        Assert.Equal(new AlexNet(7).Parameters.Slice(0, 1000).ToArray(), net.Parameters.Slice(0, 1000).ToArray());
        var random = new SeededRandom(1);
        float[] image = Enumerable.Range(0, AlexNet.Layout.InputLength).Select(_ => random.NextSingle()).ToArray();
        float[] probabilities = new float[1000];
        net.Forward(image, probabilities);
        Assert.All(probabilities, p => Assert.True(float.IsFinite(p) && p >= 0));
        Assert.Equal(1.0, probabilities.Sum(p => (double)p), 1e-4);

        // The first convolution's output at one position equals the definition (zero padding 2, stride 4).
        NetworkWorkspace ws = net.CreateWorkspace();
        float[] a1 = new float[AlexNet.Layout.Activation1Length];
        net.ForwardTo(ws, 1, image, a1);
        LayerInfo conv1 = AlexNet.Layout.Summary.Layers[0];
        double[] p = net.Parameters.Slice(0, conv1.BiasOffset + 96).ToArray().Select(v => (double)v).ToArray();
        double[] expected = new double[AlexNet.Layout.Activation1Length];
        ReferenceNetwork.Convolve(conv1, p, image.Select(v => (double)v).ToArray(), expected);
        for (int i = 0; i < expected.Length; i += 97) Assert.True(Math.Abs(expected[i] - a1[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"a1[{i}]: {expected[i]} vs {a1[i]}");
    }
}
