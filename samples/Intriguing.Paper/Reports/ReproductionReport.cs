using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Intriguing.Paper;

/// <summary>The reproduction report: results.json, report.md (our figures beside the paper's) and report.html.</summary>
public static class ReproductionReport
{
    /// <summary>Writes results.json, report.md and a self-contained report.html into <paramref name="directory"/> (each atomically), after the adversarial-training plot they show.</summary>
    public static void WriteOutputs(string directory, ReproductionResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        if (results.AdversarialTraining is { } advTraining) AdvTrainReport.SavePlot(directory, advTraining);
        var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
        RunStore.WriteAtomically(Path.Combine(directory, "results.json"), json);
        string markdown = Report(results);
        RunStore.WriteAtomically(Path.Combine(directory, "report.md"), markdown);
        RunStore.WriteAtomically(Path.Combine(directory, "report.html"), Intriguing.Reporting.HtmlReport.Convert(markdown, directory, "Intriguing properties of neural networks — reproduction report"));
    }

    /// <summary>The Markdown report: our figures beside the paper's, with the gaps, settings and times.</summary>
    public static string Report(ReproductionResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var ci = CultureInfo.InvariantCulture;
        string Pct(double? v) => v is null || double.IsNaN(v.Value) ? "–" : (100 * v.Value).ToString("F2", ci) + "%";
        string Gap(double ours, double? paper) => paper is null || double.IsNaN(paper.Value) ? "–" : ((100 * (ours - paper.Value)) >= 0 ? "+" : "") + (100 * (ours - paper.Value)).ToString("F2", ci);
        var sb = new StringBuilder();
        sb.AppendLine("# Intriguing properties of neural networks — reproduction report");
        sb.AppendLine();
        if (r.Quick) sb.AppendLine("> **Quick run (`--quick`)**: a fifth of the training epochs. Figures are indicative only; run without `--quick` for the full reproduction.").AppendLine();
        sb.AppendLine(string.Create(ci, $"Seed {r.Seed}. Machine: {r.Machine}. Total time {r.TotalSeconds:F0} s."));
        sb.AppendLine();
        sb.AppendLine("## Table 1 — MNIST models");
        sb.AppendLine();
        sb.AppendLine("| model | train error | paper | gap (points) | test error | paper | gap (points) | training time |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ModelResult m in r.Models.Where(m => m.Table is "Table 1" or "Sec. 3"))
        {
            sb.AppendLine(string.Create(ci, $"| {m.Name}{(m.Table == "Sec. 3" ? " (extra: not in Table 1)" : "")} | {Pct(m.TrainError)} | {Pct(m.PaperTrainError)} | {Gap(m.TrainError, m.PaperTrainError)} | {Pct(m.TestError)} | {Pct(m.PaperTestError)} | {Gap(m.TestError, m.PaperTestError)} | {(m.FromCheckpoint ? "checkpoint" : m.TrainSeconds.ToString("F1", ci) + " s")} |"));
        }

        sb.AppendLine();
        if (r.Models.Any(m => m.Table == "Sec. 3"))
        {
            sb.AppendLine("MNIST-Conv (1×28×28 → Conv 16@5×5 → ReLU → MaxPool 2 → Conv 32@5×5 → ReLU → MaxPool 2 → Dense 100 → ReLU → Dense 10) stands in for the convolutional network of the paper's Sec. 3, which gives neither its shape nor its error; it is not attacked in the adversarial tables.");
            sb.AppendLine();
        }

        if (r.Adversarial is { } adv)
        {
            sb.AppendLine("### Table 1, last column — average minimum distortion");
            sb.AppendLine();
            sb.AppendLine(string.Create(ci, $"{adv.Count} training examples drawn with the seed; each model attacks those it classifies correctly. Distortion is the RMS sqrt(Σ(x′−x)²/784) of the verified adversarial example."));
            sb.AppendLine();
            AdversarialReport.DistortionTable(sb, adv.Table1);
            if (r.HeadToHead is { } h && h.Count == adv.Count)
            {
                sb.AppendLine();
                sb.AppendLine("The untargeted minimum beside the least distortion any attack found on the same examples (the head-to-head below: L-BFGS, DeepFool, C&W, DDN and FMN, per example):");
                sb.AppendLine();
                sb.AppendLine("| model | untargeted minimum (L-BFGS) | minimum over attacks | paper (L-BFGS) |");
                sb.AppendLine("| --- | ---: | ---: | ---: |");
                foreach (DistortionStats d in adv.Table1)
                {
                    HeadToHeadModel? m = h.Models.FirstOrDefault(x => x.Model == d.Model);
                    if (m is null) continue;
                    sb.AppendLine(string.Create(ci, $"| {d.Model} | {d.MeanDistortion:F4} | {m.EnsembleMeanRms:F4} | {d.PaperDistortion:F3} |"));
                }
            }
        }
        else
        {
            sb.AppendLine("The adversarial sections were skipped (--attack-count 0).");
        }

        sb.AppendLine();
        sb.AppendLine("## Table 3 — models trained on disjoint halves P1 and P2 of the training set");
        sb.AppendLine();
        sb.AppendLine("| model | error on P1 | error on P2 | test error | paper test error | gap (points) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (ModelResult m in r.Models.Where(m => m.Table == "Table 3"))
        {
            sb.AppendLine(string.Create(ci, $"| {m.Name} | {Pct(m.P1Error)} | {Pct(m.P2Error)} | {Pct(m.TestError)} | {Pct(m.PaperTestError)} | {Gap(m.TestError, m.PaperTestError)} |"));
        }

        if (r.Adversarial is { } a)
        {
            sb.AppendLine();
            AdversarialReport.DistortionTable(sb, a.Table3);
            sb.AppendLine();
            AdversarialReport.CrossTableSection(sb, a.Table2);
            AdversarialReport.CrossTableSection(sb, a.Table4);
            sb.AppendLine("## Adversarial examples");
            sb.AppendLine();
            sb.AppendLine("Per example: the original (true label t), the difference magnified ten times around grey, and the adversarial example (prediction p), like the paper's Fig. 5 and 7.");
            sb.AppendLine();
            foreach (string figure in a.Figures) sb.AppendLine($"![{figure}]({figure})").AppendLine();
            sb.AppendLine("Attack: " + a.Settings + ".");
            sb.AppendLine();
            sb.AppendLine(string.Create(ci, $"The adversarial sections took {a.Seconds:F0} s."));
        }

        if (r.HeadToHead is { } headToHead)
        {
            sb.AppendLine();
            HeadToHeadReport.Section(sb, headToHead);
        }

        if (r.Table5 is not null || r.Spectral is { Count: > 0 })
        {
            sb.AppendLine();
            SpectralReport.Section(sb, r);
        }

        if (r.Certification is { Rows.Count: > 0 } certification)
        {
            sb.AppendLine();
            CertificationReport.Section(sb, certification);
        }

        if (r.Control is { Runs.Count: > 0 } control)
        {
            sb.AppendLine();
            ControlReport.Section(sb, control);
        }

        if (r.Units is { Count: > 0 } units)
        {
            sb.AppendLine();
            sb.AppendLine("## Units of φ(x) (Sec. 3, Fig. 1 and 2)");
            sb.AppendLine();
            sb.AppendLine("For FC100-100-10 (both sigmoid layers), MNIST-Conv (activation 8: the ReLU of its 100-unit dense layer, after the second pooling) and the MNIST test set: per row the 8 images that maximise one unit ⟨φ(x), e_i⟩ (seeded units) or one random unit-norm direction ⟨φ(x), v⟩, with the value under each image. "
                + "Label purity = fraction of a row's images that share its most common label, averaged over the rows; mean ± standard deviation over seeds. "
                + "The paper used a convolutional network and showed the rows look equally \"semantic\"; here is the same question, measured.");
            sb.AppendLine();
            sb.AppendLine("| model | activation | rows × images | seeds | purity, single units | purity, random directions |");
            sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
            foreach (UnitsSection u in units)
            {
                string where = u.Model == Reproduction.ConvModel ? "ReLU after Dense 100" : $"sigmoid {u.Layer / 2}";
                sb.AppendLine(string.Create(ci, $"| {u.Model} | {u.Layer} ({where}) | {u.Rows} × {u.Count} | {u.Seeds} | {u.NaturalPurity:P1} ± {u.NaturalPuritySd:P1} | {u.RandomPurity:P1} ± {u.RandomPuritySd:P1} |"));
            }

            sb.AppendLine();
            foreach (UnitsSection u in units)
            {
                sb.AppendLine($"{u.Model}, activation {u.Layer}, single units | random directions:").AppendLine();
                sb.AppendLine($"![{u.NaturalFigure}]({u.NaturalFigure}) ![{u.RandomFigure}]({u.RandomFigure})").AppendLine();
            }
        }

        if (r.AdversarialTraining is { } advTraining)
        {
            sb.AppendLine();
            sb.Append(AdvTrainReport.Section(advTraining));
        }

        sb.AppendLine();
        sb.AppendLine("## Settings");
        sb.AppendLine();
        sb.AppendLine("The paper gives the architectures and weight decays but not the optimiser; ours are below. Weight decay adds (λ/2)·‖W‖² per layer to the mean cross-entropy.");
        sb.AppendLine();
        foreach (ModelResult m in r.Models)
        {
            sb.AppendLine(string.Create(ci, $"- **{m.Name}** ({m.Split}): {m.Settings}{(m.SamplesPerSecond > 0 ? $"; {m.SamplesPerSecond:N0} samples/s" : "")}"));
        }

        return sb.ToString();
    }
}
