using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing control</c>: the reproduction's section "Controlling instability" alone.</summary>
internal static class ControlCommand
{
    /// <summary>Makes the <c>control</c> command with its options and action.</summary>
    public static Command Create()
    {
        var quickOption = new Option<bool>("--quick") { Description = "Short schedule (fewer epochs, the first fifth of the training set, 20 drawn examples), labelled as such." };
        var seedsOption = new Option<int?>("--seeds") { Description = "Seeds 1…N, one run per control setting and seed (default 3, or 1 with --quick)." };
        CommonOptions.Validate(seedsOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--seeds must be at least 1."); });
        var countOption = new Option<int?>("--control-count") { Description = "Test examples per dense model for CROWN and L-BFGS (default 100, or 20 with --quick; a fifth for MNIST-Conv)." };
        CommonOptions.Validate(countOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--control-count must be at least 1."); });
        var modelsOption = new Option<string?>("--models") { Description = $"Comma-separated models of the section (default all: {string.Join(", ", ControlExperiment.Ladders.Select(l => l.Model))})." };
        var reportOnlyOption = new Option<bool>("--report-only") { Description = "Train and measure nothing: summarise the finished runs in OUT/control/ (whatever settings they were made with); missing runs are listed." };
        var control = new Command("control", "Controlling instability (Sec. 4.3): each model trained with increasing control of its layers' operator norms; test error, bound product, certified radii (global and CROWN), L-BFGS minimum distortion and certified accuracy; writes OUT/control.md, control.json and the figures. Runs are reused from OUT/control/.")
        {
            quickOption, seedsOption, countOption, modelsOption, reportOnlyOption, CommonOptions.Data, CommonOptions.Out, CommonOptions.Threads, CommonOptions.Quiet,
        };
        control.SetAction(parse => Cli.Guard(() =>
        {
            IReadOnlyList<ControlLadder> ladders = ControlExperiment.Ladders;
            if (parse.GetValue(modelsOption) is { } text)
            {
                string[] names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                ControlLadder? Find(string name) => ladders.FirstOrDefault(l => string.Equals(l.Model, name, StringComparison.OrdinalIgnoreCase));
                string? unknown = names.FirstOrDefault(n => Find(n) is null);
                if (names.Length == 0 || unknown is not null) throw new UsageException($"--models: unknown model '{unknown}'; use {string.Join(", ", ladders.Select(l => l.Model))}.");
                ladders = names.Select(n => Find(n)!).Distinct().ToArray();
            }

            string output = parse.GetValue(CommonOptions.Out)!;
            Cli.PrepareOutput(output);
            MnistData data = Cli.LoadData(parse);
            bool quick = parse.GetValue(quickOption);
            var options = new ControlOptions
            {
                OutputDirectory = output,
                Data = data,
                Quick = quick,
                Seeds = Enumerable.Range(1, parse.GetValue(seedsOption) ?? (quick ? 1 : 3)).Select(i => (ulong)i).ToArray(),
                Examples = parse.GetValue(countOption) ?? (quick ? 20 : 100),
                Ladders = ladders,
                Threads = parse.GetValue(CommonOptions.Threads),
                ReportOnly = parse.GetValue(reportOnlyOption),
            };
            ControlSection section = Cli.WithProgressPerModel(parse.GetValue(CommonOptions.Quiet), progress => ControlExperiment.Run(options, Console.Out, progress, Cli.Cancellation));
            var sb = new StringBuilder();
            ControlReport.Section(sb, section);
            RunStore.WriteAtomically(Path.Combine(output, "control.md"), sb.ToString());
            RunStore.WriteAtomically(Path.Combine(output, "control.json"), JsonSerializer.Serialize(section, new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"Wrote {Path.Combine(output, "control.md")}, control.json and {string.Join(", ", section.Figures)} ({section.Seconds:F0} s).");
            return 0;
        }));
        return control;
    }
}
