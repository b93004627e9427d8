namespace Intriguing.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="EpochLosses">Mean objective (loss + weight decay) of each epoch trained in this run.</param>
/// <param name="StartEpoch">The epoch the run started from (non-zero when resumed from a checkpoint).</param>
/// <param name="Elapsed">Wall time of this run.</param>
/// <param name="SamplesPerSecond">Training throughput of this run.</param>
public sealed record TrainingResult(IReadOnlyList<double> EpochLosses, int StartEpoch, TimeSpan Elapsed, double SamplesPerSecond);
