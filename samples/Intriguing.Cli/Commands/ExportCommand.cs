using System.CommandLine;
using Intriguing.Interop;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing export</c>: writes a network with its trained parameters as an ONNX model.</summary>
internal static class ExportCommand
{
    /// <summary>Makes the <c>export</c> command with its options and action.</summary>
    public static Command Create()
    {
        var toOption = new Option<string>("--onnx") { Description = "The ONNX file to write.", Required = true };
        var export = new Command("export", "Write a network with its parameters as an ONNX model (opset 13): a catalogue model from its checkpoint, or a [Network] class of --assembly with --checkpoint.")
        {
            UserInputs.Model, toOption, CommonOptions.Out, CommonOptions.Checkpoint, CommonOptions.Quiet,
        };
        UserInputs.AddTo(export, dataFile: false, onnx: false);
        export.SetAction(parse => Cli.Guard(() =>
        {
            UserNetwork? user = UserInputs.Resolve(parse, onnxInput: false);
            INetwork net;
            string source;
            if (user is not null)
            {
                (net, source) = (user.Network, user.Source);
            }
            else
            {
                ModelEntry entry = Catalog.Find(parse.GetValue(UserInputs.Model)!)!;
                string path = parse.GetValue(CommonOptions.Checkpoint) ?? Cli.DefaultCheckpoint(parse.GetValue(CommonOptions.Out)!, entry.Name);
                if (!File.Exists(path)) throw new CliException($"No checkpoint at {path}; train the model first (intriguing train --model \"{entry.Name}\"), or give --checkpoint.");
                net = entry.Create(0);
                Checkpoint.Load(path, net);
                source = path;
            }

            string to = parse.GetValue(toOption)!;
            try
            {
                OnnxModel.Export(net, to);
            }
            catch (NotSupportedException e)
            {
                throw new InputException(e.Message);
            }

            Console.WriteLine($"Wrote {net.Name} ({source}) to {to}: {new FileInfo(to).Length:N0} bytes, {net.Summary.Parameters:N0} parameters.");
            return 0;
        }));
        return export;
    }
}
