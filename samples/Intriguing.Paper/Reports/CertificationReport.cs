using System.Globalization;
using System.Text;

namespace Intriguing.Paper;

/// <summary>The report's certification section: the bracket certified ≤ true minimum ≤ attack, the curves and the histogram.</summary>
public static class CertificationReport
{
    /// <summary>Appends the section.</summary>
    public static void Section(StringBuilder sb, CertificationSection c)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(c);
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("## Certified radii: a bracket on every example (bound propagation)");
        sb.AppendLine();
        sb.AppendLine("Per test example, the certified radius proves that no perturbation within it (inside the pixel box) changes the decision; the attack's untargeted "
            + "minimum (box-constrained L-BFGS, best over every wrong label) shows one just beyond its distortion. The true minimum distortion lies between them. "
            + "Certified radii come from CROWN bound propagation (Zhang et al. 2018) in the generated code: interval bounds, then linear relaxations of every "
            + "nonlinearity carried back to the input, with the exact minimum over the L2 ball intersected with the pixel box at the input; the radius is the "
            + string.Create(ci, $"largest one proved, found to a relative tolerance of {c.Tolerance:G2}. Beside it the global certificate margin/(√2·L) of the spectral section. L2 norms of pixel values in [0, 1] (RMS × 28).")).AppendLine();
        sb.AppendLine("| Model | Examples | Correct | Certified L2 (median) | Global-Lipschitz L2 (median) | L-BFGS L2 (median) | L-BFGS / certified: median (quartiles) | L-BFGS / global (median) | Best attack L2 (median) | Best attack / certified: median (quartiles) | Certified L∞ (median) | Broken certificates | ms per example (L2) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (BracketRow r in c.Rows)
        {
            sb.AppendLine(string.Create(ci, $"| {r.Model} | {r.Examples} | {r.Correct} | {r.MedianCertified:G3} | {r.MedianGlobal:G3} | {r.MedianAttack:G3} | {r.RatioMedian:F2} ({r.RatioQ1:F2}–{r.RatioQ3:F2}) | {r.GlobalRatioMedian:F1} | {r.MedianBestAttack:G3} | {r.BestRatioMedian:F2} ({r.BestRatioQ1:F2}–{r.BestRatioQ3:F2}) | {r.MedianCertifiedLinf:G3} | {r.Violations + r.BestViolations} | {r.MsPerExample:F1} |"));
        }

        sb.AppendLine();
        sb.AppendLine("\"Best attack\" is, per example, the smallest of the L-BFGS, DDN and FMN distortions (the minimum-norm attacks of the head-to-head), the tightest upper bound "
            + "of the true minimum we have. \"Broken certificates\" counts examples whose certified radius exceeds any attack's distortion: a certificate an attack would break. It must be 0. "
            + "The ratio attack / certified bounds how far the certificate can be from the true minimum: a ratio of 2 means the true minimum is within a factor 2 of both. "
            + "The gap comes from both sides: the relaxations lose tightness where many neurons are undecided (sigmoid layers with wide pre-activation ranges, max pooling "
            + "whose winner is not certain), and L-BFGS's untargeted minimum is itself only an upper bound.");
        sb.AppendLine();
        foreach (string figure in c.Figures) sb.AppendLine($"![{figure}]({figure})").AppendLine();
        sb.AppendLine("Certified accuracy at ε: the fraction of the drawn test examples classified correctly and certified at radius ε (solid); the dashed lines give the "
            + "accuracy under the attack, an upper bound of the true robust accuracy.");
    }
}
