using Google.Protobuf;
using Intriguing.Interop;
using Intriguing.Interop.Onnx.Proto;
using Intriguing.Paper;
using Intriguing.Spectral;
using Microsoft.ML.OnnxRuntime;
using static Intriguing.Networks.Tests.OnnxGraphFixtures;

namespace Intriguing.Networks.Tests;

/// <summary>
/// Per-node bounds of ONNX graphs (<see cref="OnnxModel.LipschitzBounds(string, OnnxImportOptions?)"/>): trained ResNet-18
/// layers against their explicit operators, batch-normalisation folding and residual blocks against ONNX Runtime.
/// </summary>
public class GraphLipschitzTests
{
    // ---- References: explicit operators and their largest singular value ----------------------------------------

    /// <summary>
    /// The explicit matrix (rows D·oh·ow, columns C·h·w) of <c>y[d][i][j] = Σ w[d][c'][a][b]·x[g·C/G + c'][sy·i + a − top][sx·j + b − left]</c>
    /// (g the group of filter d), reading zero outside the map, or with indices modulo h and w when <paramref name="circular"/>.
    /// </summary>
    private static double[] ConvOperator(float[] w, int d, int c, int groups, int k, int h, int wd, int sy, int sx, int top, int left, int oh, int ow, bool circular)
    {
        int cg = c / groups, dg = d / groups, cols = c * h * wd;
        double[] a = new double[d * oh * ow * cols];
        for (int f = 0; f < d; f++)
        {
            int g = f / dg;
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    long row = ((((long)f * oh) + i) * ow) + j;
                    for (int cc = 0; cc < cg; cc++)
                    {
                        for (int u = 0; u < k; u++)
                        {
                            for (int v = 0; v < k; v++)
                            {
                                int y = (sy * i) + u - top, x = (sx * j) + v - left;
                                if (circular) { y = ((y % h) + h) % h; x = ((x % wd) + wd) % wd; }
                                else if (y < 0 || y >= h || x < 0 || x >= wd) continue;
                                int col = ((((g * cg) + cc) * h) + y) * wd + x;
                                a[(row * cols) + col] += w[((((f * cg) + cc) * k) + u) * k + v];
                            }
                        }
                    }
                }
            }
        }

        return a;
    }

    /// <summary>σ_max of a row-major matrix: power iteration on the Gram matrix of its smaller side, to convergence.</summary>
    private static double LargestSingularValue(double[] a, int rows, int cols)
    {
        bool byRows = rows <= cols;
        int n = byRows ? rows : cols, m = byRows ? cols : rows;
        double At(int i, int l) => byRows ? a[((long)i * cols) + l] : a[((long)l * cols) + i];
        double[] g = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int l = 0; l < m; l++) s += At(i, l) * At(j, l);
                g[(i * n) + j] = g[(j * n) + i] = s;
            }
        }

        var random = new Random(5);
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() + 0.5).ToArray(), y = new double[n];
        double lambda = 0;
        for (int step = 0, settled = 0; step < 200_000 && settled < 20; step++)
        {
            double dot = 0, norm = 0;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += g[(i * n) + j] * x[j];
                y[i] = s;
                dot += x[i] * s;
            }

            double previous = lambda;
            lambda = dot;
            foreach (double v in y) norm += v * v;
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) x[i] = y[i] / norm;
            settled = Math.Abs(lambda - previous) <= 1e-15 * lambda ? settled + 1 : 0;
        }

        return Math.Sqrt(lambda);
    }

    private static float[] Run(byte[] model, float[] inputs, long[] shape)
    {
        using var session = new InferenceSession(model);
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(inputs, shape);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, [session.InputNames[0]], [input], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>The matrix of an affine graph from ONNX Runtime: column i is f(e_i) − f(0).</summary>
    private static double[] AffineOperator(byte[] model, int inputs, long[] sampleShape, out int outputs)
    {
        float[] x = new float[(inputs + 1) * inputs];
        for (int i = 0; i < inputs; i++) x[((i + 1) * inputs) + i] = 1;
        float[] y = Run(model, x, [inputs + 1, .. sampleShape]);
        outputs = y.Length / (inputs + 1);
        double[] a = new double[outputs * inputs];
        for (int i = 0; i < inputs; i++)
        {
            for (int r = 0; r < outputs; r++) a[((long)r * inputs) + i] = (double)y[((i + 1) * outputs) + r] - y[r];
        }

        return a;
    }

    // ---- Trained ResNet-18 layers against their explicit operators --------------------------------------------------

    private static readonly Lazy<ModelProto> s_resnet = new(() =>
    {
        string path = TrainedTable5.Locate() ?? throw new InvalidOperationException("ResNet18.onnx was not restored (Microsoft.ML.DnnImageFeaturizer.ResNet18 in Intriguing.Paper).");
        return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
    });

    /// <summary>ResNet-18's convolution <paramref name="conv"/> and the batch normalisation after it, on a C×h×w input, as a graph of its own.</summary>
    private static (byte[] Model, NodeProto Conv, float[] Folded) TrainedLayer(string conv, int h, int w)
    {
        GraphProto g = s_resnet.Value.Graph;
        NodeProto node = g.Node.First(n => n.Name == conv);
        NodeProto bn = g.Node.First(n => n.Input[0] == node.Output[0]);
        Assert.Equal("BatchNormalization", bn.OpType);
        TensorProto Init(string name) => g.Initializer.First(t => t.Name == name);
        TensorProto weight = Init(node.Input[1]);
        var fixture = new OnnxGraphFixtures().Input("x", 1, weight.Dims[1], h, w);
        fixture.Initializer(weight);
        foreach (string name in bn.Input.Skip(1)) fixture.Initializer(Init(name));
        fixture.Node("Conv", node.Name, ["x", weight.Name], "c", [.. node.Attribute]);
        fixture.Node("BatchNormalization", bn.Name, ["c", .. bn.Input.Skip(1)], "y", [.. bn.Attribute.Where(a => a.Name == "epsilon")]);
        fixture.Output("y", 1, weight.Dims[0], 1, 1);

        // The folded weights, computed here in double: w·γ/√(σ² + ε) per filter.
        float[] values = Floats(weight), gamma = Floats(Init(bn.Input[1])), variance = Floats(Init(bn.Input[4]));
        double epsilon = bn.Attribute.First(a => a.Name == "epsilon").F;
        int per = values.Length / gamma.Length;
        float[] folded = values.Select((v, i) => (float)(v * (gamma[i / per] / Math.Sqrt(variance[i / per] + epsilon)))).ToArray();
        return (fixture.Build(opset: 9), node, folded);
    }

    private static float[] Floats(TensorProto t)
    {
        if (t.RawData.IsEmpty) return [.. t.FloatData];
        float[] v = new float[t.RawData.Length / 4];
        Buffer.BlockCopy(t.RawData.ToByteArray(), 0, v, 0, t.RawData.Length);
        return v;
    }

    [Theory]
    [InlineData("Convolution295", 2, 4)] // 64 → 128, 1×1 stride 2 (a projection)
    [InlineData("Convolution327", 4, 4)] // 128 → 256, 1×1 stride 2
    public void Trained_downsample_convolution_bound_is_the_norm_of_its_explicit_operator(string conv, int h, int w)
    {
        (byte[] model, _, float[] folded) = TrainedLayer(conv, h, w);
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(model, conv + ".onnx");
        GraphNodeBound node = Assert.Single(report.Nodes);
        Assert.Equal("Conv+BatchNormalization", node.Operator);
        int d = node.Convolution!.OutputChannels, c = node.Convolution.InputChannels, oh = h / 2, ow = w / 2;

        // A 1×1 kernel at stride 2 on an even map never reads padding: the Fourier value is the norm itself.
        double exact = LargestSingularValue(ConvOperator(folded, d, c, 1, 1, h, w, 2, 2, 0, 0, oh, ow, circular: false), d * oh * ow, c * h * w);
        Assert.InRange(node.Bound, exact * (1 - 1e-6), exact * (1 + 1e-5));
    }

    [Fact]
    public void Trained_strided_3x3_convolution_with_asymmetric_pads_is_bounded_by_its_periodic_operator()
    {
        // 64 → 128, 3×3 stride 2, pads [1, 1, 0, 0] (top, left, bottom, right), on a 2×2 map.
        (byte[] model, NodeProto conv, float[] folded) = TrainedLayer("Convolution285", 2, 2);
        Assert.Equal([1L, 1, 0, 0], conv.Attribute.First(a => a.Name == "pads").Ints);
        GraphNodeBound node = Assert.Single(OnnxModel.LipschitzBounds(model, "c.onnx").Nodes);
        ConvolutionShape s = node.Convolution!;
        int d = s.OutputChannels, c = s.InputChannels, n = s.PeriodHeight;
        Assert.Equal(s.PeriodWidth, n);

        double layer = LargestSingularValue(ConvOperator(folded, d, c, 1, 3, 2, 2, 2, 2, 1, 1, 1, 1, circular: false), d, c * 4);
        double periodic = LargestSingularValue(ConvOperator(folded, d, c, 1, 3, n, n, 2, 2, 1, 1, n / 2, n / 2, circular: true), d * (n / 2) * (n / 2), c * n * n);
        Assert.True(layer <= node.Bound, $"the layer's norm {layer} exceeds the bound {node.Bound}");
        Assert.InRange(node.Bound, periodic * (1 - 1e-6), periodic * (1 + 1e-5));
    }

    // ---- Batch-normalisation folding against ONNX Runtime -----------------------------------------------------------

    [Fact]
    public void Folded_batch_normalisation_gives_the_norm_of_the_graph_ONNX_Runtime_computes()
    {
        // Conv 1×1 stride 2 (exact) + BatchNormalization with some negative scales: an affine map whose matrix ONNX Runtime gives.
        var random = new Random(11);
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 3, 4, 4).Output("y", 1, 5, 2, 2)
            .ConvBn("conv", "x", "y", 3, 5, 1, random, Ints("strides", 2, 2)).Build();
        double[] a = AffineOperator(model, 3 * 16, [3, 4, 4], out int outputs);
        double exact = LargestSingularValue(a, outputs, 3 * 16);
        GraphNodeBound node = Assert.Single(OnnxModel.LipschitzBounds(model, "bn.onnx").Nodes);
        Assert.Equal("Conv+BatchNormalization", node.Operator);
        Assert.InRange(node.Bound, exact * (1 - 1e-5), exact * (1 + 1e-5));
    }

    [Fact]
    public void Grouped_dilated_convolution_with_folded_batch_normalisation_is_bounded_and_exact_on_its_period()
    {
        // Conv 4 → 6, 3×3 dilated by 2 (a 5×5 window), 2 groups, stride 2, pads [2, 1, 1, 2], then BatchNormalization.
        var random = new Random(12);
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 4, 7, 7).Output("y", 1, 6, 3, 3)
            .ConvBn("conv", "x", "y", 4, 6, 3, random, Ints("strides", 2, 2), Ints("dilations", 2, 2), Int("group", 2), Ints("pads", 2, 1, 1, 2)).Build();
        double[] a = AffineOperator(model, 4 * 49, [4, 7, 7], out int outputs);
        double layer = LargestSingularValue(a, outputs, 4 * 49);
        GraphNodeBound node = Assert.Single(OnnxModel.LipschitzBounds(model, "g.onnx").Nodes);
        Assert.Equal(2, node.Groups);
        Assert.True(layer <= node.Bound * (1 + 1e-6), $"ONNX Runtime's operator has norm {layer} > the bound {node.Bound}");

        // The folded, dilated kernel from the graph's own operator: the response to a unit impulse (the map is affine).
        // On the period the bound is exact: rebuild the 5×5 kernel from ONNX Runtime's outputs and take the circular operator's norm.
        ConvolutionShape s = node.Convolution!;
        Assert.Equal(5, s.KernelHeight);
        int n = s.PeriodHeight;
        float[] kernel = new float[6 * 2 * 25];
        for (int f = 0; f < 6; f++)
        {
            for (int cc = 0; cc < 2; cc++)
            {
                for (int u = 0; u < 5; u++)
                {
                    for (int v = 0; v < 5; v++)
                    {
                        // Output (f, 1, 1) reads input (g·2 + cc, 2 + u − 2, 2 + v − 1).
                        int y = 2 + u - 2, x = 2 + v - 1, c = ((f / 3) * 2) + cc;
                        kernel[(((((f * 2) + cc) * 5) + u) * 5) + v] = (float)a[((long)((f * 9) + 4) * 196) + (((c * 7) + y) * 7) + x];
                    }
                }
            }
        }

        double periodic = LargestSingularValue(ConvOperator(kernel, 6, 4, 2, 5, n, n, 2, 2, 0, 0, n / 2, n / 2, circular: true), 6 * (n / 2) * (n / 2), 4 * n * n);
        Assert.InRange(node.Bound, periodic * (1 - 1e-5), periodic * (1 + 1e-5));
    }

    // ---- Residual blocks --------------------------------------------------------------------------------------------

    /// <summary>x → Conv+BN → ReLU → Conv+BN → Add(skip) → ReLU, with an identity skip or a 1×1 projection.</summary>
    private static byte[] ResidualBlock(bool projection, int seed)
    {
        var random = new Random(seed);
        var f = new OnnxGraphFixtures().Input("x", 1, 4, 6, 6).Output("out", 1, 4, 6, 6)
            .ConvBn("a", "x", "a.out", 4, 4, 3, random, Ints("pads", 1, 1, 1, 1))
            .Node("Relu", "relu1", ["a.out"], "h")
            .ConvBn("b", "h", "b.out", 4, 4, 3, random, Ints("pads", 1, 1, 1, 1));
        string skip = "x";
        if (projection)
        {
            f.ConvBn("p", "x", "p.out", 4, 4, 1, random);
            skip = "p.out";
        }

        return f.Node("Add", "sum", ["b.out", skip], "s").Node("Relu", "relu2", ["s"], "out").Build();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Residual_block_bound_is_skip_plus_branch_product_and_bounds_the_measured_constant(bool projection)
    {
        byte[] model = ResidualBlock(projection, 21);
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(model, "block.onnx");
        Assert.False(report.IsChain);
        ResidualBlockBound block = Assert.Single(report.Blocks);
        Dictionary<string, double> bound = report.Nodes.ToDictionary(n => n.Node, n => n.Bound);
        Assert.Equal(["a", "relu1", "b"], block.BranchNodes);
        Assert.Equal(bound["a"] * bound["b"], block.Branch, 12);
        Assert.Equal(projection ? ["p"] : [], block.SkipNodes);
        Assert.Equal(projection ? bound["p"] : 1, block.Skip, 12);
        Assert.Equal(block.Skip + block.Branch, block.Bound, 12);
        Assert.Equal(block.Bound, report.Bound, 12);

        // Random pairs (far apart and close together) through ONNX Runtime.
        var random = new Random(3);
        const int pairs = 200, n = 4 * 36;
        float[] x = new float[2 * pairs * n];
        for (int p = 0; p < pairs; p++)
        {
            double scale = p % 2 == 0 ? 1 : 1e-2;
            for (int i = 0; i < n; i++)
            {
                x[(2 * p * n) + i] = (float)(random.NextDouble() * 2 - 1);
                x[((2 * p + 1) * n) + i] = x[(2 * p * n) + i] + (float)((random.NextDouble() * 2 - 1) * scale);
            }
        }

        float[] y = Run(model, x, [2 * pairs, 4, 6, 6]);
        double largest = 0;
        for (int p = 0; p < pairs; p++)
        {
            double dx = 0, dy = 0;
            for (int i = 0; i < n; i++)
            {
                dx += Math.Pow(x[((2 * p + 1) * n) + i] - x[(2 * p * n) + i], 2);
                dy += Math.Pow(y[((2 * p + 1) * n) + i] - y[(2 * p * n) + i], 2);
            }

            largest = Math.Max(largest, Math.Sqrt(dy / dx));
        }

        Assert.True(largest > 0.05 * report.Bound, $"the measured constant {largest} is implausibly far below the bound {report.Bound}");
        Assert.True(largest <= report.Bound, $"the measured constant {largest} exceeds the bound {report.Bound}");

        // The local Jacobian at a random point (central differences through ONNX Runtime; the map is piecewise linear).
        double[] jacobian = Jacobian(model, x.AsSpan(0, n).ToArray(), [4, 6, 6]);
        double local = LargestSingularValue(jacobian, n, n);
        Assert.True(local <= report.Bound * (1 + 1e-3), $"‖J‖₂ = {local} exceeds the bound {report.Bound}");
    }

    private static double[] Jacobian(byte[] model, float[] at, long[] shape)
    {
        int n = at.Length;
        const float h = 1e-3f;
        float[] x = new float[2 * n * n];
        for (int i = 0; i < n; i++)
        {
            at.CopyTo(x, 2 * i * n);
            at.CopyTo(x, ((2 * i) + 1) * n);
            x[(2 * i * n) + i] += h;
            x[(((2 * i) + 1) * n) + i] -= h;
        }

        float[] y = Run(model, x, [2 * n, .. shape]);
        int m = y.Length / (2 * n);
        double[] j = new double[m * n];
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < m; r++) j[((long)r * n) + i] = ((double)y[(2 * i * m) + r] - y[(((2 * i) + 1) * m) + r]) / (2.0 * h);
        }

        return j;
    }

    [Fact]
    public void Linear_residual_block_with_a_diagonal_branch_attains_its_bound()
    {
        // y = x + s ⊙ x + b with a positive per-channel s (a 1×1 identity convolution and a batch normalisation): the
        // block's Lipschitz constant is exactly 1 + max s, which the bound must equal (a product or a max would not).
        float[] identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 3, 2, 2).Output("s", 1, 3, 2, 2)
            .Initializer("w", [3, 3, 1, 1], identity)
            .Initializer("gamma", [3], [0.5f, 2.5f, 1.25f]).Initializer("beta", [3], [0.1f, -0.2f, 0.3f])
            .Initializer("mean", [3], [0.2f, 0.1f, -0.4f]).Initializer("var", [3], [1f, 0.25f, 4f])
            .Node("Conv", "conv", ["x", "w"], "c", Ints("kernel_shape", 1, 1))
            .Node("BatchNormalization", "bn", ["c", "gamma", "beta", "mean", "var"], "b", Float("epsilon", 1e-5f))
            .Node("Add", "sum", ["b", "x"], "s").Build();
        double[] a = AffineOperator(model, 12, [3, 2, 2], out int outputs);
        double exact = LargestSingularValue(a, outputs, 12);
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(model, "linear.onnx");
        Assert.InRange(report.Bound, exact * (1 - 1e-5), exact * (1 + 1e-5));
    }

    [Fact]
    public void PyTorch_residual_network_bound_holds_in_ONNX_Runtime()
    {
        // bench/reference/onnx/export_fixtures.py: stem, an identity block, a block with a 1×1 stride-2 projection,
        // global average pooling and a dense layer; the batch normalisations kept as nodes.
        string path = Path.Combine(AppContext.BaseDirectory, "Onnx", "torch_tiny_resnet.onnx");
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(path);
        Assert.Equal(6, report.Nodes.Count(n => n.Operator == "Conv+BatchNormalization"));
        Assert.Equal(2, report.Blocks.Count);
        Assert.Empty(report.Blocks[0].SkipNodes);
        Assert.Equal(["/project/project.0/Conv"], report.Blocks[1].SkipNodes);

        byte[] model = File.ReadAllBytes(path);
        var random = new Random(4);
        const int pairs = 100, n = 3 * 64;
        float[] x = OnnxGraphFixtures.Uniform(random, 2 * pairs * n, 1);
        for (int p = 1; p < 2 * pairs; p += 4)
        {
            for (int i = 0; i < n; i++) x[(p * n) + i] = x[((p - 1) * n) + i] + (float)(((random.NextDouble() * 2) - 1) * 1e-2);
        }

        float[] y = Run(model, x, [2 * pairs, 3, 8, 8]);
        int m = y.Length / (2 * pairs);
        double largest = 0;
        for (int p = 0; p < pairs; p++)
        {
            double dx = 0, dy = 0;
            for (int i = 0; i < n; i++) dx += Math.Pow(x[((2 * p) + 1) * n + i] - x[(2 * p * n) + i], 2);
            for (int i = 0; i < m; i++) dy += Math.Pow(y[((2 * p) + 1) * m + i] - y[(2 * p * m) + i], 2);
            largest = Math.Max(largest, Math.Sqrt(dy / dx));
        }

        Assert.True(largest > 0, "the network is constant");
        Assert.True(largest <= report.Bound, $"the measured constant {largest} exceeds the bound {report.Bound}");
    }

    // ---- Chains, and graphs with no bound ----------------------------------------------------------------------------

    [Theory]
    [InlineData(nameof(MnistConv))]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(OverlapPoolNet))]
    [InlineData(nameof(AvgPoolNet))]
    public void Exported_stack_gets_the_bounds_of_the_chain_analysis(string name)
    {
        INetwork net = OnnxTests.Make(name);
        LipschitzReport chain = Spectral.LipschitzAnalysis.Analyze(net);
        GraphLipschitzReport graph = OnnxModel.LipschitzBounds(OnnxModel.Export(net), name + ".onnx");
        Assert.True(graph.IsChain);
        double[] bounds = graph.Nodes.Where(n => n.Operator is not ("Flatten" or "Reshape" or "Identity")).Select(n => n.Bound).ToArray();
        Assert.Equal(chain.Layers.Count, bounds.Length);
        for (int i = 0; i < bounds.Length; i++) Assert.Equal(chain.Layers[i].Bound, bounds[i], 1e-9 * Math.Max(1, chain.Layers[i].Bound));
        Assert.Equal(chain.Bound, graph.Bound, 1e-9 * chain.Bound);
    }

    [Fact]
    public void Repeated_operands_and_constant_factors_count()
    {
        // y = 2·relu(x) + (1 − (−1.5)·x), written as Add(h, h), Mul(c, x) with the constant first and Sub(1, ·): bound 2 + 1.5.
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 4).Output("y", 1, 4)
            .Initializer("c", [1], [-1.5f]).Initializer("one", [1], [1f])
            .Node("Relu", "r", ["x"], "h").Node("Add", "twice", ["h", "h"], "h2")
            .Node("Mul", "scaled", ["c", "x"], "m").Node("Sub", "flip", ["one", "m"], "f")
            .Node("Add", "sum", ["h2", "f"], "y").Build();
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(model, "counts.onnx");
        Assert.Equal(1.5, report.Nodes.Single(n => n.Node == "scaled").Bound);
        Assert.Equal(3.5, report.Bound, 12);

        // Attained at x = t·(1, 1, 1, 1), t > 0: y = 2x + 1 + 1.5x.
        float[] x = [1, 1, 1, 1, 2, 2, 2, 2];
        float[] y = Run(model, x, [2, 4]);
        Assert.Equal(3.5, (y[4] - y[0]) / (x[4] - x[0]), 5);
    }

    [Fact]
    public void Concatenation_and_global_average_pooling_attain_their_bounds()
    {
        // y = mean over the map of [x, 2x] (channels concatenated): bound √(1² + 2²)/√(3·3), attained by a change
        // that is constant over the map.
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 2, 3, 3).Output("y", 1, 4, 1, 1)
            .Initializer("two", [1], [2f])
            .Node("Mul", "double", ["x", "two"], "d").Node("Concat", "both", ["x", "d"], "c", Int("axis", 1))
            .Node("GlobalAveragePool", "mean", ["c"], "y").Build();
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(model, "concat.onnx");
        Assert.Equal("4×1×1", report.OutputShape);
        float[] x = new float[2 * 18];
        for (int i = 0; i < 9; i++) x[18 + i] = 1;
        float[] y = Run(model, x, [2, 2, 3, 3]);
        double dy = Math.Sqrt(Enumerable.Range(0, 4).Sum(i => Math.Pow(y[4 + i] - y[i], 2)));
        Assert.Equal(dy / 3, report.Bound, 6);
    }

    [Fact]
    public void Product_of_two_data_tensors_is_refused_naming_the_node()
    {
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 4).Output("y", 1, 4)
            .Node("Relu", "r", ["x"], "h").Node("Mul", "square", ["h", "x"], "y").Build();
        var e = Assert.Throws<OnnxImportException>(() => OnnxModel.LipschitzBounds(model, "mul.onnx"));
        Assert.Equal("square", e.Node);
        Assert.Equal("Mul", e.OperatorType);
        Assert.Contains("not Lipschitz", e.Message);
    }

    [Fact]
    public void Operator_with_no_bound_is_refused_naming_the_node_and_operator()
    {
        byte[] model = new OnnxGraphFixtures().Input("x", 1, 4).Output("y", 1, 4).Node("Erf", "e1", ["x"], "y").Build();
        var e = Assert.Throws<OnnxImportException>(() => OnnxModel.LipschitzBounds(model, "erf.onnx"));
        Assert.Equal("erf.onnx: node 'e1' (Erf): operator Erf has no Lipschitz bound here (supported: " + string.Join(", ", OnnxModel.GraphBoundOperators) + ").", e.Message);
    }
}
