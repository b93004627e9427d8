using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>The preimage experiment end to end on a small network and synthetic data.</summary>
public class PreimageExperimentTests
{
    private static Dataset Synthetic(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count * 37];
        int[] y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = random.NextInt(3);
            for (int j = 0; j < 37; j++) x[i * 37 + j] = random.NextSingle() * 0.6f + (j % 3 == y[i] ? 0.4f : 0f);
        }

        return new Dataset("synthetic", x, y, 37, 3);
    }

    [Fact]
    public void Input_pool_examples_are_their_own_preimages_and_every_pool_gets_a_row_per_lambda()
    {
        var net = new SigmoidNet(5);
        Dataset data = Synthetic(200, 3);
        Trainer.Fit(net, data, new SgdOptions { Epochs = 3, BatchSize = 20, LearningRate = 0.5f, Seed = 1, Threads = 1 });
        var pools = new AdversarialTrainingOptions { PoolDistortion = 0.05, SourceCandidates = 2, AttackThreads = 1 };

        PreimageResults r = PreimageExperiment.Run(net, "SigmoidNet", data, 20, [0, 2], pools, new PreimageOptions { MaxIterations = 200 }, [0, 0.01], seed: 4, threads: 2);

        Assert.Equal([(0, 0.0), (2, 0.0), (2, 0.01)], r.Layers.Select(l => (l.Layer, l.Lambda)));
        PreimageLayer input = r.Layers[0];
        Assert.NotEmpty(input.Examples);
        foreach (PreimageExample e in input.Examples)
        {
            Assert.True(e.RelativeResidual < 1e-4, $"relative residual {e.RelativeResidual}");
            Assert.Equal(e.HiddenDistortion, e.InputDistortion, 1e-5);
            Assert.Equal(e.HiddenWrong, e.InputWrong);
        }

        // Both values of λ map the same pool examples back.
        Assert.Equal(r.Layers[1].Examples.Select(e => (e.Source, e.HiddenDistortion)), r.Layers[2].Examples.Select(e => (e.Source, e.HiddenDistortion)));
        Assert.All(r.Layers[1].Examples, e => Assert.InRange(e.RelativeResidual, 0, 1));
        string markdown = PreimageExperiment.Markdown(r);
        Assert.Equal(3, markdown.Split('\n').Count(line => line.StartsWith("| 0 (input pool)", StringComparison.Ordinal) || line.StartsWith("| 2 |", StringComparison.Ordinal)));
    }
}
