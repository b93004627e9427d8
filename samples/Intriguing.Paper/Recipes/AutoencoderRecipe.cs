using System.Globalization;
using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>
/// AE400-10's recipe: (1) sparse auto-encoder pre-training of <see cref="Ae400Encoder"/> with <see cref="Ae400Decoder"/>,
/// (2) a soft-max <see cref="Ae400Classifier"/> on the codes, (3) the encoder and the classifier copied into the one
/// network (<see cref="Ae400x10"/>) and fine-tuned together. Each stage has its own checkpoint.
/// </summary>
/// <param name="Pretraining">Auto-encoder pre-training settings.</param>
/// <param name="Sgd">SGD settings of the classifier on the codes.</param>
/// <param name="FineTuning">SGD settings of the fine-tuning of the whole network.</param>
public sealed record AutoencoderRecipe(AutoencoderOptions Pretraining, SgdOptions Sgd, SgdOptions FineTuning) : TrainingRecipe(Sgd)
{
    /// <inheritdoc/>
    public override RecipeOutcome Train(RecipeRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        IClassifier net = run.Network;
        SgdOptions sgd = ForRun(Sgd, run);
        AutoencoderOptions ae = Pretraining with { Seed = run.Seed, Epochs = run.Quick ? Math.Max(1, Pretraining.Epochs / 5) : Pretraining.Epochs };
        SgdOptions fine = ForRun(FineTuning, run);
        string aeSettings = $"autoencoder: {ae.Epochs} epochs, batch {ae.BatchSize}, lr {ae.LearningRate.ToString(CultureInfo.InvariantCulture)}, momentum {ae.Momentum.ToString(CultureInfo.InvariantCulture)}, sparsity ρ={ae.SparsityTarget.ToString(CultureInfo.InvariantCulture)} β={ae.SparsityWeight.ToString(CultureInfo.InvariantCulture)}, seed {run.Seed}";
        string classifierCheckpoint = Path.Combine(run.Checkpoints, "ae400-classifier.ckpt");
        string classifierSettings = Trainer.Describe(new Ae400Classifier(), sgd);
        string settings = $"{aeSettings}; classifier on codes: {classifierSettings}; fine-tuning of the whole network: {Trainer.Describe(net, fine)}";
        string fineCheckpoint = run.Checkpoint;
        string encoderCheckpoint = Path.Combine(run.Checkpoints, "ae400-encoder.ckpt");

        // The finished network is reused only if every checkpoint it was made from still verifies under these settings:
        // otherwise the broken one is named and set aside, and the chain is trained again from it.
        bool encoderOk = RunStore.IsReusable(encoderCheckpoint, new Ae400Encoder(), aeSettings);
        bool classifierOk = RunStore.IsReusable(classifierCheckpoint, new Ae400Classifier(), classifierSettings, sgd.Epochs);
        if (encoderOk && classifierOk && RunStore.IsReusable(fineCheckpoint, net, Trainer.Describe(net, fine), fine.Epochs)) return new RecipeOutcome(settings, true, 0);
        if (!encoderOk || !classifierOk)
        {
            if (File.Exists(fineCheckpoint))
            {
                string[] moved = RunStore.MoveAside(fineCheckpoint);
                run.Log.WriteLine($"{run.Name}: {(encoderOk ? "the classifier" : "the encoder")} checkpoint it was made from is missing, unreadable or of other settings; {Path.GetFileName(fineCheckpoint)} moved to {Path.GetFileName(moved[0])}");
            }

            // A new encoder makes new codes: the classifier trained on the old ones is set aside too.
            if (!encoderOk && File.Exists(classifierCheckpoint))
            {
                string[] moved = RunStore.MoveAside(classifierCheckpoint);
                run.Log.WriteLine($"{run.Name}: {Path.GetFileName(classifierCheckpoint)} moved to {Path.GetFileName(moved[0])} (its encoder is trained again)");
            }
        }

        var encoder = new Ae400Encoder(run.Seed);
        if (!RunStore.IsReusable(encoderCheckpoint, encoder, aeSettings))
        {
            RunStore.SetAsideStale(encoderCheckpoint, encoder, aeSettings, run.Log);
            run.Log.WriteLine($"{run.Name}: pre-training the sparse auto-encoder 784→400→784 ({ae.Epochs} epochs)");
            encoder.Initialize(run.Seed);
            var decoder = new Ae400Decoder(SeededRandom.Derive(run.Seed, 1));
            AutoencoderTraining.Train(encoder, decoder, run.Train, ae, run.Progress, run.CancellationToken);
            Checkpoint.Save(encoderCheckpoint, encoder, new CheckpointState(ae.Epochs, run.Seed, Array.Empty<float>(), aeSettings));
        }

        Dataset codes = AutoencoderTraining.Encode(encoder, run.Train, "codes");
        var classifier = new Ae400Classifier(run.Seed);
        run.Log.WriteLine($"{run.Name}: training the soft-max classifier on the codes ({sgd.Epochs} epochs)");
        RunStore.SetAsideStale(classifierCheckpoint, classifier, classifierSettings, run.Log);
        Trainer.Fit(classifier, codes, sgd with { CheckpointPath = classifierCheckpoint }, run.Progress, run.CancellationToken);
        run.Log.WriteLine($"{run.Name}: fine-tuning encoder and classifier together ({fine.Epochs} epochs)");
        RunStore.SetAsideStale(fineCheckpoint, net, Trainer.Describe(net, fine), run.Log);
        if (!File.Exists(fineCheckpoint))
        {
            Parameters.CopyLayer(encoder, 1, net, 1);
            Parameters.CopyLayer(classifier, 1, net, 3);
        }

        TrainingResult r = Trainer.Fit(net, run.Train, fine with { CheckpointPath = fineCheckpoint }, run.Progress, run.CancellationToken);
        return new RecipeOutcome(settings, false, r.SamplesPerSecond);
    }
}
