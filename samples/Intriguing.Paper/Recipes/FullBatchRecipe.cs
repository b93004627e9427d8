using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>
/// Full-batch L-BFGS on the regularised objective (for the convex FC10(λ) models it finds the optimum that λ defines);
/// one checkpoint at the end, reused under the same settings.
/// </summary>
/// <param name="FullBatch">The L-BFGS settings.</param>
/// <param name="Sgd">The SGD settings used when the model is trained by SGD instead (<c>intriguing train --optimizer sgd</c>).</param>
public sealed record FullBatchRecipe(FullBatchOptions FullBatch, SgdOptions Sgd) : TrainingRecipe(Sgd)
{
    /// <inheritdoc/>
    public override RecipeOutcome Train(RecipeRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        // Quick: a fifth of the iterations, at least ten.
        FullBatchOptions fb = FullBatch with { Threads = run.Threads, MaxIterations = run.Quick ? Math.Max(10, FullBatch.MaxIterations / 5) : FullBatch.MaxIterations };
        string settings = fb.Describe() + $", seed={run.Seed}";
        bool reused = RunStore.IsReusable(run.Checkpoint, run.Network, settings);
        if (!reused)
        {
            // A checkpoint that is unreadable or of other settings is named and set aside, as for every recipe.
            RunStore.SetAsideStale(run.Checkpoint, run.Network, settings, run.Log);
            run.Network.Initialize(run.Seed);
            var solved = FullBatchTraining.Fit(run.Network, run.Train, fb, run.Progress, run.CancellationToken);
            run.Log.WriteLine($"{run.Name}: full-batch L-BFGS stopped after {solved.Iterations} iterations ({solved.StopReason}), objective {solved.Value:F6}");
            Checkpoint.Save(run.Checkpoint, run.Network, new CheckpointState(1, run.Seed, Array.Empty<float>(), settings));
        }

        return new RecipeOutcome(settings, reused, 0);
    }
}
