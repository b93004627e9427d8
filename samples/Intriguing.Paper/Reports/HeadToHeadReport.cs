using System.Globalization;
using System.Text;

namespace Intriguing.Paper;

/// <summary>The head-to-head section of the report: L-BFGS against the minimum-norm attacks.</summary>
public static class HeadToHeadReport
{
    /// <summary>Appends the section.</summary>
    public static void Section(StringBuilder sb, HeadToHeadResults h)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(h);
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## Is the \"minimum\" distortion minimal? L-BFGS against the minimum-norm attacks");
        sb.AppendLine();
        sb.AppendLine(string.Create(ci, $"The examples of Table 1 ({h.Count} drawn from the training set; each model attacks those it classifies correctly), untargeted, L2, inside the box [0, 1]. ")
            + "Optimality (AttackBench, Cinà et al.): the area under the robust-accuracy curve of the per-example best over all attacks divided by the area under the attack's own curve, on [0, ε_max] with ε_max the largest distortion found (a failure counts as ε_max); 1 means the attack found the best perturbation on every example. "
            + "\"best\" counts the examples on which the attack found the least distortion of all.");
        sb.AppendLine();
        sb.AppendLine("| model | attack | fooled | optimality | median L2 | mean L2 | mean RMS | best | gradients per example | forward passes per example | time |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (HeadToHeadModel m in h.Models)
        {
            foreach (HeadToHeadRow r in m.Rows)
            {
                sb.AppendLine(string.Create(ci, $"| {m.Model} | {r.Attack} | {r.Succeeded}/{m.Attacked} | {r.Optimality:F3} | {r.MedianL2:F4} | {r.MeanL2:F4} | {r.MeanRms:F4} | {r.Best} | {r.MeanGradients:F0} | {r.MeanForwards:F0} | {r.Seconds:F1} s |"));
            }
        }

        sb.AppendLine();
        sb.AppendLine("Table 1's average minimum distortion (mean RMS) with the per-example minimum over every attack beside L-BFGS and the paper:");
        sb.AppendLine();
        sb.AppendLine("| model | L-BFGS (this run) | minimum over attacks | paper (L-BFGS) | L-BFGS above the minimum |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (HeadToHeadModel m in h.Models)
        {
            HeadToHeadRow? lbfgs = m.Rows.FirstOrDefault(r => r.Attack == "lbfgs");
            double own = lbfgs?.MeanRms ?? double.NaN;
            string paper = double.IsNaN(m.PaperDistortion) ? "—" : m.PaperDistortion.ToString("F3", ci);
            sb.AppendLine(string.Create(ci, $"| {m.Model} | {own:F4} | {m.EnsembleMeanRms:F4} | {paper} | {(own / m.EnsembleMeanRms) - 1:P1} |"));
        }

        sb.AppendLine();
        var ranks = h.Models.Select(m => m.Rows.OrderByDescending(r => r.Optimality).Select(r => r.Attack).ToList().IndexOf("lbfgs") + 1).ToArray();
        if (ranks.Length > 0)
        {
            sb.AppendLine(string.Create(ci, $"L-BFGS ranks {string.Join(", ", h.Models.Select((m, i) => $"{ranks[i]} of {m.Rows.Count} on {m.Model}"))} by optimality."));
            sb.AppendLine();
        }

        sb.AppendLine("Attacks: " + h.Settings + string.Create(ci, $". The section took {h.Seconds:F0} s."));
    }
}
