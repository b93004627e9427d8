using System.CommandLine;
using System.Globalization;
using Intriguing.Certification;
using Intriguing.Data;
using Intriguing.Spectral;
using Intriguing.Training;

namespace Intriguing.Cli.Commands;

/// <summary>The <c>train --lipschitz</c> options: operator-norm control and Lipschitz-margin (certified) training.</summary>
internal static class LipschitzOptionsCli
{
    /// <summary>The modes <c>--lipschitz</c> accepts, comma-separated.</summary>
    public static readonly string[] Modes = ["hinge", "log", "project", "clip", "parseval", "margin", "gloro"];

    /// <summary>The L2 radii at which the report gives the certified accuracy (GloRo's MNIST radius 1.58 last).</summary>
    public static readonly double[] Radii = [0.5, 1.0, 1.58];

    /// <summary><c>--lipschitz</c>: the control modes.</summary>
    public static readonly Option<string?> Lipschitz = new("--lipschitz")
    {
        Description = "Control the dense and convolution layers' operator norms, a comma-separated list of: hinge (penalty β·Σ max(0, σ−τ)²), log (penalty β·Σ log σ), "
            + "project (rescale to σ ≤ τ after every step), clip (project, but clip the convolutions' singular values at τ every --clip-period steps, Sedghi et al. 2019), parseval (Parseval regulariser), margin (Lipschitz-margin training at --margin-eps), "
            + "gloro (GloRo training at --margin-eps: an extra logit from the per-class-pair bounds). "
            + "Example: --lipschitz margin,project --tau 1 --margin-eps 1.58.",
    };

    /// <summary><c>--beta</c>: the penalty's weight.</summary>
    public static readonly Option<float?> Beta = new("--beta") { Description = "Weight β of the hinge or log penalty (default 0.01); needs --lipschitz hinge or log." };

    /// <summary><c>--tau</c>: τ, or τ_k per controlled layer.</summary>
    public static readonly Option<string?> Tau = new("--tau") { Description = "Target/limit τ of every layer's norm (default 1), or one value per dense and convolution layer, comma-separated; needs --lipschitz hinge, project or clip." };

    /// <summary><c>--parseval-beta</c>: β of the Parseval regulariser.</summary>
    public static readonly Option<float?> ParsevalBeta = new("--parseval-beta") { Description = "Weight of the Parseval regulariser (β/4)·‖WWᵀ − I‖² (default 0.001); needs --lipschitz parseval." };

    /// <summary><c>--margin-eps</c>: the L2 radius ε of margin training.</summary>
    public static readonly Option<float?> MarginEpsilon = new("--margin-eps") { Description = "L2 radius ε of Lipschitz-margin or GloRo training; required by --lipschitz margin or gloro." };

    /// <summary><c>--margin-warmup</c>: epochs of the linear ε schedule.</summary>
    public static readonly Option<int?> MarginWarmup = new("--margin-warmup") { Description = "Epochs over which ε grows linearly from 0 (default 0); needs --lipschitz margin or gloro." };

    /// <summary><c>--clip-period</c>: steps between two clips of the convolutions.</summary>
    public static readonly Option<int?> ClipPeriod = new("--clip-period") { Description = "Steps between two clips of the convolutions' singular values (default 1: every step; rescaling in between unless --clip-only); needs --lipschitz clip." };

    /// <summary><c>--clip-only</c>: no rescale of the convolutions between clips.</summary>
    public static readonly Option<bool> ClipOnly = new("--clip-only") { Description = "Leave the convolutions alone between clips instead of rescaling them (their certified norms are at most τ after each clip and at every epoch's end, not in between); needs --lipschitz clip." };

    /// <summary>Every option, to add to a command.</summary>
    public static Option[] All => [Lipschitz, Beta, Tau, ParsevalBeta, MarginEpsilon, MarginWarmup, ClipPeriod, ClipOnly];

    static LipschitzOptionsCli()
    {
        CommonOptions.Validate(Beta, r => { if (r.GetValueOrDefault<float?>() is { } b && !(b >= 0 && float.IsFinite(b))) r.AddError("--beta must be a finite number ≥ 0."); });
        CommonOptions.Validate(ParsevalBeta, r => { if (r.GetValueOrDefault<float?>() is { } b && !(b >= 0 && float.IsFinite(b))) r.AddError("--parseval-beta must be a finite number ≥ 0."); });
        CommonOptions.Validate(MarginEpsilon, r => { if (r.GetValueOrDefault<float?>() is { } e && !(e > 0 && float.IsFinite(e))) r.AddError("--margin-eps must be positive and finite."); });
        CommonOptions.Validate(MarginWarmup, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--margin-warmup must be 0 or more epochs."); });
        CommonOptions.Validate(ClipPeriod, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--clip-period must be at least 1 step."); });
    }

    /// <summary>The options given, or null without <c>--lipschitz</c>; inconsistent options are usage errors.</summary>
    public static LipschitzOptions? Parse(ParseResult parse)
    {
        string? text = parse.GetValue(Lipschitz);
        if (text is null)
        {
            Option? stray = All.Skip(1).FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
            if (stray is not null) throw new UsageException($"{stray.Name} needs --lipschitz.");
            return null;
        }

        string[] modes = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (modes.Length == 0) throw new UsageException($"--lipschitz needs at least one of {string.Join(", ", Modes)}.");
        foreach (string mode in modes)
        {
            if (!Modes.Contains(mode)) throw new UsageException($"--lipschitz: unknown mode '{mode}'; use {string.Join(", ", Modes)}.");
        }

        bool Has(string mode) => modes.Contains(mode);
        if (Has("hinge") && Has("log")) throw new UsageException("--lipschitz: choose one penalty, hinge or log.");
        if (Has("margin") && Has("gloro")) throw new UsageException("--lipschitz: choose one certified objective, margin or gloro.");
        bool certified = Has("margin") || Has("gloro");
        void Needs(Option option, bool allowed, string modesText)
        {
            if (parse.GetResult(option) is { Implicit: false } && !allowed) throw new UsageException($"{option.Name} needs --lipschitz {modesText}.");
        }

        Needs(Beta, Has("hinge") || Has("log"), "hinge or log");
        Needs(Tau, Has("hinge") || Has("project") || Has("clip"), "hinge, project or clip");
        Needs(ClipPeriod, Has("clip"), "clip");
        Needs(ClipOnly, Has("clip"), "clip");
        Needs(ParsevalBeta, Has("parseval"), "parseval");
        Needs(MarginEpsilon, certified, "margin or gloro");
        Needs(MarginWarmup, certified, "margin or gloro");
        float? epsilon = parse.GetValue(MarginEpsilon);
        if (certified && epsilon is null) throw new UsageException($"--lipschitz {(Has("margin") ? "margin" : "gloro")} needs --margin-eps (the L2 radius to train for, e.g. 1.58).");
        if (epsilon is { } e && !(e > 0 && float.IsFinite(e))) throw new UsageException($"--margin-eps must be positive and finite, not {e}.");
        float[]? taus = null;
        if (parse.GetValue(Tau) is { } tauText)
        {
            string[] parts = tauText.Split(',', StringSplitOptions.TrimEntries);
            taus = new float[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out taus[i]) || !(taus[i] > 0) || !float.IsFinite(taus[i]))
                {
                    throw new UsageException($"--tau must be positive numbers separated by commas, not '{tauText}'.");
                }
            }
        }

        var options = new LipschitzOptions
        {
            Penalty = Has("hinge") ? NormPenalty.Hinge : Has("log") ? NormPenalty.Log : NormPenalty.None,
            Beta = parse.GetValue(Beta) ?? 0.01f,
            Tau = taus is { Length: 1 } ? taus[0] : 1,
            LayerTaus = taus is { Length: > 1 } ? taus : null,
            Project = Has("project") || Has("clip"),
            ConvolutionProjection = Has("clip") ? ConvolutionProjection.Clip : ConvolutionProjection.Rescale,
            ClipPeriod = parse.GetValue(ClipPeriod) ?? 1,
            RescaleBetweenClips = !parse.GetValue(ClipOnly),
            Parseval = Has("parseval") ? parse.GetValue(ParsevalBeta) ?? 0.001f : 0,
            MarginEpsilon = Has("margin") ? epsilon ?? 0 : 0,
            GloRoEpsilon = Has("gloro") ? epsilon ?? 0 : 0,
            MarginWarmupEpochs = parse.GetValue(MarginWarmup) ?? 0,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }

        return options;
    }

    /// <summary>Throws a usage error unless <paramref name="options"/> fit <paramref name="network"/> (one τ per controlled layer).</summary>
    public static void CheckFits(INetwork network, LipschitzOptions options)
    {
        int layers = network.Summary.Layers.Count(l => l.Kind is LayerKind.Dense or LayerKind.Conv);
        if (layers == 0) throw new UsageException($"--lipschitz: {network.Name} has no dense or convolution layer to control.");
        if (options.GloRoEpsilon > 0 && !HasPairBounds(network)) throw new UsageException($"--lipschitz gloro: {network.Name} needs a dense layer right below its soft-max.");
        if (options.LayerTaus is { } taus && taus.Count != layers)
        {
            throw new UsageException($"--tau: {network.Name} has {layers} dense and convolution layers, so give 1 or {layers} values, not {taus.Count}.");
        }
    }

    private static bool HasPairBounds(INetwork network)
    {
        IReadOnlyList<LayerInfo> layers = network.Summary.Layers;
        return layers.Count >= 2 && layers[^1].Kind == LayerKind.Softmax && layers[^2].Kind == LayerKind.Dense;
    }

    /// <summary>
    /// Prints the certified layer bounds, their product up to the logits L, and the test error and certified accuracy
    /// (global bound: margin &gt; √2·L·ε) at <see cref="Radii"/>.
    /// </summary>
    public static void Report(IClassifier network, Dataset test, TextWriter output)
    {
        LipschitzReport report = LipschitzAnalysis.Analyze(network);
        string layers = string.Join(", ", report.Layers.Where(l => l.Kind is LayerKind.Dense or LayerKind.Conv).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Name} {l.Bound:G4}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{network.Name}: layer bounds {layers}; logit bound L = {report.LogitBound:G4}"));
        double[] margins = LipschitzCertificate.Margins(network, test);
        double error = margins.Count(m => !(m > 0)) / (double)Math.Max(1, margins.Length);
        string certified = string.Join(", ", Radii.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r:0.##} {LipschitzCertificate.CertifiedAccuracy(margins, report.LogitBound, r):P2}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{network.Name} on {test.Name} ({test.Count}): error {error:P2}; certified accuracy (global bound, L2 radius) {certified}"));
        if (HasPairBounds(network))
        {
            double[] radii = LipschitzCertificate.PairRadii(network, test, LipschitzCertificate.PairBounds(network, report));
            string pairs = string.Join(", ", Radii.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r:0.##} {LipschitzCertificate.CertifiedAccuracy(radii, r):P2}")));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{network.Name} on {test.Name}: certified accuracy (per-class-pair bounds, L2 radius) {pairs}"));
        }
    }
}
