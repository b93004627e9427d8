using System.CommandLine;
using System.Globalization;
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
    TransferCommand.Create(), UnitsCommand.Create(), SpectralCommand.Create(), CertifyCommand.Create(), AdvTrainCommand.Create(), RobustnessCommand.Create(), ExportCommand.Create(),
};

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run `intriguing --help` for usage.");
    return 2;
}

return parsed.Invoke();
