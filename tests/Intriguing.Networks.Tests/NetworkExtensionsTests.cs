using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Spectral;

namespace Intriguing.Networks.Tests;

/// <summary>Predict, Classify and Certify on any classifier.</summary>
public class NetworkExtensionsTests
{
    [Fact]
    public void Classify_a_data_set_in_batches_gives_each_sample_its_largest_output()
    {
        var net = new ConvZeroNet(2);
        var random = new Random(1);
        const int Count = 11;
        float[] x = Enumerable.Range(0, Count * net.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        var data = new Dataset("d", x, new int[Count], net.InputLength, 3);
        int[] classes = net.Classify(data, batch: 4);
        for (int s = 0; s < Count; s++)
        {
            float[] y = net.Predict(data.Sample(s));
            Assert.Equal(Array.IndexOf(y, y.Max()), classes[s]);
            Assert.Equal(classes[s], net.Classify(data.Sample(s)));
        }

        Assert.Throws<ArgumentException>(() => net.Classify(new Dataset("short", new float[4], [0], 4, 3)));
    }

    [Fact]
    public void Certified_radius_lies_below_the_attack_distortion()
    {
        var net = new TenClassLinear(4);
        var random = new Random(2);
        LipschitzReport report = net.LipschitzBounds();
        var attack = new LbfgsAttack(net);
        for (int trial = 0; trial < 5; trial++)
        {
            float[] x = Enumerable.Range(0, net.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
            CertifiedPrediction c = net.Certify(x, report);
            Assert.Equal(net.Classify(x), c.Label);
            Assert.True(c.RadiusL2 > 0);
            Assert.Equal(c.RadiusL2 / Math.Sqrt(net.InputLength), c.RadiusRms, 12);
            AttackResult r = attack.Untargeted(x, c.Label);
            Assert.True(r.Success);
            Assert.True(r.L2Distortion >= c.RadiusL2, $"the attack crossed the certified radius: {r.L2Distortion} < {c.RadiusL2}");
        }
    }
}
