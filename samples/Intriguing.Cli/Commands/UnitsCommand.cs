using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing units</c>: the units of φ(x) against random directions (Sec. 3).</summary>
internal static class UnitsCommand
{
    /// <summary>Makes the <c>units</c> command with its options and action.</summary>
    public static Command Create()
    {
        var unitLayerOption = new Option<int>("--layer") { Description = "Activation K to analyse (the output of layer K; e.g. 2 = the first sigmoid of FC100-100-10).", DefaultValueFactory = _ => 2 };
        var unitCountOption = new Option<int>("--count") { Description = "Top images per row.", DefaultValueFactory = _ => 8 };
        var rowsOption = new Option<int>("--rows") { Description = "Rows: units, and as many random directions.", DefaultValueFactory = _ => 10 };
        var seedsOption = new Option<int>("--seeds") { Description = "Seeds for the purity statistics (unit choice and random directions).", DefaultValueFactory = _ => 5 };
        foreach (var o in new[] { unitCountOption, rowsOption, seedsOption }) CommonOptions.Validate(o, r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{o.Name} must be at least 1."); });
        var units = new Command("units", "Units of φ(x) (Sec. 3, Fig. 1/2): the test images that maximise single units and random directions of a layer, as two PNG grids, with the label purity of each row (is the natural basis special?). Any network (--onnx, --assembly) on a data file (--data FILE) or the MNIST test set.")
        {
            UserInputs.Model, unitLayerOption, unitCountOption, rowsOption, seedsOption, CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Quiet, CommonOptions.Checkpoint,
        };
        UserInputs.AddTo(units);
        units.SetAction(parse => Cli.Guard(() =>
        {
            Dataset? file = UserInputs.LoadDataFile(parse);
            UserNetwork? user = UserInputs.Resolve(parse);
            if (user is not null)
            {
                int userLayer = parse.GetValue(unitLayerOption), userLayers = user.Network.LayerCount;
                if (userLayer < 1 || userLayer > userLayers) throw new UsageException($"--layer must be between 1 and {userLayers} for {user.Name}, not {userLayer}.");
                Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
                Dataset set = file ?? Cli.LoadData(parse).Test;
                UserInputs.CheckFits(user.Network, user.Name, set);
                UnitsSection mine = UnitsExperiment.Run(user.Network, user.Name, set, userLayer, parse.GetValue(rowsOption), parse.GetValue(unitCountOption), parse.GetValue(seedsOption),
                    parse.GetValue(CommonOptions.Seed), parse.GetValue(CommonOptions.Out)!);
                Console.WriteLine(mine.Summary);
                return 0;
            }

            ModelEntry entry = Catalog.Find(parse.GetValue(UserInputs.Model)!)!;
            int layer = parse.GetValue(unitLayerOption), layers = entry.Create(0).LayerCount;
            if (layer < 1 || layer > layers) throw new UsageException($"--layer must be between 1 and {layers} for {entry.Name}, not {layer}.");
            Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = parse.GetValue(CommonOptions.Out)!, Data = data, Seed = parse.GetValue(CommonOptions.Seed) };
            INetwork net = Cli.TrainedModel(entry, options, parse.GetValue(CommonOptions.Checkpoint), parse.GetValue(CommonOptions.Quiet));
            UnitsSection section = UnitsExperiment.Run(net, entry.Name, data.Test, layer, parse.GetValue(rowsOption), parse.GetValue(unitCountOption), parse.GetValue(seedsOption), options.Seed, options.OutputDirectory);
            Console.WriteLine(section.Summary);
            return 0;
        }));
        return units;
    }
}
