namespace Intriguing.Spectral;

/// <summary>Settings for <see cref="ConvolutionNorm"/>.</summary>
public sealed record ConvolutionNormOptions
{
    /// <summary>The default settings.</summary>
    public static ConvolutionNormOptions Default { get; } = new();

    /// <summary>
    /// The target for <c>(UpperBound − Estimate) / Estimate</c>: every frequency is certified at the level
    /// <c>Estimate·(1 + RelativeTolerance)</c> (plus rounding allowances). Must lie in [1e-12, 1). Default 1e-6.
    /// </summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Threads to use; −1 (the default) means <see cref="Environment.ProcessorCount"/>. The result does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// Hermitian Lanczos steps per frequency on its Gram matrix in the screening pass that ranks the frequencies (at
    /// least 1). Default 8: enough to rank frequencies whose norms differ by a fraction of a percent (on the AlexNet
    /// shapes with random weights at most 4 of up to 1,653 frequencies then fail the certification at the common
    /// level and need a Lanczos run of their own), where four power steps, even warm-started from the neighbouring
    /// frequency, ranked poorly and let up to a quarter fail.
    /// </summary>
    public int ScreeningSteps { get; init; } = 8;

    /// <summary>How many frequencies with the largest screening estimates are refined by Lanczos (at least 1). Default 4.</summary>
    public int Candidates { get; init; } = 4;

    /// <summary>The seed of the random start vectors. The same seed, weights and shape give the same bits.</summary>
    public ulong Seed { get; init; } = 0x5EED_2013_0C0DUL;

    /// <summary>For tests: 0 chooses the Gram method by cost, 1 forces one Gram matrix per frequency, 2 forces the autocorrelation (stride 1 only).</summary>
    internal int GramMethod { get; init; }

    internal int Threads => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;

    internal void Validate()
    {
        if (!(RelativeTolerance >= 1e-12 && RelativeTolerance < 1))
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "RelativeTolerance must lie in [1e-12, 1).");
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be −1 or at least 1.");
        if (ScreeningSteps < 1) throw new ArgumentOutOfRangeException(nameof(ScreeningSteps), ScreeningSteps, "ScreeningSteps must be at least 1.");
        if (Candidates < 1) throw new ArgumentOutOfRangeException(nameof(Candidates), Candidates, "Candidates must be at least 1.");
    }
}
