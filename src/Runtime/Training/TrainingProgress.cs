namespace Intriguing.Training;

/// <summary>Progress of a training run, reported after every epoch (and periodically within one).</summary>
/// <param name="Epoch">Current epoch, 1-based.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="MeanLoss">Mean training objective over the epoch so far.</param>
/// <param name="Elapsed">Time since the run (or its resumption) started.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double MeanLoss, TimeSpan Elapsed);
