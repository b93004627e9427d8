using Intriguing.Certification;
using Intriguing.Data;

namespace Intriguing.Paper;

/// <summary>Certified radii of test examples (bound propagation) and the bracket certified ≤ true minimum ≤ attack.</summary>
public static class CertificationExperiments
{
    /// <summary>The seeded draw of test examples the certificates use (the same as the spectral analysis's).</summary>
    public static int[] TestDraw(Dataset test, int count, ulong seed) => SpectralExperiments.TestDraw(test, count, seed);

    /// <summary>Certifies the examples <paramref name="draw"/> of <paramref name="data"/> (in parallel, deterministic).</summary>
    public static CertifiedRadius[] Certify(ICertifiable network, Dataset data, int[] draw, CertifyOptions options, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(draw);
        var inputs = new float[draw.Length * data.SampleLength];
        var labels = new int[draw.Length];
        for (int i = 0; i < draw.Length; i++)
        {
            data.Sample(draw[i]).CopyTo(inputs.AsSpan(i * data.SampleLength));
            labels[i] = data.Labels[draw[i]];
        }

        return Certifier.Certify(network, inputs, labels, draw.Length, options, progress);
    }
}
