using System.CommandLine;
using System.Globalization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing preimages</c>: hidden-layer pool examples of a trained network mapped back to input space.</summary>
internal static class PreimagesCommand
{
    /// <summary>Makes the <c>preimages</c> command with its options and action.</summary>
    public static Command Create()
    {
        var modelOption = new Option<string>("--model") { Description = $"The architecture: {string.Join(", ", AdvTrainModel.All.Select(m => m.Name))} (default {AdvTrainModel.DefaultName}); its pools use the advtrain comparison's settings.", DefaultValueFactory = _ => AdvTrainModel.DefaultName };
        CommonOptions.Validate(modelOption, r => { if (AdvTrainModel.FindModel(r.GetValueOrDefault<string>() ?? "") is null) r.AddError($"Unknown model '{r.GetValueOrDefault<string>()}' for preimages. Known: {string.Join(", ", AdvTrainModel.All.Select(m => m.Name))}."); });
        var countOption = new Option<int>("--count", "-n") { Description = "Training examples drawn per pool (the pool keeps those the attack turns into verified examples).", DefaultValueFactory = _ => 50 };
        CommonOptions.Validate(countOption, r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--count must be at least 1."); });
        var layersOption = new Option<string?>("--layers") { Description = "Comma-separated pool activations (default: 0, the input pool for reference, and every hidden activation of the advtrain variants)." };
        var lambdaOption = new Option<string>("--lambda") { Description = "Comma-separated weights λ of ‖r‖² against the squared residual in the preimage search, each applied to the same pool examples (default 0,0.0001,0.001,0.01; 0 is the preimage L-BFGS-B reaches from the clean input).", DefaultValueFactory = _ => "0,0.0001,0.001,0.01" };
        var iterationsOption = new Option<int>("--iterations") { Description = "L-BFGS-B iterations per preimage.", DefaultValueFactory = _ => PreimageOptions.Default.MaxIterations };
        CommonOptions.Validate(iterationsOption, r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--iterations must be at least 1."); });
        var command = new Command("preimages", "Where hidden-layer adversarial examples lie in input space: makes fresh pool examples against a trained network (a checkpoint; nothing is trained) with the advtrain comparison's pool settings and maps each back to the input x + r whose activation is nearest it (L-BFGS-B). Reports RMS(r) against the input-space minimum distortion of the same sources, the relative residual and whether x + r is misclassified; writes OUT/preimages-MODEL.md and .json.")
        {
            modelOption, countOption, layersOption, lambdaOption, iterationsOption, CommonOptions.Checkpoint, CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet,
        };
        command.SetAction(parse => Cli.Guard(() =>
        {
            AdvTrainModel model = AdvTrainModel.FindModel(parse.GetValue(modelOption)!)!;
            ModelEntry entry = Catalog.Find(model.Name)!;
            string output = parse.GetValue(CommonOptions.Out)!;
            INetwork net = entry.Create(0);
            int[] layers;
            if (parse.GetValue(layersOption) is { } text)
            {
                try
                {
                    layers = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                }
                catch (Exception e) when (e is FormatException or OverflowException)
                {
                    throw new UsageException($"--layers must be a comma-separated list of activation numbers (got '{text}').");
                }

                if (layers.Length == 0) throw new UsageException("--layers needs at least one activation.");
                foreach (int k in layers)
                {
                    if (k < 0 || k >= net.LayerCount) throw new UsageException($"--layers: {model.Name} has pool activations 0 to {net.LayerCount - 1}, not {k}.");
                }

                if (layers.Distinct().Count() != layers.Length) throw new UsageException($"--layers lists an activation twice ('{text}').");
            }
            else
            {
                layers = AdvTrainModel.HiddenActivations(net).Prepend(0).ToArray();
            }

            string lambdaText = parse.GetValue(lambdaOption)!;
            double[] lambdas;
            try
            {
                lambdas = lambdaText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new UsageException($"--lambda must be a comma-separated list of numbers (got '{lambdaText}').");
            }

            if (lambdas.Length == 0 || lambdas.Any(l => !(l >= 0) || double.IsInfinity(l))) throw new UsageException($"--lambda needs one or more finite values of at least 0 (got '{lambdaText}').");

            // Nothing is trained here: the checkpoint must exist.
            string checkpoint = parse.GetValue(CommonOptions.Checkpoint) ?? Cli.DefaultCheckpoint(output, entry.Name);
            if (!File.Exists(checkpoint)) throw new CliException($"No checkpoint at {checkpoint}; train the model first (`intriguing train --model {entry.Name} --out {output}`) or give --checkpoint.");
            Checkpoint.Load(checkpoint, net);
            bool quiet = parse.GetValue(CommonOptions.Quiet);
            if (!quiet) Console.Error.WriteLine($"{entry.Name}: parameters from {checkpoint}.");
            Cli.PrepareOutput(output);
            MnistData data = Cli.LoadData(parse);
            int threads = parse.GetValue(CommonOptions.Threads);
            AdversarialTrainingOptions pools = model.Pools with { AttackThreads = threads };
            var preimage = new PreimageOptions { MaxIterations = parse.GetValue(iterationsOption) };
            PreimageResults results = PreimageExperiment.Run(net.AsClassifier(), model.Name, data.Train, parse.GetValue(countOption), layers, pools, preimage, lambdas, parse.GetValue(CommonOptions.Seed), threads, quiet ? null : Console.Error, Cli.Cancellation);
            string written = PreimageExperiment.Write(output, results);
            Console.WriteLine(PreimageExperiment.Markdown(results));
            Console.WriteLine($"Wrote {written[..^3]}.md and .json ({results.Seconds:F0} s).");
            return 0;
        }));
        return command;
    }
}
