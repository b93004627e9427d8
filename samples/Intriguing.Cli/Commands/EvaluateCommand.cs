using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing evaluate</c>: a network's error rate, a catalogue model's from its checkpoint or any network on a data file.</summary>
internal static class EvaluateCommand
{
    /// <summary>Makes the <c>evaluate</c> command with its options and action.</summary>
    public static Command Create()
    {
        var evaluate = new Command("evaluate", "Measure a network's error: a catalogue model from its checkpoint on MNIST, or any network (--onnx, --assembly) on a data file (--data FILE) or the MNIST test set.")
        {
            UserInputs.Model, CommonOptions.Data, CommonOptions.Out, CommonOptions.Checkpoint, CommonOptions.Seed, CommonOptions.Quiet,
        };
        UserInputs.AddTo(evaluate);
        evaluate.SetAction(parse => Cli.Guard(() =>
        {
            Dataset? file = UserInputs.LoadDataFile(parse);
            UserNetwork? user = UserInputs.Resolve(parse);
            if (user is not null)
            {
                Dataset set = file ?? Cli.LoadData(parse).Test;
                UserInputs.CheckFits(user.Network, user.Name, set);
                Console.WriteLine($"{user.Name} ({user.Source})");
                Console.WriteLine($"  error on {set.Name}: {Evaluation.ErrorRate(user.Network, set):P2} of {set.Count} examples");
                return 0;
            }

            ModelEntry entry = Catalog.Find(parse.GetValue(UserInputs.Model)!)!;
            string path = parse.GetValue(CommonOptions.Checkpoint) ?? Cli.DefaultCheckpoint(parse.GetValue(CommonOptions.Out)!, entry.Name);
            if (!File.Exists(path)) throw new CliException($"No checkpoint at {path}; train the model first (intriguing train --model \"{entry.Name}\").");
            INetwork net = entry.Create(0);
            Checkpoint.Load(path, net);
            Console.WriteLine($"{entry.Name} ({path})");
            if (file is not null)
            {
                UserInputs.CheckFits(net, entry.Name, file);
                Console.WriteLine($"  error on {file.Name}: {Evaluation.ErrorRate(net, file):P2} of {file.Count} examples");
                return 0;
            }

            MnistData data = Cli.LoadData(parse);
            var (p1, p2) = TrainingSplits.Halves(data.Train, parse.GetValue(CommonOptions.Seed));
            Console.WriteLine($"  training set error: {Evaluation.ErrorRate(net, data.Train):P2}");
            if (entry.Split != TrainingSplit.Full)
            {
                Console.WriteLine($"  P1 error:           {Evaluation.ErrorRate(net, p1):P2}");
                Console.WriteLine($"  P2 error:           {Evaluation.ErrorRate(net, p2):P2}");
            }

            Console.WriteLine($"  test error:         {Evaluation.ErrorRate(net, data.Test):P2}" + (double.IsNaN(entry.PaperTestError) ? "" : $"   (paper {entry.PaperTestError:P2})"));
            return 0;
        }));
        return evaluate;
    }
}
