using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing evaluate</c>: a trained model's training and test error from its checkpoint.</summary>
internal static class EvaluateCommand
{
    /// <summary>Makes the <c>evaluate</c> command with its options and action.</summary>
    public static Command Create()
    {
        var evaluate = new Command("evaluate", "Measure a trained model's training and test error from its checkpoint.")
        {
            CommonOptions.Model, CommonOptions.Data, CommonOptions.Out, CommonOptions.Checkpoint, CommonOptions.Seed, CommonOptions.Quiet,
        };
        evaluate.SetAction(parse => Cli.Guard(() =>
        {
            ModelEntry entry = Catalog.Find(parse.GetValue(CommonOptions.Model)!)!;
            string path = parse.GetValue(CommonOptions.Checkpoint) ?? Path.Combine(parse.GetValue(CommonOptions.Out)!, "checkpoints", Catalog.FileName(entry.Name) + ".ckpt");
            if (!File.Exists(path)) throw new CliException($"No checkpoint at {path}; train the model first (intriguing train --model \"{entry.Name}\").");
            INetwork net = entry.Create(0);
            Checkpoint.Load(path, net);
            MnistData data = Cli.LoadData(parse);
            var (p1, p2) = TrainingSplits.Halves(data.Train, parse.GetValue(CommonOptions.Seed));
            Console.WriteLine($"{entry.Name} ({path})");
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
