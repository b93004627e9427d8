using Intriguing.Adversarial;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Spectral;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>
/// Operator-norm control (penalties, Parseval, Lipschitz margin, projection) against independent references: the
/// norms as largest singular values of explicit operator matrices (Jacobi SVD), the gradients against central
/// differences of those, the margin loss against a double-precision forward pass.
/// </summary>
public partial class LipschitzControlTests
{
    /// <summary>The explicit matrix of a dense layer (double).</summary>
    private static double[] DenseMatrix(LayerInfo l, double[] p) => p.AsSpan(l.WeightOffset, l.OutputLength * l.InputLength).ToArray();

    /// <summary>
    /// The norm the control tracks, from its definition: a dense layer's σ₁; a convolution's Fourier bound, which is
    /// the σ₁ of the circular convolution on the layer's periodic map (the layer itself for circular padding, the
    /// N_y × N_x map of <see cref="ConvolutionShape.PeriodHeight"/> for zero padding), built column by column with the
    /// reference convolution.
    /// </summary>
    private static double ReferenceNorm(LayerInfo l, double[] p)
    {
        if (l.Kind == LayerKind.Dense) return JacobiSvd.SingularValues(DenseMatrix(l, p), l.OutputLength, l.InputLength)[0];
        LayerGeometry g = l.Geometry!;
        LayerGeometry torus = g;
        if (g.PaddingMode == PaddingMode.Zero)
        {
            var shape = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding);
            torus = new LayerGeometry(g.InputChannels, shape.PeriodHeight, shape.PeriodWidth, g.OutputChannels,
                shape.PeriodHeight / g.Stride, shape.PeriodWidth / g.Stride, g.Kernel, g.Stride, 0, PaddingMode.Circular);
        }

        return JacobiSvd.SingularValues(ConvolutionMatrix(torus, p, l.WeightOffset), torus.OutputLength, torus.InputLength)[0];
    }

    /// <summary>The explicit matrix of the convolution <paramref name="g"/> with the weights at <paramref name="offset"/> (no bias).</summary>
    private static double[] ConvolutionMatrix(LayerGeometry g, double[] p, int offset)
    {
        int n = g.InputLength, m = g.OutputLength;
        double[] matrix = new double[m * n], x = new double[n], y = new double[m];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(x);
            x[j] = 1;
            ReferenceNetwork.Convolve(g, p, offset, -1, x, y);
            for (int i = 0; i < m; i++) matrix[i * n + j] = y[i];
        }

        return matrix;
    }

    private static IEnumerable<LayerInfo> Controlled(INetwork net) => net.Summary.Layers.Where(l => l.Kind is LayerKind.Dense or LayerKind.Conv);

    public static TheoryData<string, NormPenalty, float> Penalties => new()
    {
        { nameof(ConvZeroNet), NormPenalty.Hinge, 0 },
        { nameof(ConvZeroNet), NormPenalty.Log, 0 },
        { nameof(ConvCircularNet), NormPenalty.Hinge, 0 },
        { nameof(ConvCircularNet), NormPenalty.None, 0.3f },
        { nameof(ConvZeroNet), NormPenalty.None, 0.3f },
        { nameof(TanhReluNet), NormPenalty.Hinge, 0.3f },
    };

    private static INetwork Make(string name, ulong seed) => name switch
    {
        nameof(ConvZeroNet) => new ConvZeroNet(seed),
        nameof(ConvCircularNet) => new ConvCircularNet(seed),
        nameof(TanhReluNet) => new TanhReluNet(seed),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Penalties))]
    public void Penalty_and_parseval_gradients_match_central_differences_of_the_explicit_norms(string name, NormPenalty penalty, float parseval)
    {
        INetwork net = Make(name, 5);
        var reference = new ReferenceNetwork(net);
        double[] p0 = reference.Parameters();
        LayerInfo[] layers = Controlled(net).ToArray();
        // τ below every norm, so that the hinge is active (σ − τ > 0 away from the kink).
        float tau = (float)(0.5 * layers.Min(l => ReferenceNorm(l, p0)));
        var options = new LipschitzOptions { Penalty = penalty, Beta = 0.7f, Tau = tau, Parseval = parseval, PowerIterations = 400 };
        var control = new LipschitzControl(net, options, 9);
        double bound = control.Refresh(net.Parameters);
        float[] gradient = new float[net.ParameterBufferLength];
        float value = control.WriteGradient(net.Parameters, gradient, bound, 0);

        double Objective(double[] p)
        {
            double total = 0;
            foreach (LayerInfo l in layers)
            {
                double sigma = ReferenceNorm(l, p);
                total += penalty switch
                {
                    NormPenalty.Hinge => 0.7 * Math.Pow(Math.Max(0, sigma - tau), 2),
                    NormPenalty.Log => 0.7 * Math.Log(sigma),
                    _ => 0,
                };
                if (parseval > 0)
                {
                    int m = l.Kind == LayerKind.Dense ? l.OutputLength : l.Geometry!.OutputChannels;
                    int n = ReferenceNetwork.WeightCount(l) / m;
                    int side = Math.Min(m, n);
                    for (int i = 0; i < side; i++)
                    {
                        for (int j = 0; j < side; j++)
                        {
                            double s = 0;
                            if (m <= n) for (int t = 0; t < n; t++) s += p[l.WeightOffset + i * n + t] * p[l.WeightOffset + j * n + t];
                            else for (int t = 0; t < m; t++) s += p[l.WeightOffset + t * n + i] * p[l.WeightOffset + t * n + j];
                            if (i == j) s -= 1;
                            total += parseval / 4.0 * s * s;
                        }
                    }
                }
            }

            return total;
        }

        Assert.Equal(Objective(p0), value, 3e-4 * Math.Max(1, Math.Abs(value)));
        double scale = gradient.Max(Math.Abs);
        Assert.True(scale > 0);
        var random = new SeededRandom(2);
        foreach (LayerInfo l in layers)
        {
            int count = ReferenceNetwork.WeightCount(l);
            for (int probe = 0; probe < 12; probe++)
            {
                int i = l.WeightOffset + (probe < 4 ? probe : random.NextInt(count));
                double fd = ReferenceNetwork.CentralDifference(Objective, p0, i);
                Assert.True(Math.Abs(fd - gradient[i]) <= 2e-3 * scale, $"{name} {l.Name} parameter {i}: gradient {gradient[i]}, central difference {fd}");
            }
        }

        // Biases and every other entry are untouched.
        foreach (LayerInfo l in net.Summary.Layers.Where(l => l.BiasOffset >= 0))
        {
            Assert.All(gradient.AsSpan(l.BiasOffset, ReferenceNetwork.BiasCount(l)).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(ConvCircularNet))]
    [InlineData(nameof(TanhReluNet))]
    public void Tracked_norms_converge_to_the_explicit_norms_and_the_bound_gradient_matches_central_differences(string name)
    {
        INetwork net = Make(name, 11);
        var reference = new ReferenceNetwork(net);
        double[] p0 = reference.Parameters();
        LayerInfo[] layers = Controlled(net).ToArray();
        var control = new LipschitzControl(net, new LipschitzOptions { MarginEpsilon = 1, PowerIterations = 400 }, 3);
        double bound = control.Refresh(net.Parameters);
        for (int k = 0; k < layers.Length; k++)
        {
            double exact = ReferenceNorm(layers[k], p0);
            Assert.Equal(exact, control.Sigma(k), 1e-6 * exact);
        }

        // The global logit bound L = fixed · Π σ_k and its gradient (the margin's path): WriteGradient with ∂E/∂L = 1.
        double Bound(double[] p) => control.FixedFactor * layers.Aggregate(1.0, (a, l) => a * ReferenceNorm(l, p));
        Assert.Equal(Bound(p0), bound, 1e-6 * bound);
        Assert.Equal(LipschitzAnalysis.Analyze(net).LogitBound, bound, 1e-5 * bound);
        float[] gradient = new float[net.ParameterBufferLength];
        control.WriteGradient(net.Parameters, gradient, bound, 1);
        double scale = gradient.Max(Math.Abs);
        var random = new SeededRandom(4);
        foreach (LayerInfo l in layers)
        {
            for (int probe = 0; probe < 10; probe++)
            {
                int i = l.WeightOffset + random.NextInt(ReferenceNetwork.WeightCount(l));
                double fd = ReferenceNetwork.CentralDifference(Bound, p0, i);
                Assert.True(Math.Abs(fd - gradient[i]) <= 2e-3 * scale, $"{name} {l.Name} parameter {i}: ∂L/∂w {gradient[i]}, central difference {fd}");
            }
        }
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(TanhReluNet))]
    public void Margin_cross_entropy_and_its_gradients_match_a_double_reference(string name)
    {
        var net = (IClassifier)Make(name, 6);
        var reference = new ReferenceNetwork(net);
        var random = new SeededRandom(8);
        const int batch = 3;
        const float c = 1.3f;
        double[][] inputs = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, net.InputLength).Select(_ => random.NextDouble()).ToArray()).ToArray();
        int[] labels = [0, 2, 1];
        float[] flat = inputs.SelectMany(x => x.Select(v => (float)v)).ToArray();
        double[] p0 = reference.Parameters();
        for (int b = 0; b < batch; b++) for (int i = 0; i < net.InputLength; i++) inputs[b][i] = flat[b * net.InputLength + i];

        double Objective(double[] p, double margin)
        {
            double total = 0;
            for (int b = 0; b < batch; b++)
            {
                double[][] acts = reference.Forward(p, inputs[b]);
                double[] z = acts[^2].Select((v, i) => i == labels[b] ? v : v + margin).ToArray();
                double max = z.Max();
                total += Math.Log(z.Sum(v => Math.Exp(v - max))) + max - z[labels[b]];
            }

            return total / batch + reference.Penalty(p);
        }

        NetworkWorkspace ws = net.CreateWorkspace(batch);
        ws.LogitMargin = c;
        float[] gradient = new float[net.ParameterBufferLength];
        float loss = net.LossAndGradient(ws, flat, labels, batch, gradient);
        Assert.Equal(Objective(p0, c), loss, 1e-5);
        double sensitivity = (Objective(p0, c + 1e-4) - Objective(p0, c - 1e-4)) / 2e-4;
        Assert.Equal(sensitivity, ws.MarginSensitivity, 1e-5);
        double scale = gradient.Max(Math.Abs);
        for (int probe = 0; probe < 24; probe++)
        {
            int i = random.NextInt(net.ParameterBufferLength);
            double fd = ReferenceNetwork.CentralDifference(p => Objective(p, c), p0, i);
            Assert.True(Math.Abs(fd - gradient[i]) <= 1e-4 * scale + 1e-6, $"parameter {i}: {gradient[i]} against {fd}");
        }

        // Without a margin the same call is the plain cross-entropy, and the sensitivity is reset.
        ws.LogitMargin = 0;
        Assert.Equal(Objective(p0, 0), net.LossAndGradient(ws, flat, labels, batch, gradient), 1e-5);
        Assert.Equal(0f, ws.MarginSensitivity);
    }

    private static Dataset Synthetic(INetwork net, int count, int classes, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] samples = new float[count * net.InputLength];
        int[] labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = random.NextInt(classes);
            for (int i = 0; i < net.InputLength; i++) samples[s * net.InputLength + i] = (float)(random.NextDouble() + 0.3 * labels[s] * ((i % classes) == labels[s] ? 1 : 0));
        }

        return new Dataset("synthetic", samples, labels, net.InputLength, classes);
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet), 0.4f)]
    [InlineData(nameof(ConvCircularNet), 0.6f)]
    [InlineData(nameof(TanhReluNet), 0.5f)]
    public void After_projected_training_every_layer_norm_measured_independently_is_at_most_tau(string name, float tau)
    {
        INetwork net = Make(name, 2);
        var data = Synthetic(net, 40, 3, 1);
        var options = new SgdOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.2f, Threads = 2, Lipschitz = new LipschitzOptions { Project = true, Tau = tau } };
        var reference = new ReferenceNetwork(net);
        Assert.Contains(Controlled(net), l => ReferenceNorm(l, reference.Parameters()) > tau); // the projection has work to do
        Trainer.Fit((IClassifier)net, data, options);
        double[] p = reference.Parameters();
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        foreach (LayerInfo l in Controlled(net))
        {
            // The certified bound the analysis reports, and the exact norm of the layer's own explicit operator.
            Assert.True(report.Layers[l.Index - 1].Bound <= tau, $"{l.Name}: certified {report.Layers[l.Index - 1].Bound} > τ = {tau}");
            double exact = l.Kind == LayerKind.Dense ? ReferenceNorm(l, p)
                : JacobiSvd.SingularValues(ConvolutionMatrix(l.Geometry!, p, l.WeightOffset), l.OutputLength, l.InputLength)[0];
            Assert.True(exact <= tau, $"{l.Name}: σ₁ {exact} > τ = {tau}");
        }
    }

    [Fact]
    public void Controlled_training_gives_the_same_parameters_for_any_thread_count()
    {
        var lipschitz = new LipschitzOptions { Penalty = NormPenalty.Hinge, Beta = 0.1f, Tau = 0.5f, Project = true, Parseval = 0.01f, MarginEpsilon = 0.05f, MarginWarmupEpochs = 1 };
        float[] Train(int threads, int chunks)
        {
            var net = new ConvZeroNet(3);
            Trainer.Fit(net, Synthetic(net, 30, 3, 2), new SgdOptions { Epochs = 2, BatchSize = 10, LearningRate = 0.1f, Threads = threads, Chunks = chunks, Lipschitz = lipschitz });
            return net.Parameters.ToArray();
        }

        float[] one = Train(1, 2);
        Assert.Equal(one, Train(2, 2));
        Assert.Equal(one, Train(3, 2));
        Assert.NotEqual(one, new ConvZeroNet(3).Parameters.ToArray());
    }

    public static TheoryData<string, bool, int, int> FusedCorrectionCases() => new()
    {
        { "hinge", false, 8, 1 },
        { "hinge", true, 9, 2 },     // 37 = 4·9 + 1: the last step is the fused one-sample step
        { "log,parseval", false, 9, 1 },
        { "margin", true, 8, 2 },
        { "margin", false, 9, 1 },
        { "gloro", false, 8, 2 },
        { "gloro", true, 9, 1 },
    };

    [Theory]
    [MemberData(nameof(FusedCorrectionCases))]
    public void A_changed_objective_on_the_fused_step_gives_the_parameters_of_the_chunk_gradient_path(string mode, bool nesterov, int batch, int threads)
    {
        // The fused step of a dense stack with the norm terms applied as a correction after it, against the general
        // path (the whole batch's gradient plus the norm terms' gradient, then one update), from the same start: the
        // same parameters up to float rounding, for every mode, with and without Nesterov momentum, with the projection.
        var lipschitz = mode switch
        {
            "hinge" => new LipschitzOptions { Penalty = NormPenalty.Hinge, Beta = 0.5f, Tau = 0.5f },
            "log,parseval" => new LipschitzOptions { Penalty = NormPenalty.Log, Beta = 0.05f, Parseval = 0.05f },
            "margin" => new LipschitzOptions { MarginEpsilon = 0.3f, MarginWarmupEpochs = 1, Project = true, Tau = 2 },
            _ => new LipschitzOptions { GloRoEpsilon = 0.3f, Project = true, Tau = 2 },
        };
        float[] Train(bool chunked, int threadCount, out float[] start)
        {
            var net = new TanhReluNet(4);
            start = net.Parameters.ToArray();
            Trainer.Fit(net, Synthetic(net, 37, 3, 6), new SgdOptions { Epochs = 2, BatchSize = batch, LearningRate = 0.1f, Momentum = 0.9f, Nesterov = nesterov, Threads = threadCount, Chunks = 1, Lipschitz = lipschitz, ChunkedObjective = chunked });
            return net.Parameters.ToArray();
        }

        float[] fused = Train(false, threads, out float[] start), general = Train(true, threads, out _);
        Assert.Equal(fused, Train(false, 3, out _)); // the fused path gives the same parameters for any thread count
        Assert.Contains("step=fused", Trainer.Describe(new TanhReluNet(), new SgdOptions { Lipschitz = lipschitz }));
        double moved = 0, difference = 0;
        for (int i = 0; i < fused.Length; i++)
        {
            moved = Math.Max(moved, Math.Abs(general[i] - start[i]));
            difference = Math.Max(difference, Math.Abs(fused[i] - general[i]));
        }

        Assert.True(moved > 0.01, $"training moved the parameters by at most {moved}");
        Assert.True(difference <= 1e-5 * moved, $"{mode}: the fused path differs by up to {difference:G3} (parameters moved by up to {moved:G3})");
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet), 1)]
    [InlineData(nameof(ConvZeroNet), 2)]
    [InlineData(nameof(TanhReluNet), 2)]
    public void The_trainers_margin_step_follows_the_gradient_of_the_whole_certified_objective(string name, int chunks)
    {
        // One plain SGD step (rate 1, no momentum) over the whole data set: θ − θ′ is the gradient the trainer used, of
        // F(θ) = mean_s CE(z_s + √2·ε·L(θ)·(1 − onehot)) + weight decay + β·Σ max(0, σ_k − τ)², L = fixed·Π σ_k.
        INetwork net = Make(name, 12);
        var reference = new ReferenceNetwork(net);
        Dataset data = Synthetic(net, 6, 3, 5);
        double[] p0 = reference.Parameters();
        LayerInfo[] layers = Controlled(net).ToArray();
        const float epsilon = 0.2f, beta = 0.3f;
        float tau = (float)(0.7 * layers.Min(l => ReferenceNorm(l, p0)));
        var control = new LipschitzControl(net, new LipschitzOptions(), 1);
        double fixedFactor = control.FixedFactor;
        double Objective(double[] p)
        {
            double bound = fixedFactor, penalty = 0;
            foreach (LayerInfo l in layers)
            {
                double sigma = ReferenceNorm(l, p);
                bound *= sigma;
                penalty += beta * Math.Pow(Math.Max(0, sigma - tau), 2);
            }

            double c = Math.Sqrt(2) * epsilon * bound, total = 0;
            for (int s = 0; s < data.Count; s++)
            {
                int label = data.Labels[s];
                double[] x = data.Sample(s).ToArray().Select(v => (double)v).ToArray();
                double[] z = reference.Forward(p, x)[^2].Select((v, i) => i == label ? v : v + c).ToArray();
                double max = z.Max();
                total += Math.Log(z.Sum(v => Math.Exp(v - max))) + max - z[label];
            }

            return total / data.Count + reference.Penalty(p) + penalty;
        }

        var options = new SgdOptions
        {
            Epochs = 1, BatchSize = data.Count, LearningRate = 1, Momentum = 0, Schedule = LearningRateSchedule.Constant, Chunks = chunks, Threads = 1,
            Lipschitz = new LipschitzOptions { Penalty = NormPenalty.Hinge, Beta = beta, Tau = tau, MarginEpsilon = epsilon, PowerIterations = 400 },
        };
        float[] before = net.Parameters.ToArray();
        Trainer.Fit((IClassifier)net, data, options);
        float[] step = before.Zip(net.Parameters.ToArray(), (a, b) => a - b).ToArray();
        double scale = step.Max(Math.Abs);
        var random = new SeededRandom(6);
        foreach (LayerInfo l in layers)
        {
            for (int probe = 0; probe < 8; probe++)
            {
                int i = l.WeightOffset + random.NextInt(ReferenceNetwork.WeightCount(l));
                double fd = ReferenceNetwork.CentralDifference(Objective, p0, i);
                Assert.True(Math.Abs(fd - step[i]) <= 2e-3 * scale, $"{l.Name} parameter {i}: step {step[i]}, central difference {fd}");
            }
        }
    }

    /// <summary>The GloRo loss of one sample from its logits: CE of (z, z_⊥), z_⊥ = max_{i≠j} (z_i + B_ji), j = argmax z.</summary>
    private static double GloRoLoss(double[] z, int label, Func<int, int, double> pair)
    {
        int n = z.Length, j = 0;
        for (int i = 1; i < n; i++) if (z[i] > z[j]) j = i;
        double bottom = Enumerable.Range(0, n).Where(i => i != j).Max(i => z[i] + pair(j, i));
        double[] a = [.. z, bottom];
        double max = a.Max();
        return Math.Log(a.Sum(v => Math.Exp(v - max))) + max - z[label];
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(TanhReluNet))]
    public void GloRo_cross_entropy_and_its_gradients_match_a_double_reference(string name)
    {
        var net = (IClassifier)Make(name, 6);
        var reference = new ReferenceNetwork(net);
        var random = new SeededRandom(9);
        const int batch = 4;
        int n = net.OutputLength;
        float[] flat = Enumerable.Range(0, batch * net.InputLength).Select(_ => random.NextSingle()).ToArray();
        double[][] inputs = Enumerable.Range(0, batch).Select(b => flat.AsSpan(b * net.InputLength, net.InputLength).ToArray().Select(v => (double)v).ToArray()).ToArray();
        int[] labels = [0, 2, 1, 1];
        float[] pairs = new float[n * n];
        for (int j = 0; j < n; j++) for (int i = 0; i < j; i++) pairs[j * n + i] = pairs[i * n + j] = 0.2f + random.NextSingle();
        double[] p0 = reference.Parameters();
        double Objective(double[] p, float[] b) =>
            inputs.Select((x, s) => GloRoLoss(reference.Forward(p, x)[^2], labels[s], (j, i) => b[j * n + i])).Sum() / batch + reference.Penalty(p);

        NetworkWorkspace ws = net.CreateWorkspace(batch);
        ws.PairMargins = pairs;
        ws.PairMarginSensitivity = new float[n * n];
        float[] gradient = new float[net.ParameterBufferLength];
        float loss = net.LossAndGradient(ws, flat, labels, batch, gradient);
        Assert.Equal(Objective(p0, pairs), loss, 1e-5);
        Assert.Contains(ws.PairMarginSensitivity, v => v > 0);
        for (int e = 0; e < n * n; e++)
        {
            if (e % (n + 1) == 0) continue; // the diagonal is never read
            float[] plus = (float[])pairs.Clone(), minus = (float[])pairs.Clone();
            plus[e] += 1e-3f;
            minus[e] -= 1e-3f;
            double fd = (Objective(p0, plus) - Objective(p0, minus)) / (plus[e] - minus[e]);
            Assert.Equal(fd, ws.PairMarginSensitivity[e], 2e-4);
        }

        double scale = gradient.Max(Math.Abs);
        for (int probe = 0; probe < 24; probe++)
        {
            int i = random.NextInt(net.ParameterBufferLength);
            double fd = ReferenceNetwork.CentralDifference(p => Objective(p, pairs), p0, i);
            Assert.True(Math.Abs(fd - gradient[i]) <= 1e-4 * scale + 1e-6, $"parameter {i}: {gradient[i]} against {fd}");
        }

        ws.LogitMargin = 1;
        Assert.Throws<InvalidOperationException>(() => net.LossAndGradient(ws, flat, labels, batch, gradient));
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet), 1)]
    [InlineData(nameof(ConvZeroNet), 2)]
    [InlineData(nameof(TanhReluNet), 2)]
    public void The_trainers_gloro_step_follows_the_gradient_of_the_whole_gloro_objective(string name, int chunks)
    {
        // F(θ) = mean_s GloRo CE with ε·K_ji = ε·‖w_j − w_i‖·fixed·Π_{k below the last} σ_k + weight decay.
        INetwork net = Make(name, 12);
        var reference = new ReferenceNetwork(net);
        Dataset data = Synthetic(net, 6, 3, 5);
        double[] p0 = reference.Parameters();
        LayerInfo[] layers = Controlled(net).ToArray();
        LayerInfo last = layers[^1];
        int n = last.OutputLength, m = last.InputLength;
        const float epsilon = 0.3f;
        double fixedFactor = new LipschitzControl(net, new LipschitzOptions(), 1).FixedFactor;
        double Objective(double[] p)
        {
            double lower = fixedFactor;
            foreach (LayerInfo l in layers[..^1]) lower *= ReferenceNorm(l, p);
            double Pair(int j, int i)
            {
                double s2 = 0;
                for (int t = 0; t < m; t++) s2 += Math.Pow(p[last.WeightOffset + j * m + t] - p[last.WeightOffset + i * m + t], 2);
                return epsilon * lower * Math.Sqrt(s2);
            }

            double total = 0;
            for (int s = 0; s < data.Count; s++) total += GloRoLoss(reference.Forward(p, data.Sample(s).ToArray().Select(v => (double)v).ToArray())[^2], data.Labels[s], Pair);
            return total / data.Count + reference.Penalty(p);
        }

        var options = new SgdOptions
        {
            Epochs = 1, BatchSize = data.Count, LearningRate = 1, Momentum = 0, Schedule = LearningRateSchedule.Constant, Chunks = chunks, Threads = 1,
            Lipschitz = new LipschitzOptions { GloRoEpsilon = epsilon, PowerIterations = 400 },
        };
        float[] before = net.Parameters.ToArray();
        Trainer.Fit((IClassifier)net, data, options);
        float[] step = before.Zip(net.Parameters.ToArray(), (a, b) => a - b).ToArray();
        double scale = step.Max(Math.Abs);
        var random = new SeededRandom(6);
        foreach (LayerInfo l in layers)
        {
            for (int probe = 0; probe < 8; probe++)
            {
                int i = l.WeightOffset + random.NextInt(ReferenceNetwork.WeightCount(l));
                double fd = ReferenceNetwork.CentralDifference(Objective, p0, i);
                Assert.True(Math.Abs(fd - step[i]) <= 2e-3 * scale, $"{l.Name} parameter {i}: step {step[i]}, central difference {fd}");
            }
        }
    }

    [Theory]
    [InlineData(33, 4, 3, 2, 1, PaddingMode.Zero)]      // many input channels: the vector kernels of the tracker
    [InlineData(33, 3, 2, 1, 0, PaddingMode.Circular)]  // many channels, stride 1
    [InlineData(2, 3, 4, 2, 1, PaddingMode.Circular)]   // few channels: the plain loops
    public void The_convolution_tracker_converges_to_the_explicit_norm_and_its_gradient_matches_a_directional_difference(int c, int d, int k, int stride, int padding, PaddingMode mode)
    {
        const int h = 6, w = 6;
        int outH = mode == PaddingMode.Circular ? h / stride : (h + 2 * padding - k) / stride + 1;
        int outW = mode == PaddingMode.Circular ? w / stride : (w + 2 * padding - k) / stride + 1;
        var g = new LayerGeometry(c, h, w, d, outH, outW, k, stride, padding, mode);
        int count = d * c * k * k;
        var random = new SeededRandom(21);
        float[] weights = Enumerable.Range(0, count).Select(_ => (float)random.NextGaussian() * 0.2f).ToArray();
        LayerInfo layer = new(1, "Conv", LayerKind.Conv, g.InputLength, g.OutputLength, "", count, 0, 0, 0, -1, Intriguing.Layers.Convolution.Lipschitz(g), Geometry: g);
        double Norm(double[] p) => ReferenceNorm(layer, p);
        double[] p0 = weights.Select(v => (double)v).ToArray();
        var tracker = new Intriguing.Layers.Convolution.NormTracker(g, 5);
        double sigma = tracker.Iterate(weights, 600);
        Assert.Equal(Norm(p0), sigma, 1e-6 * sigma);
        float[] gradient = new float[count];
        tracker.AddGradient(gradient, 1);
        double[] direction = Enumerable.Range(0, count).Select(_ => random.NextGaussian()).ToArray();
        const double step = 1e-5;
        double fd = (Norm(p0.Zip(direction, (a, b) => a + step * b).ToArray()) - Norm(p0.Zip(direction, (a, b) => a - step * b).ToArray())) / (2 * step);
        double analytic = gradient.Zip(direction, (a, b) => a * b).Sum();
        Assert.Equal(fd, analytic, 1e-4 * Math.Max(1, Math.Abs(fd)));
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(TanhReluNet))]
    public void After_a_projection_the_trackers_describe_the_projected_weights(string name)
    {
        // The projection leaves the trackers' σ_k those of the rescaled weights.
        INetwork net = Make(name, 13);
        var reference = new ReferenceNetwork(net);
        LayerInfo[] layers = Controlled(net).ToArray();
        float tau = (float)(0.6 * layers.Max(l => ReferenceNorm(l, reference.Parameters())));
        var control = new LipschitzControl(net, new LipschitzOptions { Project = true, Tau = tau, PowerIterations = 400 }, 2);
        control.Project(net.Parameters);
        double[] p = reference.Parameters();
        double product = control.FixedFactor;
        for (int k = 0; k < layers.Length; k++)
        {
            double exact = ReferenceNorm(layers[k], p);
            Assert.Equal(exact, control.Sigma(k), 1e-5 * exact);
            product *= exact;
        }

        Assert.Contains(layers, l => ReferenceNorm(l, p) > 0.999 * tau); // some layer was rescaled to τ
        Assert.Equal(product, control.FixedFactor * Enumerable.Range(0, layers.Length).Aggregate(1.0, (a, k) => a * control.Sigma(k)), 1e-5 * product);
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(TanhReluNet))]
    public void Per_step_control_allocates_nothing(string name)
    {
        INetwork net = Make(name, 4);
        var control = new LipschitzControl(net, new LipschitzOptions { Penalty = NormPenalty.Hinge, Tau = 0.5f, Project = true, Parseval = 0.01f, MarginEpsilon = 0.1f }, 1);
        float[] gradient = new float[net.ParameterBufferLength];
        void Step()
        {
            double bound = control.Refresh(net.Parameters);
            control.WriteGradient(net.Parameters, gradient, bound, 0.5);
            control.Project(net.Parameters);
        }

        Step();
        Assert.Equal(0, AllocationProbe.BytesAllocated(() => { for (int i = 0; i < 20; i++) Step(); }));
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(TanhReluNet))]
    public void Every_example_certified_by_the_global_bound_has_the_margin_and_resists_pgd_in_its_ball(string name)
    {
        var net = (IClassifier)Make(name, 7);
        Dataset data = Synthetic(net, 60, 3, 3);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 15, BatchSize = 10, LearningRate = 0.1f, Threads = 2, Lipschitz = new LipschitzOptions { MarginEpsilon = 0.2f, Project = true, Tau = 2 } });
        double[] margins = LipschitzCertificate.Margins(net, data);
        double bound = LipschitzAnalysis.Analyze(net).LogitBound;

        // Independent references: the margins from a double forward pass, L from the explicit norms (σ₁ of each layer's
        // own operator, which the certified bound may only exceed) times the fixed factors of the other layers.
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        var control = new LipschitzControl(net, new LipschitzOptions(), 1);
        double exactBound = control.FixedFactor;
        foreach (LayerInfo l in Controlled(net))
        {
            exactBound *= l.Kind == LayerKind.Dense ? ReferenceNorm(l, p) : JacobiSvd.SingularValues(ConvolutionMatrix(l.Geometry!, p, l.WeightOffset), l.OutputLength, l.InputLength)[0];
        }

        Assert.True(bound >= exactBound * (1 - 1e-6), $"certified L {bound} below the exact product {exactBound}");
        // The radius certifying about half the correctly classified examples (from the data, not a fixed figure).
        double[] radii = margins.Where(m => m > 0).Select(m => m / (Math.Sqrt(2) * bound)).Order().ToArray();
        Assert.True(radii.Length >= 10, $"only {radii.Length} of {data.Count} examples are classified correctly");
        double epsilon = radii[radii.Length / 2];
        int[] certified = Enumerable.Range(0, data.Count).Where(i => LipschitzCertificate.IsCertified(margins[i], bound, epsilon)).ToArray();
        Assert.NotEmpty(certified);
        Assert.Equal(certified.Length / (double)data.Count, LipschitzCertificate.CertifiedAccuracy(margins, bound, epsilon), 12);
        foreach (int i in certified)
        {
            double[] z = reference.Forward(p, data.Sample(i).ToArray().Select(v => (double)v).ToArray())[^2];
            int label = data.Labels[i];
            double margin = z[label] - z.Where((_, j) => j != label).Max();
            Assert.True(margin >= Math.Sqrt(2) * exactBound * epsilon, $"example {i}: margin {margin} < √2·L·ε = {Math.Sqrt(2) * exactBound * epsilon}");
        }

        // PGD in the L2 ball of radius ε (no box in the way) never changes a certified decision ...
        var pgd = new Pgd(new PgdOptions { Norm = AttackNorm.L2, Epsilon = epsilon, Steps = 60, Restarts = 3, Lower = -100, Upper = 100, Seed = 5 });
        AttackResult[] attacked = pgd.Run(net, data, certified);
        Assert.All(attacked, r => Assert.False(r.Success, $"PGD flipped certified example {r.Index} at L2 {r.L2}"));
        // ... while the same attack with a budget far beyond the certified radii does flip examples (it is not idle).
        var strong = new Pgd(new PgdOptions { Norm = AttackNorm.L2, Epsilon = 20 * radii[^1] + 1, Steps = 60, Restarts = 3, Lower = -100, Upper = 100, Seed = 5 });
        Assert.Contains(strong.Run(net, data, certified), r => r.Success);
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]
    [InlineData(nameof(TanhReluNet))]
    public void Every_example_certified_by_the_pair_bounds_has_the_gaps_and_resists_pgd_in_its_ball(string name)
    {
        var net = (IClassifier)Make(name, 7);
        Dataset data = Synthetic(net, 60, 3, 3);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 15, BatchSize = 10, LearningRate = 0.1f, Threads = 2, Lipschitz = new LipschitzOptions { GloRoEpsilon = 0.2f, MarginWarmupEpochs = 3 } });
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        double[] pairBounds = LipschitzCertificate.PairBounds(net, report);
        double[] radii = LipschitzCertificate.PairRadii(net, data, pairBounds);
        double[] margins = LipschitzCertificate.Margins(net, data);
        for (int s = 0; s < data.Count; s++)
        {
            // The pair bounds are at most √2·L, so they certify at least the global radius.
            Assert.True(radii[s] >= Math.Max(0, margins[s]) / (Math.Sqrt(2) * report.LogitBound) * (1 - 1e-9), $"example {s}: pair radius {radii[s]} below the global one");
        }

        // Independent references: logits from a double forward pass; K_yi from the explicit norms of the layers below.
        var reference = new ReferenceNetwork(net);
        double[] p = reference.Parameters();
        LayerInfo[] layers = Controlled(net).ToArray();
        LayerInfo last = layers[^1];
        double lower = new LipschitzControl(net, new LipschitzOptions(), 1).FixedFactor;
        foreach (LayerInfo l in layers[..^1])
        {
            lower *= l.Kind == LayerKind.Dense ? ReferenceNorm(l, p) : JacobiSvd.SingularValues(ConvolutionMatrix(l.Geometry!, p, l.WeightOffset), l.OutputLength, l.InputLength)[0];
        }

        double[] positive = radii.Where(r => r > 0).Order().ToArray();
        Assert.True(positive.Length >= 10, $"only {positive.Length} of {data.Count} examples are classified correctly");
        double epsilon = positive[positive.Length / 2];
        int[] certified = Enumerable.Range(0, data.Count).Where(i => radii[i] > epsilon).ToArray();
        Assert.NotEmpty(certified);
        Assert.Equal(certified.Length / (double)data.Count, LipschitzCertificate.CertifiedAccuracy(radii, epsilon), 12);
        int m = last.InputLength;
        foreach (int s in certified)
        {
            double[] z = reference.Forward(p, data.Sample(s).ToArray().Select(v => (double)v).ToArray())[^2];
            int y = data.Labels[s];
            for (int i = 0; i < z.Length; i++)
            {
                if (i == y) continue;
                double norm = Math.Sqrt(Enumerable.Range(0, m).Sum(t => Math.Pow(p[last.WeightOffset + y * m + t] - p[last.WeightOffset + i * m + t], 2)));
                Assert.True(z[y] - z[i] >= epsilon * lower * norm, $"example {s}, class {i}: gap {z[y] - z[i]} < ε·K = {epsilon * lower * norm}");
            }
        }

        var pgd = new Pgd(new PgdOptions { Norm = AttackNorm.L2, Epsilon = epsilon, Steps = 60, Restarts = 3, Lower = -100, Upper = 100, Seed = 5 });
        Assert.All(pgd.Run(net, data, certified), r => Assert.False(r.Success, $"PGD flipped certified example {r.Index} at L2 {r.L2}"));
    }

    [Fact]
    public void Options_are_validated_and_described()
    {
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { Tau = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { Beta = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { PowerIterations = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new SgdOptions { Lipschitz = new LipschitzOptions { MarginEpsilon = float.NaN } }.Validate());
        Assert.Throws<ArgumentException>(() => new LipschitzControl(new ConvZeroNet(1), new LipschitzOptions { Project = true, LayerTaus = [1f, 2f] }, 1));
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { MarginEpsilon = 1, GloRoEpsilon = 1 }.Validate());
        // GloRo needs logits from a dense layer below a soft-max: RegressionNet ends in a sigmoid, LinearOutputNet has no soft-max.
        Assert.Throws<ArgumentException>(() => new LipschitzControl(new RegressionNet(1), new LipschitzOptions { GloRoEpsilon = 1 }, 1));
        Assert.Throws<ArgumentException>(() => new LipschitzControl(new LinearOutputNet(1), new LipschitzOptions { GloRoEpsilon = 1 }, 1));
        Assert.Equal(3, new LipschitzControl(new SigmoidNet(1), new LipschitzOptions { GloRoEpsilon = 1 }, 1).Classes);
        var net = new TanhReluNet(1);
        Assert.Throws<ArgumentException>(() => new AdversarialTrainer(net, Synthetic(net, 4, 3, 1), new SgdOptions { Lipschitz = new LipschitzOptions { Project = true } }, new AdversarialTrainingOptions()));
        Assert.False(new LipschitzOptions().Active);
        // Options that change nothing leave the settings line (and so old checkpoints) as they were.
        Assert.Equal(new SgdOptions().Describe(), new SgdOptions { Lipschitz = new LipschitzOptions() }.Describe());
        Assert.Contains("project=True", new SgdOptions { Lipschitz = new LipschitzOptions { Project = true } }.Describe());
    }
}
