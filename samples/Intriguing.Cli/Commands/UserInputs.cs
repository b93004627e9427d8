using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Intriguing.Data;
using Intriguing.Interop;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary>A network the user brings: imported from ONNX, or a generated class in a compiled assembly.</summary>
internal sealed record UserNetwork(INetwork Network, string Name, string Source);

/// <summary>
/// The options by which commands work on any network and data: <c>--onnx</c>, <c>--assembly</c> with
/// <c>--network</c>, and <c>--data</c> naming a file (with <c>--labels</c>, <c>--range</c>, <c>--scale</c>).
/// </summary>
internal static class UserInputs
{
    /// <summary><c>--model</c> where a user network may replace it.</summary>
    public static readonly Option<string?> Model = CreateModel();

    /// <summary><c>--onnx</c>: an ONNX model file.</summary>
    public static readonly Option<string?> Onnx = new("--onnx") { Description = "An ONNX model file to use instead of a catalogue model (a chain of Gemm/MatMul, Conv, pooling, activations, Softmax, ...)." };

    /// <summary><c>--assembly</c>: a compiled assembly holding a <c>[Network]</c> class.</summary>
    public static readonly Option<string?> Assembly = new("--assembly") { Description = "A compiled assembly (.dll) holding a [Network] class; name it with --network." };

    /// <summary><c>--network</c>: the class name in <c>--assembly</c>.</summary>
    public static readonly Option<string?> Network = new("--network") { Description = "The [Network] class in --assembly (its simple or full name)." };

    /// <summary><c>--labels</c>: the labels of a <c>.npy</c> data file.</summary>
    public static readonly Option<string?> Labels = new("--labels") { Description = "Integer labels (.npy) for a .npy --data file." };

    /// <summary><c>--range</c>: the declared input range LO:HI.</summary>
    public static readonly Option<string?> Range = new("--range") { Description = "The range of every input value, LO:HI (e.g. 0:1): values outside are an error, and attacks search inside it. Default: 0:1 for uint8 .npy data, else none." };

    /// <summary><c>--scale</c>: a factor applied to every input value.</summary>
    public static readonly Option<float?> Scale = new("--scale") { Description = "Multiply every input value by this after reading (default: uint8 .npy data divided by 255, other data as is)." };

    private static Option<string?> CreateModel()
    {
        var option = new Option<string?>("--model", "-m") { Description = "Model name, e.g. FC100-100-10 (see `intriguing models`); or give --onnx, or --assembly with --network." };
        option.Validators.Add(r =>
        {
            string? name = r.GetValueOrDefault<string?>();
            if (name is not null && Catalog.Find(name) is null) r.AddError($"Unknown model '{name}'. Known models: {string.Join(", ", Catalog.All.Select(m => m.Name))}.");
        });
        return option;
    }

    /// <summary>Adds the network and data-file options, and a check that exactly one network source is given.</summary>
    public static void AddTo(Command command, bool dataFile = true, Option<string?>? model = null, bool onnx = true)
    {
        model ??= Model;
        if (onnx) command.Options.Add(Onnx);
        command.Options.Add(Assembly);
        command.Options.Add(Network);
        if (dataFile)
        {
            command.Options.Add(Labels);
            command.Options.Add(Range);
            command.Options.Add(Scale);
        }

        command.Validators.Add(r =>
        {
            int sources = (r.GetValue(model) is null ? 0 : 1) + (onnx && r.GetValue(Onnx) is not null ? 1 : 0) + (r.GetValue(Assembly) is null ? 0 : 1);
            if (sources != 1) r.AddError(onnx ? "Give exactly one network: --model NAME, --onnx FILE, or --assembly DLL with --network NAME." : "Give exactly one network: --model NAME, or --assembly DLL with --network NAME.");
            if (r.GetValue(Assembly) is not null && r.GetValue(Network) is null) r.AddError("--assembly needs --network NAME.");
        });
    }

    /// <summary>The user's network, with parameters from <c>--checkpoint</c> if given; null when a catalogue model is named.</summary>
    public static UserNetwork? Resolve(ParseResult parse, bool onnxInput = true, bool loadCheckpoint = true)
    {
        string? onnx = onnxInput ? parse.GetValue(Onnx) : null, assembly = parse.GetValue(Assembly);
        string? checkpoint = loadCheckpoint ? parse.GetValue(CommonOptions.Checkpoint) : null;
        UserNetwork? user = null;
        if (onnx is not null)
        {
            if (!File.Exists(onnx)) throw new InputException($"ONNX file not found: {onnx}");
            INetwork net = OnnxModel.Import(onnx);
            user = new UserNetwork(net, net.Name, onnx);
        }
        else if (assembly is not null)
        {
            user = Load(assembly, parse.GetValue(Network)!);
        }

        if (user is not null && checkpoint is not null)
        {
            if (!File.Exists(checkpoint)) throw new InputException($"Checkpoint not found: {checkpoint}");
            Checkpoint.Load(checkpoint, user.Network);
            user = user with { Source = $"{user.Source}, parameters from {checkpoint}" };
        }

        return user;
    }

    private static UserNetwork Load(string path, string name)
    {
        if (!File.Exists(path)) throw new InputException($"Assembly not found: {path}");
        Assembly assembly;
        try
        {
            // A load context that resolves the assembly's own dependencies from its folder; the runtime's types are shared.
            var context = new PluginContext(Path.GetFullPath(path));
            assembly = context.LoadFromAssemblyPath(Path.GetFullPath(path));
        }
        catch (BadImageFormatException)
        {
            throw new InputException($"{path} is not a .NET assembly");
        }

        Type[] candidates = assembly.GetTypes().Where(t => typeof(INetwork).IsAssignableFrom(t) && !t.IsAbstract && (t.Name == name || t.FullName == name)).ToArray();
        if (candidates.Length != 1)
        {
            string known = string.Join(", ", assembly.GetTypes().Where(t => typeof(INetwork).IsAssignableFrom(t) && !t.IsAbstract).Select(t => t.FullName));
            throw new InputException(candidates.Length == 0
                ? $"{path} has no network class '{name}' (networks: {(known.Length == 0 ? "none" : known)})"
                : $"{path} has several network classes named '{name}'; give the full name");
        }

        ConstructorInfo ctor = candidates[0].GetConstructor([typeof(ulong)]) ?? throw new InputException($"{candidates[0].FullName} has no constructor taking a seed");
        var net = (INetwork)ctor.Invoke([0UL]);
        return new UserNetwork(net, net.Name, $"{candidates[0].FullName} in {path}");
    }

    /// <summary>Loads <c>--data</c> when it names a file; null when it names a folder or is absent (MNIST).</summary>
    public static Dataset? LoadDataFile(ParseResult parse)
    {
        string? data = parse.GetValue(CommonOptions.Data);
        if (data is null || Directory.Exists(data)) return null;
        if (!File.Exists(data)) throw new InputException($"Data file or folder not found: {data}");
        var options = new DataLoadOptions { LabelsPath = parse.GetValue(Labels), Scale = parse.GetValue(Scale), InputRange = ParseRange(parse.GetValue(Range)) };
        return DataFiles.Load(data, options);
    }

    private static ActivationBox? ParseRange(string? text)
    {
        if (text is null) return null;
        string[] parts = text.Split(':');
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi) || !(lo < hi))
        {
            throw new InputException($"--range must be LO:HI with LO < HI (got '{text}')");
        }

        return new ActivationBox(lo, hi);
    }

    /// <summary>Checks that <paramref name="data"/> fits <paramref name="net"/>: sample length and label range.</summary>
    public static void CheckFits(INetwork net, string name, Dataset data)
    {
        if (data.SampleLength != net.InputLength)
        {
            throw new InputException($"{data.Name}: samples have {data.SampleLength} values but {name} reads {net.InputLength}");
        }

        if (data.Classes > net.OutputLength)
        {
            throw new InputException($"{data.Name}: labels go up to {data.Classes - 1} but {name} has {net.OutputLength} outputs");
        }
    }

    /// <summary>Resolves assemblies next to a loaded plugin; shares what the CLI has already loaded (the runtime).</summary>
    private sealed class PluginContext(string path) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName name)
        {
            // The runtime and everything the CLI has loaded come from the default context, so that INetwork is one type.
            if (name.Name is "Intriguing.Runtime" or "Intriguing.Attributes" || Default.Assemblies.Any(a => a.GetName().Name == name.Name)) return null;
            string? file = _resolver.ResolveAssemblyToPath(name);
            return file is null ? null : LoadFromAssemblyPath(file);
        }
    }
}
