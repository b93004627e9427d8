using System.Globalization;
using System.Text;

namespace Intriguing.Paper;

/// <summary>The adversarial sections of the report: distortion tables (Tables 1 and 3) and cross-model tables (Tables 2 and 4).</summary>
public static class AdversarialReport
{
    /// <summary>The adversarial sections alone, as Markdown (for <c>intriguing transfer</c>).</summary>
    public static string Transfer(AdversarialResults a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var sb = new StringBuilder();
        sb.AppendLine("# Adversarial examples: distortion and cross-model generalisation").AppendLine();
        sb.AppendLine("## Table 1, last column (examples from the training set)").AppendLine();
        DistortionTable(sb, a.Table1);
        sb.AppendLine().AppendLine("## Table 3, last column (examples from the test set)").AppendLine();
        DistortionTable(sb, a.Table3);
        sb.AppendLine();
        CrossTableSection(sb, a.Table2);
        CrossTableSection(sb, a.Table4);
        foreach (string figure in a.Figures) sb.AppendLine($"![{figure}]({figure})").AppendLine();
        sb.AppendLine("Attack: " + a.Settings + ".");
        return sb.ToString();
    }

    /// <summary>A distortion table (Table 1 or 3, last column) with the note on targets.</summary>
    public static void DistortionTable(StringBuilder sb, List<DistortionStats> stats)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("| model | attacked | untargeted minimum (best of 9 targets) | random target | paper | gap (random − paper) | median time per example: 9 targets / 1 target | evaluations (9 targets) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (DistortionStats s in stats)
        {
            sb.AppendLine(string.Create(ci, $"| {s.Model} | {s.Attempted} | {s.MeanDistortion:F4} ± {s.Ci95:F4} ({s.Succeeded} found) | {s.RandomTargetDistortion:F4} ± {s.RandomTargetCi95:F4} ({s.RandomTargetSucceeded} found) | {s.PaperDistortion:F3} | {s.RandomTargetDistortion - s.PaperDistortion:+0.0000;-0.0000} | {s.MedianMilliseconds:F0} ms / {s.RandomTargetMedianMilliseconds:F0} ms | {s.MeanEvaluations:F0} |"));
        }

        sb.AppendLine();
        sb.AppendLine("The untargeted minimum is the smallest distortion over all nine wrong labels (each by the full c-search); with one random wrong label per example the distortion is larger. "
            + "The paper does not say how it chose targets; its figures are close to our random-target column, which suggests one target per example.");
    }

    /// <summary>A cross-model table (Table 2 or 4) with our errors beside the paper's and notes on large gaps.</summary>
    public static void CrossTableSection(StringBuilder sb, CrossTable table)
    {
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## " + table.Title);
        sb.AppendLine();
        sb.AppendLine("Each cell: our error (the paper's error, difference in points). Rows are sets of examples; columns the models tested on them.");
        sb.AppendLine();
        sb.AppendLine("| examples | " + string.Join(" | ", table.Columns) + " | distortion (paper) |");
        sb.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", table.Columns.Length + 1)));
        var notes = new List<string>();
        foreach (CrossRow row in table.Rows)
        {
            var cells = new List<string>();
            for (int c = 0; c < row.Errors.Length; c++)
            {
                double ours = 100 * row.Errors[c];
                if (row.PaperErrors is { } p)
                {
                    double diff = Math.Round(ours - 100 * p[c], 1);
                    if (diff == 0) diff = 0; // no "-0.0"
                    cells.Add(string.Create(ci, $"{ours:F1}% ({100 * p[c]:0.#}%, {diff:+0.0;-0.0})"));
                    if (Math.Abs(diff) > 10) notes.Add(string.Create(ci, $"{row.Name} on {table.Columns[c]}: {ours:F1}% vs {100 * p[c]:0.#}%"));
                }
                else
                {
                    cells.Add(string.Create(ci, $"{ours:F1}%"));
                }
            }

            sb.AppendLine($"| {row.Name} | {string.Join(" | ", cells)} | {row.Distortion.ToString("F3", ci)} ({(row.PaperDistortion is { } pd ? pd.ToString("0.###", ci) : "–")}) |");
        }

        sb.AppendLine();
        if (notes.Count > 0)
        {
            sb.AppendLine("Cells more than 10 points from the paper: " + string.Join("; ", notes) + ". "
                + "What we know about why: the paper does not give how many examples it used, how targets were chosen, the optimiser of the models or the attack's iteration limits; "
                + "transfer rates depend strongly on how far past the decision boundary an example lies, and our examples sit on the boundary of the attacked model (minimum distortion), which makes them transfer less than examples pushed further.");
            sb.AppendLine();
        }
    }
}
