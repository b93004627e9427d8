using Intriguing.Data;
using Intriguing.Generated;
using Intriguing.Paper;
using Intriguing.Spectral;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>The reproduction's section "Controlling instability" on a tiny configuration: what each run measures, and its reuse.</summary>
public sealed class ControlExperimentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-control-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dataset Synthetic(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count * 784];
        int[] y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = random.NextInt(10);
            for (int j = 0; j < 784; j++) x[i * 784 + j] = random.NextSingle() * 0.3f + (j % 10 == y[i] ? 0.7f : 0f);
        }

        return new Dataset("synthetic", x, y, 784, 10);
    }

    [Fact]
    public void Each_run_is_measured_independently_checked_and_reused_and_a_new_draw_remeasures_without_training()
    {
        var data = new MnistData(Synthetic(640, 1), Synthetic(30, 2));
        var ladder = new ControlLadder("FC100-100-10", 5, 1,
        [
            new ControlVariant("none", "uncontrolled", null),
            new ControlVariant("project-tau2", "project, τ 2", new LipschitzOptions { Project = true, Tau = 2 }),
            new ControlVariant("margin-tau2", "margin + project, τ 2, ε 0.3", new LipschitzOptions { Project = true, Tau = 2, MarginEpsilon = 0.3f, MarginWarmupEpochs = 1 }),
        ]);
        var options = new ControlOptions { OutputDirectory = _dir, Data = data, Seeds = [1, 2], Examples = 4, Ladders = [ladder], Threads = 2 };
        ControlSection section = ControlExperiment.Run(options, new StringWriter());
        Assert.Equal(6, section.Runs.Count);
        Assert.False(section.Runs.Any(ControlExperiment.Collapsed), string.Join(", ", section.Runs.Select(r => $"{r.Variant} {r.Seed} {r.TestError}"))); // every run is in the means and the figures
        Assert.Equal(3, section.Summaries.Count);
        Assert.All(section.Figures, f => Assert.True(new FileInfo(Path.Combine(_dir, f)).Length > 1000, f));
        Assert.Equal(2, section.Figures.Count);

        foreach (ControlRun run in section.Runs)
        {
            Assert.False(run.FromCheckpoint);
            var net = new Fc100x100x10();
            Checkpoint.Load(Path.Combine(_dir, "control", $"fc100-100-10-{run.Variant}-seed{run.Seed}.ckpt"), net);
            var reference = new ReferenceNetwork(net);
            double[] p = reference.Parameters();

            // Layer bounds: each at least the layer's largest singular value (Jacobi SVD of the explicit matrix) and
            // within rounding of it; the projection keeps them at most τ; L is their product times the sigmoids' 1/4 each.
            LayerInfo[] dense = net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense).ToArray();
            double exactProduct = 1;
            for (int k = 0; k < dense.Length; k++)
            {
                double exact = JacobiSvd.SingularValues(p.AsSpan(dense[k].WeightOffset, dense[k].OutputLength * dense[k].InputLength), dense[k].OutputLength, dense[k].InputLength)[0];
                Assert.InRange(run.LayerBounds[k], exact * (1 - 1e-9), exact * (1 + 1e-4));
                if (run.Variant != "none") Assert.True(exact <= 2 * (1 + 1e-5), $"{run.Variant} layer {k}: {exact}");
                exactProduct *= exact;
            }

            Assert.Equal(exactProduct / 16, run.BoundProduct, 1e-4 * run.BoundProduct);

            // The whole-test-set figures from a double forward pass: error, global certificates margin > √2·L·ε.
            int wrong = 0;
            var certified = new int[ControlExperiment.Radii.Length];
            var margins = new double[data.Test.Count];
            for (int i = 0; i < data.Test.Count; i++)
            {
                double[] z = reference.Forward(p, data.Test.Sample(i).ToArray().Select(v => (double)v).ToArray())[net.LayerCount - 1];
                int y = data.Test.Labels[i];
                margins[i] = z[y] - z.Where((_, j) => j != y).Max();
                if (margins[i] <= 0) wrong++;
                for (int e = 0; e < certified.Length; e++) if (margins[i] > Math.Sqrt(2) * exactProduct / 16 * ControlExperiment.Radii[e]) certified[e]++;
            }

            Assert.Equal(wrong / (double)data.Test.Count, run.TestError, 1e-12);
            for (int e = 0; e < certified.Length; e++) Assert.Equal(certified[e] / (double)data.Test.Count, run.GlobalCertified[e], 1e-12);

            // The drawn examples: CROWN never certifies beyond the attack, nor a misclassified example, and its
            // certified accuracy falls with the radius; the global radius uses the same draw.
            int[] draw = SpectralExperiments.TestDraw(data.Test, 4, 1);
            Assert.Equal(4, run.Examples);
            Assert.Equal(draw.Count(i => margins[i] > 0), run.Correct);
            Assert.Equal(0, run.Violations);
            for (int e = 0; e < certified.Length; e++)
            {
                Assert.InRange(run.CrownCertified[e], 0, run.Correct / 4.0);
                if (e > 0) Assert.True(run.CrownCertified[e] <= run.CrownCertified[e - 1]);
                Assert.InRange(run.BestCertified[e], run.CrownCertified[e], run.Correct / 4.0);
            }

            if (run.Correct > 0)
            {
                double global = draw.Where(i => margins[i] > 0).Average(i => margins[i] / (Math.Sqrt(2) * exactProduct / 16));
                Assert.Equal(global, run.MeanGlobalRadius, 1e-4 * global);
                if (run.AttackSucceeded == run.Correct) Assert.True(run.MeanBestRadius <= run.MeanAttackL2, $"{run.MeanBestRadius} > {run.MeanAttackL2}");
                Assert.True(run.MeanBestRadius >= Math.Max(run.MeanCrownRadius, Math.Max(run.MeanPairRadius, run.MeanGlobalRadius)) * (1 - 1e-12));
            }
        }

        ControlSummary margin = section.Summaries.Single(s => s.Variant == "margin-tau2");
        Assert.Equal(2, margin.Seeds);
        Assert.Equal(section.Runs.Where(r => r.Variant == "margin-tau2").Average(r => r.TestError), margin.TestError, 1e-12);

        // A second invocation reuses every run with the same figures.
        ControlSection again = ControlExperiment.Run(options, new StringWriter());
        for (int i = 0; i < section.Runs.Count; i++)
        {
            Assert.True(again.Runs[i].FromCheckpoint);
            Assert.Equal(section.Runs[i] with { FromCheckpoint = true, EvaluationSeconds = 0 }, again.Runs[i] with { EvaluationSeconds = 0 }, new RunComparer());
        }

        // Another draw re-measures the trained networks without training them again.
        var log = new StringWriter();
        ControlSection redrawn = ControlExperiment.Run(options with { Examples = 5 }, log);
        Assert.DoesNotContain("moved to", log.ToString());
        for (int i = 0; i < section.Runs.Count; i++)
        {
            Assert.False(redrawn.Runs[i].FromCheckpoint);
            Assert.Equal(5, redrawn.Runs[i].Examples);
            Assert.Equal(section.Runs[i].TrainSeconds, redrawn.Runs[i].TrainSeconds);
            Assert.Equal(section.Runs[i].BoundProduct, redrawn.Runs[i].BoundProduct);
            Assert.Equal(section.Runs[i].TestError, redrawn.Runs[i].TestError);
        }
    }

    /// <summary>Compares runs by their serialised figures (records with arrays do not compare by content).</summary>
    private sealed class RunComparer : IEqualityComparer<ControlRun>
    {
        private static readonly System.Text.Json.JsonSerializerOptions s_json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

        public bool Equals(ControlRun? x, ControlRun? y) => System.Text.Json.JsonSerializer.Serialize(x, s_json) == System.Text.Json.JsonSerializer.Serialize(y, s_json);

        public int GetHashCode(ControlRun obj) => 0;
    }
}
