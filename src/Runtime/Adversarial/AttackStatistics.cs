namespace Intriguing.Adversarial;

/// <summary>Summary of a batch of attack results: distortion over the successes, time and evaluations over all.</summary>
/// <param name="Attempted">Examples attacked.</param>
/// <param name="Succeeded">Verified successes.</param>
/// <param name="MeanDistortion">Mean RMS distortion of the successes (NaN if none).</param>
/// <param name="StdDevDistortion">Sample standard deviation of the distortion.</param>
/// <param name="Ci95">Half-width of the 95% confidence interval of the mean, 1.96·sd/√n (NaN below two successes).</param>
/// <param name="MedianMilliseconds">Median wall time per example.</param>
/// <param name="MeanEvaluations">Mean network evaluations per example.</param>
public sealed record AttackStatistics(int Attempted, int Succeeded, double MeanDistortion, double StdDevDistortion, double Ci95, double MedianMilliseconds, double MeanEvaluations)
{
    /// <summary>Summarises <paramref name="results"/>.</summary>
    public static AttackStatistics Of(IReadOnlyCollection<AttackResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        double[] d = results.Where(r => r.Success).Select(r => r.Distortion).ToArray();
        double mean = d.Length > 0 ? d.Average() : double.NaN;
        double sd = d.Length > 1 ? Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1)) : 0;
        double[] ms = results.Select(r => r.Seconds * 1000).Order().ToArray();
        return new AttackStatistics(
            results.Count,
            d.Length,
            mean,
            sd,
            d.Length > 1 ? 1.96 * sd / Math.Sqrt(d.Length) : double.NaN,
            ms.Length > 0 ? ms[ms.Length / 2] : double.NaN,
            results.Count > 0 ? results.Average(r => r.Evaluations) : 0);
    }
}
