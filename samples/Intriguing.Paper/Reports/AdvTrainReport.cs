using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Intriguing.Paper;

/// <summary>The hidden-layer adversarial-training section (Sec. 4.2): tables per variant and per run, the discussion, advtrain.md and .json.</summary>
public static class AdvTrainReport
{
    /// <summary>The comparison read against the paper's claims, from the measured summaries (nothing here is fixed text about the numbers).</summary>
    private static string Discussion(AdvTrainResults r, string what)
    {
        var ci = CultureInfo.InvariantCulture;
        AdvTrainSummary? Get(string id) => r.Summaries.FirstOrDefault(s => s.Variant == id);
        AdvTrainSummary? baseline = Get("wd");
        bool paperModel = r.Model == AdvTrainModel.DefaultName;
        var pools = r.Summaries.Where(s => s.Variant is "input" or "all" || s.Variant.StartsWith("layer", StringComparison.Ordinal)).ToList();
        if (baseline is null || pools.Count == 0) return "";
        var sb = new StringBuilder();
        AdvTrainSummary best = pools.MinBy(s => s.TestError)!;
        bool below = best.TestError < 0.012;
        string paperNote = paperModel ? (below ? "below the paper's 1.2%. " : "the paper's < 1.2% is not reproduced. ") : "";
        bool helps = best.TestError + best.TestErrorSd < baseline.TestError - baseline.TestErrorSd;
        sb.Append(string.Create(ci, $"**Against the paper.** The best pool variant, ({best.Letter}) {best.Description}, reaches {100 * best.TestError:F2}% {what} against {100 * baseline.TestError:F2}% with weight decay alone{(paperModel ? ": " : " (the paper has no figure for this network). ")}"));
        sb.Append(paperNote);
        sb.Append(helps ? "It improves on weight decay alone by more than the spread over seeds. " : "No pool variant improves on weight decay alone by more than the spread over seeds. ");
        AdvTrainSummary? input = Get("input");
        var layers = new List<AdvTrainSummary>();
        for (int i = 1; Get($"layer{i}") is { } layer; i++) layers.Add(layer);
        if (input is not null && layers.Count > 0)
        {
            var byHeight = layers.Prepend(input).ToList();
            bool ordered = byHeight.Zip(byHeight.Skip(1)).All(p => p.First.TestError >= p.Second.TestError);
            sb.Append(string.Create(ci, $"By layer: input {100 * input.TestError:F2}%, {string.Join(", ", layers.Select((l, i) => string.Create(ci, $"hidden layer {i + 1} {100 * l.TestError:F2}%")))} — "));
            sb.Append(ordered ? "the higher the layer, the better, as the paper says" + (helps ? "" : ", though here it is an ordering of losses rather than of gains") + ". " : "not ordered by height as the paper suggests. ");
        }

        if (input is not null) sb.Append(string.Create(ci, $"Input-space examples change robustness (mean minimum input distortion) from {baseline.Robustness:F4} to {input.Robustness:F4} ({100 * (input.Robustness / baseline.Robustness - 1):+0;-0}%). "));
        if (!paperModel)
        {
            sb.AppendLine(string.Create(ci, $"The paper gives no pool settings for this experiment, and this network is not the paper's; the settings line below gives ours (docs/advtrain-search.md, \"Other architectures\", says which were chosen on held-out validation data). A gap may come from any of them."));
            sb.AppendLine();
            return sb.ToString();
        }

        sb.AppendLine(string.Create(ci, $"The paper gives no pool size, refresh rate, mixing ratio or attack strength for this experiment; ours are in the settings line below: the mixing ratio ({AdversarialTrainingExperiment.DefaultPools.MixingRatio:R}), the stored examples' distortion ({AdversarialTrainingExperiment.ComparisonPoolDistortion:R}), the refresh period ({AdversarialTrainingExperiment.ComparisonRefreshPeriod} steps), the draw of sources near the decision boundary ({AdversarialTrainingExperiment.ComparisonSourceCandidates} candidates per example) and the number of epochs ({AdversarialTrainingExperiment.ComparisonEpochs}) were chosen on held-out validation data (docs/advtrain-search.md), the others for cost. A gap here may come from any of them."));
        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>The comparison as a Markdown section (a table per variant, the plot, settings and times).</summary>
    public static string Section(AdvTrainResults r, string heading = "##")
    {
        ArgumentNullException.ThrowIfNull(r);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string what = r.Validation ? "validation error (held-out tenth of the training set)" : "test error";
        bool paperModel = r.Model == AdvTrainModel.DefaultName;
        AdvTrainModel? model = AdvTrainModel.FindModel(r.Model);
        sb.AppendLine($"{heading} Hidden-layer adversarial training (Sec. 4.2){(paperModel ? "" : ": " + r.Model)}");
        sb.AppendLine();
        if (r.Quick) sb.AppendLine("> **Quick run**: " + r.Epochs + " epoch(s), one seed, small pools — a smoke test of the machinery, not a result. Run `intriguing advtrain` for the comparison.").AppendLine();
        int hiddenCount = r.Summaries.Count == 0 ? r.HiddenLayers.Count : r.Summaries.Max(s => s.HiddenRobustness.Count == 0 ? 2 : s.HiddenRobustness.Count);
        sb.AppendLine((model?.Description ?? r.Model) + " "
            + "An example made in activation k's space trains only the layers above k. "
            + $"Robustness is the mean untargeted minimum RMS distortion (best of the 9 wrong labels, the reproduction's attack) of {r.RobustnessCount} fixed {(r.Validation ? "validation" : "test")} examples, counted over those the network classifies correctly; "
            + $"the same is measured in the space of each hidden layer{(r.Summaries.Any(s => !double.IsNaN(s.CertifiedRadius)) ? "; the certified L2 radius (CROWN bounds) is the mean over the first examples of the same draw, 0 for a misclassified one" : "")}.");
        sb.AppendLine();
        bool certified = r.Summaries.Any(s => !double.IsNaN(s.CertifiedRadius));
        string hiddenHeads = string.Concat(Enumerable.Range(1, hiddenCount).Select(i => $" hidden {i} |"));
        sb.AppendLine($"| variant | seeds | {what}: mean ± sd (min–max) |{(paperModel ? " paper |" : "")} robustness (input) |{hiddenHeads}{(certified ? " certified L2 radius |" : "")} training time per run (making pool examples) |");
        sb.AppendLine("| --- | ---: | ---: |" + (paperModel ? " ---: |" : "") + " ---: |" + string.Concat(Enumerable.Repeat(" ---: |", hiddenCount)) + (certified ? " ---: |" : "") + " ---: |");
        foreach (AdvTrainSummary s in r.Summaries)
        {
            IReadOnlyList<double> hidden = s.HiddenRobustness.Count > 0 ? s.HiddenRobustness : new[] { s.HiddenRobustness1, s.HiddenRobustness2 };
            string hiddenCells = string.Concat(Enumerable.Range(0, hiddenCount).Select(i => i < hidden.Count ? string.Create(ci, $" {hidden[i]:F3} |") : " – |"));
            string certifiedCell = certified ? string.Create(ci, $" {s.CertifiedRadius:F4} ± {s.CertifiedRadiusSd:F4} |") : "";
            sb.AppendLine(string.Create(ci, $"| ({s.Letter}) {s.Description} | {s.Seeds} | {100 * s.TestError:F2}% ± {100 * s.TestErrorSd:F2} ({100 * s.TestErrorMin:F2}–{100 * s.TestErrorMax:F2}) |{(paperModel ? $" {s.Paper ?? "–"} |" : "")} {s.Robustness:F4} ± {s.RobustnessSd:F4} |{hiddenCells}{certifiedCell} {s.TrainSeconds:F0} s ({s.AttackSeconds:F1} s) |"));
        }

        if (r.Summaries.Any(s => s.Spread.Count > 1))
        {
            sb.AppendLine();
            sb.AppendLine("Natural spread of each activation over the same examples (the RMS over its values of each value's standard deviation over the examples), "
                + "and in brackets the mean minimum distortion of the table above divided by it: how far, in units of the layer's natural variation, the nearest adversarial example of that space lies. "
                + "The pools store their examples at the settings line's fixed RMS distortion in every space.");
            sb.AppendLine();
            sb.AppendLine("| variant | input |" + hiddenHeads);
            sb.AppendLine("| --- | ---: |" + string.Concat(Enumerable.Repeat(" ---: |", hiddenCount)));
            foreach (AdvTrainSummary s in r.Summaries.Where(s => s.Spread.Count > 1))
            {
                IReadOnlyList<double> hidden = s.HiddenRobustness.Count > 0 ? s.HiddenRobustness : new[] { s.HiddenRobustness1, s.HiddenRobustness2 };
                double[] distortion = hidden.Prepend(s.Robustness).ToArray();
                string cells = string.Concat(Enumerable.Range(0, hiddenCount + 1).Select(i => i < s.Spread.Count && i < distortion.Length ? string.Create(ci, $" {s.Spread[i]:F3} ({distortion[i] / s.Spread[i]:F3}) |") : " – |"));
                sb.AppendLine(string.Create(ci, $"| ({s.Letter}) {s.Variant} |{cells}"));
            }
        }

        sb.AppendLine();
        sb.AppendLine($"![{what} and robustness per variant]({r.Figure})");
        sb.AppendLine();
        sb.AppendLine($"Left: {what} per variant (bar: mean; dots: seeds). Right: robustness (mean minimum input distortion). Variants in the order of the table.");
        sb.AppendLine();
        if (!r.Quick) sb.Append(Discussion(r, what));
        sb.AppendLine("Per run:");
        sb.AppendLine();
        sb.AppendLine("| variant | seed | error | train error | robustness | pool examples made (layer: attacked → verified, mean distortion; stored distortion if resized) | time |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | ---: |");
        foreach (AdvTrainRun run in r.Runs)
        {
            string pools = run.Pools.Count == 0 ? "–" : string.Join("; ", run.Pools.Select(p => string.Create(ci, $"{p.Layer}: {p.Attacked} → {p.Succeeded}, {p.MeanDistortion:F3}{(Resized(p.MeanDistortion, p.StoredDistortion) ? $" (stored {p.StoredDistortion:F3})" : "")}")));
            sb.AppendLine(string.Create(ci, $"| {run.Variant} | {run.Seed} | {100 * run.TestError:F2}% | {100 * run.TrainError:F2}% | {run.Robustness:F4} | {pools} | {run.TrainSeconds:F0} s{(run.FromCheckpoint ? " (earlier run)" : "")} |"));
        }

        sb.AppendLine();
        sb.AppendLine("Settings (the seed is each run's): " + r.Sgd + "; pools (layers per variant): " + r.Pools + ". Robustness attack: " + r.RobustnessAttack + ".");
        sb.AppendLine();
        if (r.Missing.Count > 0) sb.AppendLine("**Incomplete comparison**: runs not done: " + string.Join(", ", r.Missing) + ".").AppendLine();
        sb.AppendLine(string.Create(ci, $"The runs took {r.RunSeconds / 60:F1} min of training in all (as measured when each ran; this invocation took {r.TotalSeconds:F0} s)."));
        return sb.ToString();
    }

    /// <summary>Writes advtrain.png, advtrain.md and advtrain.json (or the quick / validation variants) into the output folder.</summary>
    public static void WriteOutputs(string directory, AdvTrainResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        SavePlot(directory, results);
        string stem = Path.Combine(directory, results.Figure[..^".png".Length]);
        var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
        RunStore.WriteAtomically(stem + ".json", json);
        RunStore.WriteAtomically(stem + ".md", "# Adversarial training\n\n" + Section(results));
    }

    /// <summary>Draws the comparison's plot, <see cref="AdvTrainResults.Figure"/>, into <paramref name="directory"/>.</summary>
    public static void SavePlot(string directory, AdvTrainResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        AdvTrainPlot.Save(Path.Combine(directory, results.Figure), results.Summaries, results.Runs, results.Validation ? "validation error %" : "test error %");
    }

    /// <summary>Whether the stored examples were resized (an overshoot or a fixed distortion); false for runs made before the stored distortion was recorded.</summary>
    internal static bool Resized(double made, double stored) => stored > 0 && stored != made;
}
