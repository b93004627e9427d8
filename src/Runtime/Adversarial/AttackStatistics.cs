namespace Intriguing.Adversarial;

/// <summary>
/// Summary of a batch of attack results: distortion over the successes, time and evaluations over the examples
/// attacked; examples the network already misclassified are counted apart (<see cref="Misclassified"/>) and left out.
/// </summary>
/// <param name="Attempted">Examples attacked (misclassified ones excluded).</param>
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
        AttackResult[] attacked = results.Where(r => !r.Misclassified).ToArray();
        AttackResult[] ok = attacked.Where(r => r.Success).ToArray();
        double[] d = ok.Select(r => r.Distortion).ToArray();
        double mean = d.Length > 0 ? d.Average() : double.NaN;
        double sd = d.Length > 1 ? Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1)) : 0;
        double[] ms = attacked.Select(r => r.Seconds * 1000).Order().ToArray();
        return new AttackStatistics(
            attacked.Length,
            d.Length,
            mean,
            sd,
            d.Length > 1 ? 1.96 * sd / Math.Sqrt(d.Length) : double.NaN,
            ms.Length > 0 ? ms[ms.Length / 2] : double.NaN,
            attacked.Length > 0 ? attacked.Average(r => r.Evaluations) : 0)
        {
            Misclassified = results.Count - attacked.Length,
            MeanL2Distortion = ok.Length > 0 ? ok.Average(r => r.L2Distortion) : double.NaN,
        };
    }

    /// <summary>Examples the network already misclassified: not attacked, and in no other figure.</summary>
    public int Misclassified { get; init; }

    /// <summary>Mean L2 distortion ‖x′ − x‖₂ of the successes (<see cref="MeanDistortion"/> is the RMS); NaN if none.</summary>
    public double MeanL2Distortion { get; init; } = double.NaN;
}
