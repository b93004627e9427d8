using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing transfer</c>: cross-model generalisation, the paper's Tables 2 and 4.</summary>
internal static class TransferCommand
{
    /// <summary>Makes the <c>transfer</c> command with its options and action.</summary>
    public static Command Create()
    {
        var transfer = new Command("transfer", "Cross-model generalisation: Table 2 (six models, examples from the training set) and Table 4 (P1/P2 models, examples from the test set), written to OUT/transfer.md.")
        {
            CommonOptions.Count, CommonOptions.Data, CommonOptions.Out, CommonOptions.Seed, CommonOptions.Threads, CommonOptions.Quiet,
        };
        transfer.SetAction(parse => Cli.Guard(() =>
        {
            Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions { OutputDirectory = parse.GetValue(CommonOptions.Out)!, Data = data, Seed = parse.GetValue(CommonOptions.Seed), Threads = parse.GetValue(CommonOptions.Threads) };
            var (_, networks) = ModelTraining.TrainAll(Catalog.Models, options, Console.Out, cancellationToken: Cli.Cancellation);
            AdversarialResults results = AdversarialExperiments.Run(networks, data, parse.GetValue(CommonOptions.Count), options.Seed, options.Threads, options.OutputDirectory, Console.Out, Cli.Cancellation);
            string path = Path.Combine(options.OutputDirectory, "transfer.md");
            RunStore.WriteAtomically(path, AdversarialReport.Transfer(results));
            Console.WriteLine($"Wrote {path}.");
            return 0;
        }));
        return transfer;
    }
}
