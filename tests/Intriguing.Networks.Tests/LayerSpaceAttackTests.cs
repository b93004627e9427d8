using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Networks.Tests;

/// <summary>The attack in a layer's space against the plain per-example loop it replaces.</summary>
public class LayerSpaceAttackTests
{
    /// <summary>Random inputs in [0, 1] with the labels a <see cref="SigmoidNet"/> of another seed gives them.</summary>
    private static Dataset Synthetic(int count, int length, int classes, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] samples = new float[count * length];
        for (int i = 0; i < samples.Length; i++) samples[i] = random.NextSingle();
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = random.NextInt(classes);
        return new Dataset("synthetic", samples, labels, length, classes);
    }

    /// <summary>The reference: one forward pass per example into its own row.</summary>
    private static float[] ProjectOneByOne(INetwork net, Dataset source, int[] indices, int layer)
    {
        int length = net.ActivationLength(layer);
        float[] activations = new float[indices.Length * length];
        NetworkWorkspace ws = net.CreateWorkspace();
        for (int i = 0; i < indices.Length; i++) net.ForwardTo(ws, layer, source.Sample(indices[i]), activations.AsSpan(i * length, length));
        return activations;
    }

    /// <summary>The reference of a batched projection: whole chunks of <paramref name="batch"/> examples per forward pass.</summary>
    private static float[] ProjectInChunks(INetwork net, Dataset source, int[] indices, int layer, int batch)
    {
        int length = net.ActivationLength(layer);
        float[] activations = new float[indices.Length * length];
        NetworkWorkspace ws = net.CreateWorkspace(batch);
        for (int start = 0; start < indices.Length; start += batch)
        {
            int n = Math.Min(batch, indices.Length - start);
            float[] inputs = indices.Skip(start).Take(n).SelectMany(i => source.Sample(i).ToArray()).ToArray();
            net.ForwardTo(ws, layer, inputs, activations.AsSpan(start * length, n * length), n);
        }

        return activations;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(2, 7)]
    [InlineData(4, 300)]   // more than one batch of the projection
    [InlineData(3, 257)]
    public void Projection_equals_the_forward_pass_per_example_and_per_batch(int layer, int count)
    {
        INetwork net = new SigmoidNet(3);
        Dataset source = Synthetic(400, 37, 3, 5);
        int[] indices = Enumerable.Range(0, count).Select(i => (i * 37 + 11) % source.Count).ToArray();
        Dataset space = LayerSpaceAttack.Project(net, source, indices, layer);
        Assert.Equal(net.ActivationLength(layer), space.SampleLength);
        Assert.Equal(ProjectInChunks(net, source, indices, layer, LayerSpaceAttack.DefaultBatch), space.Samples);
        Assert.Equal(ProjectOneByOne(net, source, indices, layer), LayerSpaceAttack.Project(net, source, indices, layer, batch: 1).Samples);
        Assert.Equal(indices.Select(i => source.Labels[i]), space.Labels);
        Assert.Equal(source.Classes, space.Classes);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Batched_projection_of_a_paper_network_agrees_with_one_example_at_a_time_to_rounding(int layer)
    {
        INetwork net = new Fc100x100x10(7);
        Dataset source = Synthetic(300, 784, 10, 3);
        int[] indices = Enumerable.Range(0, 300).ToArray();
        float[] one = LayerSpaceAttack.Project(net, source, indices, layer, batch: 1).Samples;
        float[] batched = LayerSpaceAttack.Project(net, source, indices, layer).Samples;
        Assert.Equal(ProjectOneByOne(net, source, indices, layer), one);
        Assert.Equal(ProjectInChunks(net, source, indices, layer, LayerSpaceAttack.DefaultBatch), batched);
        for (int i = 0; i < one.Length; i++) Assert.True(Math.Abs(one[i] - batched[i]) <= 1e-6f * Math.Max(1, Math.Abs(one[i])), $"activation {i}: {one[i]} vs {batched[i]}");
    }

    [Theory]
    [InlineData(0, TargetPolicy.Every)]
    [InlineData(2, TargetPolicy.RunnerUp)]
    [InlineData(2, TargetPolicy.Random)]
    public void Run_matches_project_keep_correct_attack_done_by_hand(int layer, TargetPolicy policy)
    {
        IClassifier net = new SigmoidNet(2);
        Dataset source = Synthetic(60, 37, 3, 9);
        int[] indices = Enumerable.Range(0, 24).Select(i => (i * 7 + 3) % source.Count).ToArray();
        var options = new AttackOptions { Layer = layer, MaxIterations = 30, BracketSteps = 3, BisectionSteps = 2 };

        // The reference: the loop each caller wrote before.
        int length = net.ActivationLength(layer);
        var space = new Dataset("reference", ProjectOneByOne(net, source, indices, layer), indices.Select(i => source.Labels[i]).ToArray(), length, source.Classes);
        var probe = new LbfgsAttack(net, options);
        int[] correct = Enumerable.Range(0, indices.Length).Where(i => probe.Predict(space.Sample(i)) == space.Labels[i]).ToArray();
        AttackResult[] expected = AttackRunner.Run(net, space, correct, policy, options, seed: 4, threads: 2);

        LayerSpaceAttackResult actual = LayerSpaceAttack.Run(net, source, indices, policy, options, seed: 4, threads: 2, batch: 1);
        Assert.NotEmpty(correct);
        Assert.True(correct.Length < indices.Length, "some drawn examples must be misclassified to test the filter");
        Assert.Equal(correct, actual.Correct);
        Assert.Equal(space.Samples, actual.Space.Samples);
        Assert.Equal(expected.Length, actual.Results.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal((expected[i].Index, expected[i].Label, expected[i].Target, expected[i].Success, expected[i].Predicted), (actual.Results[i].Index, actual.Results[i].Label, actual.Results[i].Target, actual.Results[i].Success, actual.Results[i].Predicted));
            Assert.Equal(expected[i].Distortion, actual.Results[i].Distortion);
            Assert.Equal(expected[i].Adversarial, actual.Results[i].Adversarial);
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        IClassifier net = new SigmoidNet(1);
        Dataset source = Synthetic(5, 37, 3, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerSpaceAttack.Project(net, source, new[] { 0 }, net.LayerCount + 1));
        Assert.Throws<ArgumentException>(() => LayerSpaceAttack.Project(net, source, new[] { 5 }, 0));
        Assert.Throws<ArgumentException>(() => LayerSpaceAttack.Project(net, Synthetic(5, 36, 3, 1), new[] { 0 }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerSpaceAttack.Project(net, source, new[] { 0 }, 0, batch: 0));
    }
}
