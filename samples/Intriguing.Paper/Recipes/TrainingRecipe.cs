using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>One model's training in a run: the network, its data, and where its checkpoints go.</summary>
/// <param name="Name">The model's catalog name (its checkpoint is <c>CHECKPOINTS/&lt;file name&gt;.ckpt</c>).</param>
/// <param name="Network">The network, initialised from <paramref name="Seed"/>; trained (or loaded) in place.</param>
/// <param name="Train">The training data.</param>
/// <param name="Seed">Seed of initialisation and shuffling.</param>
/// <param name="Threads">Threads for training.</param>
/// <param name="Quick">Reduced run: each recipe shortens itself (a fifth of the epochs or iterations).</param>
/// <param name="Checkpoints">The checkpoint folder.</param>
/// <param name="Log">One line per stage.</param>
/// <param name="Progress">Training progress, if wanted.</param>
/// <param name="CancellationToken">Stops training at the end of a step; the last checkpoint remains.</param>
public sealed record RecipeRun(string Name, IClassifier Network, Dataset Train, ulong Seed, int Threads, bool Quick, string Checkpoints, TextWriter Log, IProgress<TrainingProgress>? Progress, CancellationToken CancellationToken)
{
    /// <summary>The model's own checkpoint.</summary>
    public string Checkpoint => Path.Combine(Checkpoints, Catalog.FileName(Name) + ".ckpt");
}

/// <summary>What a recipe did.</summary>
/// <param name="Settings">The settings line (also stored in the checkpoints, which are reused only under the same line).</param>
/// <param name="Reused">Whether the parameters came from a finished checkpoint, without training.</param>
/// <param name="SamplesPerSecond">Training throughput (0 when nothing was trained by SGD).</param>
public sealed record RecipeOutcome(string Settings, bool Reused, double SamplesPerSecond);

/// <summary>
/// How a model of the paper is trained: one type per kind (<see cref="SgdRecipe"/>, <see cref="FullBatchRecipe"/>,
/// <see cref="AutoencoderRecipe"/>). A recipe resumes or reuses its checkpoints through <see cref="RunStore"/>.
/// </summary>
/// <param name="Sgd">The SGD settings (of the whole model, or of the part a recipe trains by SGD).</param>
public abstract record TrainingRecipe(SgdOptions Sgd)
{
    /// <summary>Trains (or resumes, or reuses) <see cref="RecipeRun.Network"/> by this recipe.</summary>
    public abstract RecipeOutcome Train(RecipeRun run);

    /// <summary>The recipe's SGD settings for a run: a fifth of the epochs (at least one) when quick, with the run's seed and threads.</summary>
    protected static SgdOptions ForRun(SgdOptions sgd, RecipeRun run)
    {
        ArgumentNullException.ThrowIfNull(sgd);
        ArgumentNullException.ThrowIfNull(run);
        return (run.Quick ? sgd with { Epochs = Math.Max(1, sgd.Epochs / 5) } : sgd) with { Seed = run.Seed, Threads = run.Threads };
    }
}
