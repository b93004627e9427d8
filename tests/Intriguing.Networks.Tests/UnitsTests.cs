using Intriguing.Analysis;
using Intriguing.Data;

namespace Intriguing.Networks.Tests;

/// <summary>The unit analysis against a direct computation.</summary>
public class UnitsTests
{
    [Fact]
    public void Top_images_and_purity_match_a_direct_computation()
    {
        // TinyHidden's activation 2 is σ(W₁x + b₁) with 2 units; compute it here independently in double.
        var net = new TinyHidden(5);
        var random = new SeededRandom(9);
        int n = 40;
        float[] xs = Enumerable.Range(0, n * 3).Select(_ => random.NextSingle()).ToArray();
        int[] labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var data = new Dataset("d", xs, labels, 3, 10);
        float[] w = net.Dense1Weights.ToArray(), b = net.Dense1Bias.ToArray();
        double Act(int s, int unit) => 1 / (1 + Math.Exp(-(b[unit] + Enumerable.Range(0, 3).Sum(i => (double)w[unit * 3 + i] * xs[s * 3 + i]))));

        float[] acts = Units.Activations(net, data, 2);
        for (int s = 0; s < n; s++)
        {
            for (int u = 0; u < 2; u++) Assert.Equal(Act(s, u), acts[s * 2 + u], 5);
        }

        float[] v = { 0.6f, -0.8f };
        UnitRow row = Units.Top(acts, 2, v, 5, data, "d");
        int[] expected = Enumerable.Range(0, n).OrderByDescending(s => 0.6 * Act(s, 0) - 0.8 * Act(s, 1)).Take(5).ToArray();
        Assert.Equal(expected, row.Indices);
        int majority = expected.Select(s => labels[s]).GroupBy(l => l).Max(g => g.Count());
        Assert.Equal(majority / 5.0, row.Purity);

        UnitsResult result = Units.Analyze(net, data, 2, rows: 2, count: 4, seeds: 3, seed: 1);
        Assert.Equal(2, result.NaturalRows.Count);
        Assert.Equal(3, result.Seeds.Count);
        Assert.Equal(new[] { "unit 0", "unit 1" }, result.NaturalRows.Select(r => r.Direction).Order());
        Assert.Equal(result, Units.Analyze(net, data, 2, rows: 2, count: 4, seeds: 3, seed: 1), new ResultComparer());
    }

    private sealed class ResultComparer : IEqualityComparer<UnitsResult>
    {
        public bool Equals(UnitsResult? a, UnitsResult? b) =>
            a!.Seeds.SequenceEqual(b!.Seeds) && a.RandomRows.Zip(b.RandomRows).All(p => p.First.Indices.SequenceEqual(p.Second.Indices));

        public int GetHashCode(UnitsResult obj) => 0;
    }
}
