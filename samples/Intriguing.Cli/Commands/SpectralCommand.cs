using System.CommandLine;
using Intriguing.Data;
using Intriguing.Interop;
using Intriguing.Paper;
using Intriguing.Spectral;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing spectral</c>: per-layer Lipschitz bounds like the paper's Table 5.</summary>
internal static class SpectralCommand
{
    /// <summary>Makes the <c>spectral</c> command with its options and action.</summary>
    public static Command Create()
    {
        var spectralModelOption = new Option<string?>("--model", "-m") { Description = "Model name: a trained model (see `intriguing models`) or AlexNet (layer shapes with seeded random weights); or give --onnx, or --assembly with --network." };
        CommonOptions.Validate(spectralModelOption, r =>
        {
            string? name = r.GetValueOrDefault<string?>();
            if (name is not null && Catalog.Find(name) is null && !Catalog.ShapesOnly.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                r.AddError($"Unknown model '{name}'. Known models: {string.Join(", ", Catalog.All.Select(m => m.Name).Concat(Catalog.ShapesOnly.Select(s => s.Name)))}.");
            }
        });
        var examplesOption = new Option<int>("--examples") { Description = "Test examples for the data-based lower estimate and the certified radii (trained models).", DefaultValueFactory = _ => SpectralExperiments.DefaultExamples };
        CommonOptions.Validate(examplesOption, r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--examples must be at least 1."); });
        var spectral = new Command("spectral", "Per-layer Lipschitz upper bounds like the paper's Table 5 (Fourier method for convolutions), their product, and for trained models the data-based lower estimate and certified radii; an --onnx graph that is not a plain stack (residual blocks, batch normalisation) is bounded node by node; writes OUT/spectral-<model>.md and .json.")
        {
            spectralModelOption, CommonOptions.Out, CommonOptions.Data, CommonOptions.Seed, examplesOption, CommonOptions.Checkpoint, CommonOptions.Quiet,
        };
        UserInputs.AddTo(spectral, model: spectralModelOption);
        spectral.SetAction(parse => Cli.Guard(() =>
        {
            string output = Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
            ulong seed = parse.GetValue(CommonOptions.Seed);
            Table5Result result;
            Dataset? file = UserInputs.LoadDataFile(parse);
            UserNetwork? user;
            string? onnx = parse.GetValue(UserInputs.Onnx);
            try
            {
                user = UserInputs.Resolve(parse);
            }
            catch (Interop.OnnxImportException) when (onnx is not null)
            {
                // Not a plain stack (residual blocks, batch normalisation, ...): bound the graph node by node instead.
                if (parse.GetValue(CommonOptions.Checkpoint) is not null) throw new InputException($"{onnx} is not a plain stack of layers; --checkpoint applies only to those");
                if (file is not null) Console.WriteLine($"{Path.GetFileName(onnx)} is not a plain stack of layers: the data-based estimate and the certified radii need one; --data is not used.");
                return Graph(onnx, output);
            }

            string name = user?.Name ?? parse.GetValue(spectralModelOption)!;
            var shapes = Catalog.ShapesOnly.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (user is not null)
            {
                // The data-based estimate and certified radii need labelled examples: from --data FILE, else none.
                if (file is not null) UserInputs.CheckFits(user.Network, user.Name, file);
                int[]? draw = file is null ? null : SpectralExperiments.TestDraw(file, parse.GetValue(examplesOption), seed);
                result = SpectralExperiments.Analyze(user.Network, user.Name, user.Source, data: file, draw: draw);
            }
            else if (shapes.Name is not null)
            {
                Console.WriteLine($"{shapes.Name}: {Reproduction.AlexNetWeights}; seed {seed}. The values are not the paper's: only the method and the shapes are comparable.");
                INetwork net = shapes.Create(seed);
                result = SpectralExperiments.Analyze(net, shapes.Name, Reproduction.AlexNetWeights + $", seed {seed}", shapes.Name == "AlexNet" ? SpectralExperiments.PaperAlexNet : null);
            }
            else
            {
                ModelEntry entry = Catalog.Find(name)!;
                string path = parse.GetValue(CommonOptions.Checkpoint) ?? Cli.DefaultCheckpoint(output, entry.Name);
                if (!File.Exists(path)) throw new CliException($"No checkpoint at {path}; train the model first (intriguing train --model \"{entry.Name}\" --out {output}).");
                INetwork net = entry.Create(0);
                Checkpoint.Load(path, net);
                MnistData data = Cli.LoadData(parse);
                int[] draw = SpectralExperiments.TestDraw(data.Test, parse.GetValue(examplesOption), seed);
                result = SpectralExperiments.Analyze(net, entry.Name, $"trained ({path})", data: data.Test, draw: draw);
            }

            var sb = new System.Text.StringBuilder();
            sb.AppendLine($"# Lipschitz bounds of {result.Model} (Sec. 4.3, Table 5)").AppendLine();
            sb.AppendLine($"Weights: {result.Weights}.").AppendLine();
            SpectralReport.Table(sb, result);
            if (result.Layers.Any(l => l.Kind == "Conv")) sb.AppendLine().AppendLine("Zero padding: the convolution bounds are upper bounds of the layers' norms (the circular convolution on a slightly larger map), not exact norms.");
            string markdown = sb.ToString();
            Console.WriteLine();
            Console.Write(markdown);
            Directory.CreateDirectory(output);
            string stem = Path.Combine(output, "spectral-" + Catalog.FileName(result.Model));
            RunStore.WriteAtomically(stem + ".md", markdown);
            RunStore.WriteAtomically(stem + ".json", System.Text.Json.JsonSerializer.Serialize(result, new System.Text.Json.JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"Wrote {stem}.md and {stem}.json.");
            return 0;
        }));
        return spectral;
    }

    /// <summary>Per-node bounds of an ONNX graph that is not a plain stack; writes OUT/spectral-&lt;model&gt;.md and .json.</summary>
    private static int Graph(string path, string output)
    {
        GraphLipschitzReport report = OnnxModel.LipschitzBounds(path);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"# Lipschitz bounds of {report.Graph} (Sec. 4.3, Table 5), node by node").AppendLine();
        sb.AppendLine($"Weights: {path}. Input {report.InputShape}; convolutions by the Fourier method with a following batch normalisation folded in (upper bounds with zero padding); residual blocks bounded by skip + Π branch.").AppendLine();
        SpectralReport.GraphTable(sb, report);
        string markdown = sb.ToString();
        Console.WriteLine();
        Console.Write(markdown);
        Directory.CreateDirectory(output);
        string stem = Path.Combine(output, "spectral-" + Catalog.FileName(report.Graph));
        RunStore.WriteAtomically(stem + ".md", markdown);
        RunStore.WriteAtomically(stem + ".json", System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"Wrote {stem}.md and {stem}.json.");
        return 0;
    }
}
