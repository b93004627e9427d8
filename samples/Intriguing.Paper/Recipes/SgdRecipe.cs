using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>Mini-batch SGD with momentum, a checkpoint after every epoch; an interrupted run resumes.</summary>
/// <param name="Sgd">The SGD settings.</param>
public sealed record SgdRecipe(SgdOptions Sgd) : TrainingRecipe(Sgd)
{
    /// <inheritdoc/>
    public override RecipeOutcome Train(RecipeRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        SgdOptions sgd = ForRun(Sgd, run);
        string settings = Trainer.Describe(run.Network, sgd);
        RunStore.SetAsideStale(run.Checkpoint, run.Network, settings, run.Log);
        TrainingResult r = Trainer.Fit(run.Network, run.Train, sgd with { CheckpointPath = run.Checkpoint }, run.Progress, run.CancellationToken);
        return new RecipeOutcome(settings, r.EpochLosses.Count == 0, r.SamplesPerSecond);
    }
}
