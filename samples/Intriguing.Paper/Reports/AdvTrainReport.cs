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
        var pools = r.Summaries.Where(s => s.Variant is "input" or "layer1" or "layer2" or "all").ToList();
        if (baseline is null || pools.Count == 0) return "";
        var sb = new StringBuilder();
        AdvTrainSummary best = pools.MinBy(s => s.TestError)!;
        bool below = best.TestError < 0.012;
        bool helps = best.TestError + best.TestErrorSd < baseline.TestError - baseline.TestErrorSd;
        sb.Append(string.Create(ci, $"**Against the paper.** The best pool variant, ({best.Letter}) {best.Description}, reaches {100 * best.TestError:F2}% {what} against {100 * baseline.TestError:F2}% with weight decay alone: "));
        sb.Append(below ? "below the paper's 1.2%. " : "the paper's < 1.2% is not reproduced. ");
        sb.Append(helps ? "It improves on weight decay alone by more than the spread over seeds. " : "No pool variant improves on weight decay alone by more than the spread over seeds. ");
        AdvTrainSummary? input = Get("input"), l1 = Get("layer1"), l2 = Get("layer2");
        if (input is not null && l1 is not null && l2 is not null)
        {
            bool ordered = input.TestError >= l1.TestError && l1.TestError >= l2.TestError;
            sb.Append(string.Create(ci, $"By layer: input {100 * input.TestError:F2}%, hidden layer 1 {100 * l1.TestError:F2}%, hidden layer 2 {100 * l2.TestError:F2}% — "));
            sb.Append(ordered ? "the higher the layer, the better, as the paper says" + (helps ? "" : ", though here it is an ordering of losses rather than of gains") + ". " : "not ordered by height as the paper suggests. ");
        }

        if (input is not null) sb.Append(string.Create(ci, $"Input-space examples change robustness (mean minimum input distortion) from {baseline.Robustness:F4} to {input.Robustness:F4} ({100 * (input.Robustness / baseline.Robustness - 1):+0;-0}%). "));
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
        sb.AppendLine($"{heading} Hidden-layer adversarial training (Sec. 4.2)");
        sb.AppendLine();
        if (r.Quick) sb.AppendLine("> **Quick run**: " + r.Epochs + " epoch(s), one seed, small pools — a smoke test of the machinery, not a result. Run `intriguing advtrain` for the comparison.").AppendLine();
        sb.AppendLine("FC100-100-10 (sigmoid, weight decay 1e-5, 1e-5, 1e-6 as in Table 1), trained by the same SGD recipe and seeds with and without pools of adversarial examples. "
            + "\"Hidden layer 1/2\" are the paper's layers: the outputs of the first and second sigmoid, activations 2 and 4 in our numbering (Dense, Sigmoid, Dense, Sigmoid, Dense, Softmax). "
            + "(For the dropout network the hidden layers are the same sigmoid outputs, activations 3 and 6.) "
            + "An example made in activation k's space trains only the layers above k. "
            + $"Robustness is the mean untargeted minimum RMS distortion (best of the 9 wrong labels, the reproduction's attack) of {r.RobustnessCount} fixed {(r.Validation ? "validation" : "test")} examples, counted over those the network classifies correctly; "
            + "the same is measured in the spaces of the two hidden layers.");
        sb.AppendLine();
        sb.AppendLine($"| variant | seeds | {what}: mean ± sd (min–max) | paper | robustness (input) | hidden 1 | hidden 2 | training time per run (making pool examples) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (AdvTrainSummary s in r.Summaries)
        {
            sb.AppendLine(string.Create(ci, $"| ({s.Letter}) {s.Description} | {s.Seeds} | {100 * s.TestError:F2}% ± {100 * s.TestErrorSd:F2} ({100 * s.TestErrorMin:F2}–{100 * s.TestErrorMax:F2}) | {s.Paper ?? "–"} | {s.Robustness:F4} ± {s.RobustnessSd:F4} | {s.HiddenRobustness1:F3} | {s.HiddenRobustness2:F3} | {s.TrainSeconds:F0} s ({s.AttackSeconds:F1} s) |"));
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
        string stem = Path.Combine(directory, results.Quick ? "advtrain-quick" : results.Validation ? "advtrain-validation" : "advtrain");
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
