using System.CommandLine;
using System.Globalization;
using Intriguing.Cli;
using Intriguing.Cli.Commands;

// The `intriguing` command line: the root command over one command per file in Commands/. It parses arguments and
// calls the runtime and the paper's library; all numerics live there.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var root = new RootCommand(
    "Intriguing: reproduce 'Intriguing properties of neural networks' (Szegedy et al., 2014) on MNIST.\n" +
    "Start with `intriguing reproduce --out out` (add --quick for a few-minute run); `intriguing models` lists the networks.\n" +
    "Your own network and data: evaluate, attack and spectral take --onnx FILE (or --assembly DLL --network NAME) and --data FILE (.npy, .npz, .csv); export writes ONNX.")
{
    ModelsCommand.Create(), TrainCommand.Create(), EvaluateCommand.Create(), ReproduceCommand.Create(), AttackCommand.Create(),
    TransferCommand.Create(), UnitsCommand.Create(), SpectralCommand.Create(), CertifyCommand.Create(), AdvTrainCommand.Create(), PreimagesCommand.Create(), ControlCommand.Create(), RobustnessCommand.Create(), ExportCommand.Create(),
};
root.Subcommands.Add(MergeCommand.Create(root));
root.Options.Add(CommonOptions.NoVerifyData);

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line: every problem, then where usage is explained.
    Console.Error.WriteLine(Cli.UsageLine(string.Join(" ", parsed.Errors.Select(e => e.Message))));
    return 2;
}

// Every command body runs inside Cli.Guard; this is the last resort for anything outside one: still one line, no stack trace.
try
{
    return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: {e.GetType().Name}: {string.Join(" ", e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))}");
    return 1;
}
