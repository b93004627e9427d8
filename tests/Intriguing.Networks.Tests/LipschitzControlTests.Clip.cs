using Intriguing.Spectral;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>
/// The clipping projection of convolutions (Sedghi et al. 2019) against explicit operator matrices built column by
/// column with the reference convolution and their Jacobi SVD.
/// </summary>
public partial class LipschitzControlTests
{
    /// <summary>The circular convolution on the periodic map of <paramref name="g"/>'s bound (the layer itself when circular).</summary>
    private static LayerGeometry Torus(LayerGeometry g)
    {
        if (g.PaddingMode == PaddingMode.Circular) return g;
        var shape = new ConvolutionShape(g.InputChannels, g.OutputChannels, g.Kernel, g.Kernel, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding);
        return new LayerGeometry(g.InputChannels, shape.PeriodHeight, shape.PeriodWidth, g.OutputChannels,
            shape.PeriodHeight / g.Stride, shape.PeriodWidth / g.Stride, g.Kernel, g.Stride, 0, PaddingMode.Circular);
    }

    private static double[] Spectrum(LayerGeometry g, double[] p, int offset) =>
        JacobiSvd.SingularValues(ConvolutionMatrix(g, p, offset), g.OutputLength, g.InputLength);

    private static LayerGeometry Geometry(int c, int d, int k, int h, int stride, int padding, PaddingMode mode)
    {
        int outH = mode == PaddingMode.Circular ? h / stride : (h + 2 * padding - k) / stride + 1;
        return new LayerGeometry(c, h, h, d, outH, outH, k, stride, padding, mode);
    }

    private static float[] RandomKernels(LayerGeometry g, ulong seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, g.OutputChannels * g.InputChannels * g.Kernel * g.Kernel).Select(_ => (float)random.NextGaussian() * 0.3f).ToArray();
    }

    public static TheoryData<int, int, int, int, int, int, PaddingMode> FullSupport => new()
    {
        { 3, 4, 4, 4, 1, 1, PaddingMode.Circular }, // stride 1, kernel as large as the map
        { 2, 3, 4, 4, 2, 1, PaddingMode.Circular }, // stride 2: blocks D × (C·4) over 4 aliases
        { 1, 5, 3, 3, 1, 0, PaddingMode.Circular }, // one input channel
        { 2, 3, 3, 2, 1, 1, PaddingMode.Zero },     // zero padding, periodic map 3 × 3
        { 2, 2, 4, 2, 2, 2, PaddingMode.Zero },     // zero padding and stride 2, periodic map 4 × 4
    };

    [Theory]
    [MemberData(nameof(FullSupport))]
    public void Clipping_a_kernel_that_covers_its_periodic_map_clips_the_explicit_spectrum_at_tau_and_keeps_the_rest(int c, int d, int k, int h, int stride, int padding, PaddingMode mode)
    {
        // When k equals the periodic map's size every operator of the map has a k × k kernel, so nothing is truncated:
        // the new spectrum of the explicit operator is min(σ_i, τ) for each old σ_i.
        LayerGeometry g = Geometry(c, d, k, h, stride, padding, mode);
        LayerGeometry torus = Torus(g);
        Assert.Equal(k, torus.InputHeight);
        float[] w = RandomKernels(g, 3);
        double[] before = Spectrum(torus, w.Select(v => (double)v).ToArray(), 0);
        double tau = 0.5 * (before[0] + before[^1]);
        Assert.Contains(before, s => s < 0.95 * tau); // some singular values stay below τ
        var tracker = new Intriguing.Layers.Convolution.NormTracker(g, 1);
        Assert.True(tracker.Clip(w, tau));
        double[] after = Spectrum(torus, w.Select(v => (double)v).ToArray(), 0);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.True(Math.Abs(after[i] - Math.Min(before[i], tau)) <= 2e-6 * before[0], $"σ_{i}: {before[i]} clipped at {tau} gave {after[i]}");
        }
    }

    [Fact]
    public void Clipping_a_circular_layer_whose_outputs_repeat_positions_clips_at_tau_over_the_repetition_factor()
    {
        // 5 × 5 at stride 2 with 3 × 3 outputs: rows and columns 0 and 4 are read twice around the torus, so the bound is
        // √repetition·max‖K̂(ξ)‖ and the clip works at τ/√repetition. With a 5 × 5 kernel nothing is truncated.
        var g = new LayerGeometry(2, 5, 5, 3, 3, 3, 5, 2, 2, PaddingMode.Circular);
        float[] w = RandomKernels(g, 11);
        double[] p0 = w.Select(v => (double)v).ToArray();
        double certified = Intriguing.Layers.Convolution.LipschitzBound(w, g).Bound;
        double tau = 0.5 * certified;
        var tracker = new Intriguing.Layers.Convolution.NormTracker(g, 1);
        Assert.True(tracker.Clip(w, tau));
        Assert.True(Intriguing.Layers.Convolution.LipschitzBound(w, g).Bound <= tau * (1 + 1e-5), "certified bound above τ");
        double exact = Spectrum(g, w.Select(v => (double)v).ToArray(), 0)[0];
        Assert.True(exact <= tau * (1 + 1e-5), $"σ₁ of the layer {exact} > τ = {tau}");
        Assert.True(Spectrum(g, p0, 0)[0] > tau, "nothing to clip");
    }

    public static TheoryData<int, int, int, int, int, int, PaddingMode> Truncated => new()
    {
        { 3, 4, 3, 6, 1, 1, PaddingMode.Circular }, // stride 1 circular: the Fourier method is exact for the layer
        { 2, 3, 4, 6, 2, 1, PaddingMode.Circular },
        { 3, 2, 3, 5, 1, 1, PaddingMode.Zero },
        { 2, 4, 3, 7, 2, 1, PaddingMode.Zero },
    };

    [Theory]
    [MemberData(nameof(Truncated))]
    public void A_truncated_clip_moves_the_periodic_operator_no_further_than_the_clip_and_leaves_layers_within_tau_untouched(int c, int d, int k, int h, int stride, int padding, PaddingMode mode)
    {
        // T' = P(clip(T)) with P the orthogonal projection onto k × k kernels and T = P(T), so
        // ‖T' − T‖_F ≤ ‖clip(T) − T‖_F = √Σ(σ_i − τ)₊², far less than a rescale to τ moves it.
        LayerGeometry g = Geometry(c, d, k, h, stride, padding, mode);
        LayerGeometry torus = Torus(g);
        float[] w = RandomKernels(g, 7);
        double[] p0 = w.Select(v => (double)v).ToArray();
        double[] before = Spectrum(torus, p0, 0);
        double tau = 0.6 * before[0];
        var tracker = new Intriguing.Layers.Convolution.NormTracker(g, 1);
        Assert.True(tracker.Clip(w, tau));
        double[] p1 = w.Select(v => (double)v).ToArray();
        double[] t0 = ConvolutionMatrix(torus, p0, 0), t1 = ConvolutionMatrix(torus, p1, 0);
        double moved = Math.Sqrt(t0.Zip(t1, (a, b) => (a - b) * (a - b)).Sum());
        double clip = Math.Sqrt(before.Sum(s => Math.Pow(Math.Max(0, s - tau), 2)));
        double rescale = (1 - tau / before[0]) * Math.Sqrt(before.Sum(s => s * s));
        Assert.True(moved <= clip * (1 + 1e-5) + 1e-6, $"moved {moved} > √Σ(σ − τ)₊² = {clip}");
        Assert.True(moved < rescale, $"moved {moved}, a rescale {rescale}");
        // The operator norm after the truncation: within τ up to what the truncation adds back.
        double after = Spectrum(torus, p1, 0)[0];
        Assert.True(after < before[0], $"σ₁ {before[0]} → {after}");

        // A layer within τ: nothing to clip, the kernels stay as they were, bit for bit.
        float[] within = RandomKernels(g, 8);
        float[] copy = within.ToArray();
        double norm = Spectrum(torus, within.Select(v => (double)v).ToArray(), 0)[0];
        Assert.False(tracker.Clip(within, 1.001 * norm));
        Assert.Equal(copy, within);
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet))]      // zero padding, stride 1 padded and stride 2
    [InlineData(nameof(ConvCircularNet))]  // circular, stride 1 and stride 2
    [InlineData(nameof(WindowStrideNet))]  // a stride-2 convolution with padding 1
    public void After_clipping_every_convolution_measured_independently_is_within_tau(string name)
    {
        INetwork net = name == nameof(WindowStrideNet) ? new WindowStrideNet(6) : Make(name, 6);
        var reference = new ReferenceNetwork(net);
        LayerInfo[] convs = Controlled(net).Where(l => l.Kind == LayerKind.Conv).ToArray();
        float tau = (float)(0.5 * convs.Min(l => ReferenceNorm(l, reference.Parameters())));
        var control = new LipschitzControl(net, new LipschitzOptions { Project = true, Tau = tau, ConvolutionProjection = ConvolutionProjection.Clip }, 2);
        float[] dense = net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense).SelectMany(l => net.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength).ToArray()).ToArray();
        control.ClipConvolutions(net.Parameters);
        double[] p = reference.Parameters();
        LipschitzReport report = LipschitzAnalysis.Analyze(net);
        foreach (LayerInfo l in convs)
        {
            double exact = Spectrum(l.Geometry!, p, l.WeightOffset)[0];
            Assert.True(exact <= tau * (1 + 1e-6), $"{l.Name}: σ₁ of the layer {exact} > τ = {tau}");
            Assert.True(report.Layers[l.Index - 1].Bound <= tau, $"{l.Name}: certified {report.Layers[l.Index - 1].Bound} > τ = {tau}");
            Assert.True(ReferenceNorm(l, p) <= tau * (1 + 1e-6), $"{l.Name}: periodic σ₁ {ReferenceNorm(l, p)} > τ = {tau}");
        }

        // Dense layers are not the clip's business.
        Assert.Equal(dense, net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense).SelectMany(l => net.Parameters.Slice(l.WeightOffset, l.OutputLength * l.InputLength).ToArray()).ToArray());
    }

    /// <summary>Checks, synchronously on the training thread, every report's parameters (the last step of each epoch, before the epoch's certified rescale).</summary>
    private sealed class StepCheck(Action<TrainingProgress> check) : IProgress<TrainingProgress>
    {
        public int Reports { get; private set; }

        public void Report(TrainingProgress value)
        {
            Reports++;
            check(value);
        }
    }

    [Theory]
    [InlineData(nameof(ConvZeroNet), 0.4f)]
    [InlineData(nameof(ConvCircularNet), 0.5f)]
    public void Training_with_clipped_convolutions_keeps_every_certified_convolution_norm_within_tau(string name, float tau)
    {
        INetwork net = Make(name, 2);
        var reference = new ReferenceNetwork(net);
        LayerInfo[] convs = Controlled(net).Where(l => l.Kind == LayerKind.Conv).ToArray();
        Assert.Contains(convs, l => ReferenceNorm(l, reference.Parameters()) > tau); // the projection has work to do
        var data = Synthetic(net, 40, 3, 1);
        var lipschitz = new LipschitzOptions { Project = true, Tau = tau, ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 1 };
        void Check()
        {
            // After a clip step: the certified bound and the explicit operator of every convolution, without the epoch's rescale.
            LipschitzReport report = LipschitzAnalysis.Analyze(net);
            double[] p = reference.Parameters();
            foreach (LayerInfo l in convs)
            {
                Assert.True(report.Layers[l.Index - 1].Bound <= tau, $"{l.Name}: certified {report.Layers[l.Index - 1].Bound} > τ = {tau}");
                Assert.True(Spectrum(l.Geometry!, p, l.WeightOffset)[0] <= tau * (1 + 1e-6), $"{l.Name}: σ₁ > τ = {tau}");
            }
        }

        var check = new StepCheck(_ => Check());
        Trainer.Fit((IClassifier)net, data, new SgdOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.2f, Threads = 2, Lipschitz = lipschitz }, check);
        Assert.Equal(3, check.Reports);
        Check();

        // The clip is not the rescale: the same run with rescaled convolutions ends elsewhere.
        INetwork rescaled = Make(name, 2);
        Trainer.Fit((IClassifier)rescaled, data, new SgdOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.2f, Threads = 2, Lipschitz = lipschitz with { ConvolutionProjection = ConvolutionProjection.Rescale } });
        Assert.NotEqual(rescaled.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Between_clips_the_projection_rescales_the_convolutions_or_leaves_them_alone_as_the_options_say(bool rescaleBetween)
    {
        var net = new ConvZeroNet(5);
        var reference = new ReferenceNetwork(net);
        LayerInfo[] layers = Controlled(net).ToArray();
        float tau = (float)(0.5 * layers.Min(l => ReferenceNorm(l, reference.Parameters())));
        var options = new LipschitzOptions { Project = true, Tau = tau, ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 2, RescaleBetweenClips = rescaleBetween, PowerIterations = 400 };
        var control = new LipschitzControl(net, options, 3);
        double[] before = layers.Select(l => ReferenceNorm(l, reference.Parameters())).ToArray();
        control.Project(net.Parameters, options.ClipsAfter(0)); // step 0 of period 2: no clip
        double[] p = reference.Parameters();
        for (int k = 0; k < layers.Length; k++)
        {
            double after = ReferenceNorm(layers[k], p);
            if (layers[k].Kind == LayerKind.Conv && !rescaleBetween) Assert.Equal(before[k], after, 1e-12 * before[k]);
            else Assert.True(Math.Abs(after - tau) <= 1e-4 * tau, $"{layers[k].Name}: {after} not rescaled to τ = {tau}");
        }

        control.Project(net.Parameters, options.ClipsAfter(1)); // step 1: the clip
        p = reference.Parameters();
        foreach (LayerInfo l in layers.Where(l => l.Kind == LayerKind.Conv)) Assert.True(ReferenceNorm(l, p) <= tau * (1 + 1e-6), $"{l.Name}: {ReferenceNorm(l, p)} > τ = {tau}");
    }

    [Fact]
    public void Training_with_clipped_convolutions_gives_the_same_parameters_for_any_thread_count()
    {
        var lipschitz = new LipschitzOptions { Penalty = NormPenalty.Hinge, Beta = 0.1f, Tau = 0.5f, Project = true, ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 2 };
        float[] Train(int threads, int chunks)
        {
            var net = new ConvZeroNet(3);
            Trainer.Fit(net, Synthetic(net, 30, 3, 2), new SgdOptions { Epochs = 2, BatchSize = 10, LearningRate = 0.1f, Threads = threads, Chunks = chunks, Lipschitz = lipschitz });
            return net.Parameters.ToArray();
        }

        float[] one = Train(1, 2);
        Assert.Equal(one, Train(2, 2));
        Assert.Equal(one, Train(3, 2));
    }

    [Fact]
    public void Clip_options_are_validated_and_described()
    {
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { ConvolutionProjection = ConvolutionProjection.Clip }.Validate());
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { Project = true, ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new LipschitzOptions { Project = true, ConvolutionProjection = (ConvolutionProjection)7 }.Validate());
        // The default leaves the settings line (and so the checkpoints of earlier runs) as it was.
        var project = new LipschitzOptions { Project = true };
        Assert.Equal(project.Describe(), (project with { ClipPeriod = 3 }).Describe());
        Assert.DoesNotContain("conv=", project.Describe());
        Assert.EndsWith(" conv=clip/3", (project with { ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 3 }).Describe());
        Assert.Equal(project.Describe(), (project with { RescaleBetweenClips = false }).Describe());
        Assert.EndsWith(" conv=clip/3/only", (project with { ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 3, RescaleBetweenClips = false }).Describe());
        var clip = project with { ConvolutionProjection = ConvolutionProjection.Clip, ClipPeriod = 4 };
        Assert.Equal(new long[] { 3, 7 }, Enumerable.Range(0, 10).Select(i => (long)i).Where(clip.ClipsAfter));
        Assert.DoesNotContain(Enumerable.Range(0, 10), i => project.ClipsAfter(i));
    }
}
