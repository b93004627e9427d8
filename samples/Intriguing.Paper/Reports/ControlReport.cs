using System.Globalization;
using System.Text;

namespace Intriguing.Paper;

/// <summary>The report's section "Controlling instability": the table over the control strength and its figures.</summary>
public static class ControlReport
{
    /// <summary>The figure of distances against the bound product.</summary>
    public const string DistortionFigure = "control-distortion.png";

    /// <summary>The figure of error and certified accuracy against the bound product.</summary>
    public const string AccuracyFigure = "control-accuracy.png";

    /// <summary>Draws the section's figures into <paramref name="directory"/>; returns their file names (none without runs).</summary>
    public static List<string> Charts(string directory, ControlSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        string[] models = section.Runs.Where(r => !ControlExperiment.Collapsed(r)).Select(r => r.Model).Distinct().ToArray();
        if (models.Length == 0) return [];
        // Collapsed runs (near-constant networks: their L and global radii are meaningless) stay out of the figures.
        XySeries Series(string model, string name, Func<ControlRun, double> value)
        {
            ControlRun[] runs = section.Runs.Where(r => r.Model == model && !ControlExperiment.Collapsed(r)).ToArray();
            var means = runs.GroupBy(r => r.Variant)
                .Select(g => (L: Math.Exp(g.Average(r => Math.Log(r.BoundProduct))), Y: g.Select(value).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()))
                .OrderBy(m => m.L).ToArray();
            return new XySeries(name, means.Select(m => m.L).ToArray(), means.Select(m => m.Y).ToArray(), runs.Select(r => r.BoundProduct).ToArray(), runs.Select(value).ToArray());
        }

        const string xLabel = "bound product L (input to logits)";
        Intriguing.Paper.Charts.XyPanels(Path.Combine(directory, DistortionFigure), models.Select(m => new XyPanel(
            $"{m}: distances against L", xLabel, "L2 distance (pixels in [0, 1])",
            [
                Series(m, "L-BFGS mean minimum distortion", r => r.MeanAttackL2),
                Series(m, "certified radius, CROWN (mean)", r => r.MeanCrownRadius),
                Series(m, "certified radius, global margin/(√2L) (mean)", r => r.MeanGlobalRadius),
                Series(m, "certified radius, best of global, pair and CROWN (mean)", r => r.MeanBestRadius),
            ], true)).ToList());
        Intriguing.Paper.Charts.XyPanels(Path.Combine(directory, AccuracyFigure), models.Select(m => new XyPanel(
            $"{m}: error and certified accuracy against L", xLabel, "fraction of test images",
            new[] { Series(m, "test error", r => r.TestError) }
                .Concat(section.Radii.Select((e, k) => Series(m, string.Create(CultureInfo.InvariantCulture, $"certified at L2 {e:0.##} (best certificate)"), r => r.BestCertified[k])))
                .ToList(), true)).ToList());
        return [DistortionFigure, AccuracyFigure];
    }

    /// <summary>Appends the section.</summary>
    public static void Section(StringBuilder sb, ControlSection c)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(c);
        var ci = CultureInfo.InvariantCulture;
        string Pct(double v) => double.IsNaN(v) ? "–" : (100 * v).ToString("F1", ci) + "%";
        string Num(double v) => double.IsNaN(v) ? "–" : v >= 1000 ? v.ToString("N0", ci) : v.ToString("G3", ci);
        string Sd(double mean, double sd, int seeds, Func<double, string> format) => seeds > 1 && !double.IsNaN(mean) ? $"{format(mean)} ± {format(sd)}" : format(mean);
        string radii = string.Join(" / ", c.Radii.Select(r => r.ToString("0.##", ci)));
        sb.AppendLine("## Controlling instability: Lipschitz-controlled and certifiably robust training");
        sb.AppendLine();
        if (c.Quick) sb.AppendLine("> **Quick run (`--quick`)**: the short schedule below (fewer epochs, a fifth of the training set, fewer drawn examples). Figures are indicative only.").AppendLine();
        sb.AppendLine("The paper's Sec. 4.3 suggests that the instability can be mitigated \"through control of the Lipschitz constants and operator norms\". "
            + "Here each model is trained with increasing control of its dense and convolution layers' operator norms (docs/lipschitz.md): the uncontrolled recipe, "
            + "a projection after every step that keeps each layer's norm at most τ, and the certified objectives that train through the network's global bound "
            + "(Lipschitz-margin training, Tsuzuku et al. 2018; GloRo, Leino et al. 2021), each with the projection. Per trained network: the test error, the product L of "
            + "the layers' certified bounds up to the logits, the certified radii (global: margin/(√2·L); per example: CROWN bound propagation in the pixel box), "
            + "the mean minimum distortion of the untargeted L-BFGS attack (Table 1's attack, best of the 9 wrong labels) and the certified accuracy at the L2 radii "
            + radii + " (GloRo's MNIST state of the art at 1.58 is 62.8%).");
        sb.AppendLine();
        foreach (var (model, schedule) in c.Schedules) sb.AppendLine($"- **{model}**: {schedule}. Recipe the variants start from: {c.Recipes[model]}.");
        sb.AppendLine(string.Create(ci, $"- Seeds: {string.Join(", ", c.Seeds)}; a cell with ± gives the mean and the sample standard deviation over the seeds; L is their geometric mean."));
        sb.AppendLine();
        sb.AppendLine($"| model | control | seeds | test error | L | mean radius: global / pair / CROWN / best | L-BFGS mean min. distortion | certified, global bound ({radii}) | certified, pair bounds ({radii}) | certified, CROWN ({radii}) | certified, best ({radii}) | broken |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ControlSummary s in c.Summaries.Where(s => s.Seeds + s.Collapsed > 0))
        {
            string Acc(double[] a) => string.Join(" / ", a.Select(Pct));
            sb.AppendLine(string.Create(ci, $"| {s.Model} | {s.Label} | {s.Seeds}{(s.Collapsed > 0 ? $" (+{s.Collapsed} collapsed)" : "")} | {Sd(s.TestError, s.TestErrorSd, s.Seeds, Pct)} | {Num(s.BoundProduct)} | {Num(s.MeanGlobalRadius)} / {Num(s.MeanPairRadius)} / {Sd(s.MeanCrownRadius, s.MeanCrownRadiusSd, s.Seeds, Num)} / {Num(s.MeanBestRadius)} | {Sd(s.MeanAttackL2, s.MeanAttackL2Sd, s.Seeds, Num)} | {Acc(s.GlobalCertified)} | {Acc(s.PairCertified)} | {Acc(s.CrownCertified)} | {Acc(s.BestCertified)} | {s.Violations} |"));
        }

        sb.AppendLine();
        sb.AppendLine("Radii and distortions are L2 norms of pixel values in [0, 1] (RMS × 28), means over the correctly classified drawn test images; the global and pair-bound "
            + "certified accuracies are over the whole test set, the CROWN and best ones over the drawn images. The pair radius is min over the other classes i of "
            + "(z_y − z_i)/K_yi with GloRo's per-class-pair bounds K_yi (docs/lipschitz.md); \"best\" is, per image, the largest of the three certified radii (each is sound). "
            + "\"Broken\" counts drawn images whose best certified radius exceeds the attack's distortion (a certificate an attack would break); it must be 0. Per-seed layer bounds, times and every figure are in results.json (`Control`).");
        sb.AppendLine();
        foreach (string figure in c.Figures) sb.AppendLine($"![{figure}]({figure})").AppendLine();
        if (c.Figures.Count > 0)
        {
            sb.AppendLine("Large markers are the means per control setting (at the geometric mean of its L), small ones of the same shape single seeds. Left of a panel is strong control (small L), right the uncontrolled network.");
            sb.AppendLine();
        }

        ControlRun[] collapsed = c.Runs.Where(ControlExperiment.Collapsed).ToArray();
        if (collapsed.Length > 0)
        {
            sb.AppendLine(string.Create(ci, $"Collapsed runs (test error above {ControlExperiment.CollapsedError:P0}: a near-constant network, whose L and global radius mean nothing), left out of the means and the figures; their figures are in results.json: {string.Join(", ", collapsed.Select(r => $"{r.Model} {r.Variant} seed {r.Seed} ({r.TestError:P1}, L {r.BoundProduct:G3})"))}."));
            sb.AppendLine();
        }

        if (c.Missing.Count > 0) sb.AppendLine($"**Incomplete**: runs not done yet, left out: {string.Join(", ", c.Missing)}.").AppendLine();
        sb.AppendLine(string.Create(ci, $"The section took {c.Seconds:F0} s in this invocation (reused runs cost nothing; training and measuring times per run are in results.json)."));
    }
}
