using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Intriguing.Adversarial;
using Intriguing.Certification;
using Intriguing.Data;

namespace Intriguing.Paper;

/// <summary>
/// One model's bracket: per test example, certified radius (CROWN) ≤ true minimum distortion ≤ the L-BFGS attack's
/// untargeted minimum, with the global-Lipschitz certificate margin/(√2·L) beside it. Distances are L2 norms of pixel
/// values in [0, 1] unless named L∞.
/// </summary>
/// <param name="Model">Model name.</param>
/// <param name="Examples">Test examples drawn.</param>
/// <param name="Correct">Of those, classified correctly.</param>
/// <param name="Compared">Correct examples with a successful attack and a positive certified radius (the ratio's sample).</param>
/// <param name="MedianCertified">Median certified L2 radius (correct examples).</param>
/// <param name="MedianAttack">Median L2 distortion of the attack (successful attacks).</param>
/// <param name="MedianGlobal">Median global-Lipschitz certified L2 radius.</param>
/// <param name="RatioQ1">Lower quartile of attack / certified.</param>
/// <param name="RatioMedian">Median of attack / certified.</param>
/// <param name="RatioQ3">Upper quartile of attack / certified.</param>
/// <param name="GlobalRatioMedian">Median of attack / global-Lipschitz certificate.</param>
/// <param name="MedianCertifiedLinf">Median certified L∞ radius (correct examples).</param>
/// <param name="Violations">Examples whose certified radius exceeds the attack's distortion (a broken certificate; must be 0).</param>
/// <param name="MedianBestAttack">Median L2 distortion of the best of L-BFGS, DDN and FMN per example (the tightest upper bound of the true minimum).</param>
/// <param name="BestRatioQ1">Lower quartile of best attack / certified.</param>
/// <param name="BestRatioMedian">Median of best attack / certified.</param>
/// <param name="BestRatioQ3">Upper quartile of best attack / certified.</param>
/// <param name="BestViolations">Examples whose certified radius exceeds the best attack's distortion (must be 0).</param>
/// <param name="MsPerExample">Wall milliseconds per example of the L2 certification (all threads), search included.</param>
/// <param name="Method">The bound method.</param>
public sealed record BracketRow(string Model, int Examples, int Correct, int Compared, double MedianCertified, double MedianAttack, double MedianGlobal,
    double RatioQ1, double RatioMedian, double RatioQ3, double GlobalRatioMedian, double MedianCertifiedLinf, int Violations, double MsPerExample, string Method,
    double MedianBestAttack, double BestRatioQ1, double BestRatioMedian, double BestRatioQ3, int BestViolations);

/// <summary>Certified accuracy against the radius: the fraction of drawn test examples correct and certified at each ε, and the attack's (empirical) robust accuracy.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Norm">"L2" or "L∞".</param>
/// <param name="Epsilons">The radii.</param>
/// <param name="Certified">Certified accuracy at each radius.</param>
/// <param name="Empirical">Accuracy under the attack at each radius (L2 only; an upper bound of the true robust accuracy), or null.</param>
public sealed record AccuracyCurve(string Model, string Norm, double[] Epsilons, double[] Certified, double[]? Empirical);

/// <summary>The certification section of the report.</summary>
/// <param name="Rows">One bracket per model.</param>
/// <param name="Curves">Certified accuracy curves, L2 and L∞ per model.</param>
/// <param name="RatioBins">Upper edges of the histogram bins of attack / certified (the last is +∞).</param>
/// <param name="RatioHistograms">Per model, the fraction of compared examples in each bin.</param>
/// <param name="Figures">The section's charts (file names relative to the output folder).</param>
/// <param name="Tolerance">Relative tolerance of the radius search.</param>
public sealed record CertificationSection(List<BracketRow> Rows, List<AccuracyCurve> Curves, double[] RatioBins, Dictionary<string, double[]> RatioHistograms, List<string> Figures, double Tolerance);

/// <summary>Certified radii of test examples (bound propagation) and the bracket certified ≤ true minimum ≤ attack.</summary>
public static class CertificationExperiments
{
    /// <summary>Test examples of the bracket in a full run (the "at least 1,000").</summary>
    public const int DefaultExamples = 1000;

    /// <summary>
    /// Test examples of the bracket for convolutional models in a full run: CROWN's backward passes through two
    /// convolutions and the nine targeted L-BFGS attacks cost about a second per example even with windowed rows
    /// (docs/certification.md), so fewer are drawn.
    /// </summary>
    public const int ConvExamples = 100;

    /// <summary>The histogram's bin edges of attack / certified.</summary>
    public static readonly double[] RatioBins = { 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 6, double.PositiveInfinity };

    /// <summary>The seeded draw of test examples the certificates use (the same as the spectral analysis's).</summary>
    public static int[] TestDraw(Dataset test, int count, ulong seed) => SpectralExperiments.TestDraw(test, count, seed);

    /// <summary>Certifies the examples <paramref name="draw"/> of <paramref name="data"/> (in parallel, deterministic).</summary>
    public static CertifiedRadius[] Certify(ICertifiable network, Dataset data, int[] draw, CertifyOptions options, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(draw);
        var inputs = new float[draw.Length * data.SampleLength];
        var labels = new int[draw.Length];
        for (int i = 0; i < draw.Length; i++)
        {
            data.Sample(draw[i]).CopyTo(inputs.AsSpan(i * data.SampleLength));
            labels[i] = data.Labels[draw[i]];
        }

        return Certifier.Certify(network, inputs, labels, draw.Length, options, progress);
    }

    /// <summary>The bracket, the curves and the ratio histogram for every model of <paramref name="models"/> that is certifiable.</summary>
    public static CertificationSection Run(Dictionary<string, INetwork> networks, IEnumerable<string> models, Dataset test, int count, ulong seed, int threads, string outputDirectory, TextWriter log, CancellationToken cancellationToken = default, int? convCount = null, int attackSteps = 1000)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(log);
        var rows = new List<BracketRow>();
        var curves = new List<AccuracyCurve>();
        var histograms = new Dictionary<string, double[]>();
        const double tolerance = 1e-3;
        foreach (string model in models)
        {
            if (!networks.TryGetValue(model, out INetwork? net) || net is not ICertifiable certifiable) continue;
            bool convolutional = net.Summary.Layers.Any(l => l.Kind == LayerKind.Conv);
            int[] draw = TestDraw(test, convolutional && convCount is { } c ? Math.Min(c, count) : count, seed);
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            CertifiedRadius[] l2 = Certify(certifiable, test, draw, new CertifyOptions { Norm = PerturbationNorm.L2, RelativeTolerance = tolerance, Threads = threads });
            double msPerExample = clock.Elapsed.TotalMilliseconds / draw.Length;
            CertifiedRadius[] linf = Certify(certifiable, test, draw, new CertifyOptions { Norm = PerturbationNorm.LInfinity, RelativeTolerance = tolerance, Threads = threads });

            // The attack: the untargeted minimum of box-constrained L-BFGS (best over every wrong label), as in Table 1.
            LayerSpaceAttackResult attacked = LayerSpaceAttack.Run(certifiable, test, draw, TargetPolicy.Every, new AttackOptions(), seed, threads, cancellationToken: cancellationToken, batch: 1);
            var attackL2 = new double[draw.Length];
            Array.Fill(attackL2, double.PositiveInfinity);
            foreach (AttackResult r in attacked.Results)
            {
                if (!r.Success) continue;
                ReadOnlySpan<float> x = attacked.Space.Sample(r.Index);
                double sum = 0;
                for (int i = 0; i < x.Length; i++) sum += (double)(r.Adversarial[i] - x[i]) * (r.Adversarial[i] - x[i]);
                attackL2[r.Index] = Math.Sqrt(sum);
            }

            // The minimum-norm attacks DDN and FMN (L2) on the same correctly classified examples: the best of the three
            // attacks per example is the tightest upper bound of the true minimum.
            int[] correctAt = Enumerable.Range(0, draw.Length).Where(i => l2[i].Correct).ToArray();
            int[] correctExamples = correctAt.Select(i => draw[i]).ToArray();
            var bestL2 = (double[])attackL2.Clone();
            var execution = new AttackExecution { Threads = threads, CancellationToken = cancellationToken };
            foreach (IAttack extra in new IAttack[] { new Ddn(new DdnOptions { Steps = attackSteps }), new Fmn(new FmnOptions { Steps = Math.Max(1, attackSteps / 2) }) })
            {
                AttackResult[] results = extra.Run(certifiable, test, correctExamples, null, execution);
                for (int k = 0; k < results.Length; k++)
                {
                    if (results[k].Success && results[k].L2 < bestL2[correctAt[k]]) bestL2[correctAt[k]] = results[k].L2;
                }
            }

            // The global certificate margin/(√2·L) with L the product of the layers' bounds up to the logits.
            double logitBound = Spectral.LipschitzAnalysis.Analyze(certifiable).LogitBound;
            var global = new double[draw.Length];
            var logits = new float[certifiable.ActivationLength(certifiable.LayerCount - 1)];
            NetworkWorkspace ws = certifiable.CreateWorkspace(1);
            for (int i = 0; i < draw.Length; i++)
            {
                certifiable.ForwardTo(ws, certifiable.LayerCount - 1, test.Sample(draw[i]), logits);
                int label = test.Labels[draw[i]];
                double margin = double.PositiveInfinity;
                for (int j = 0; j < logits.Length; j++) if (j != label) margin = Math.Min(margin, (double)logits[label] - logits[j]);
                global[i] = margin > 0 ? margin / (Math.Sqrt(2) * logitBound) : 0;
            }

            var ratios = new List<double>();
            var globalRatios = new List<double>();
            int violations = 0;
            for (int i = 0; i < draw.Length; i++)
            {
                if (!l2[i].Correct || double.IsPositiveInfinity(attackL2[i])) continue;
                if (l2[i].Radius > attackL2[i]) violations++;
                if (l2[i].Radius > 0) ratios.Add(attackL2[i] / l2[i].Radius);
                if (global[i] > 0) globalRatios.Add(attackL2[i] / global[i]);
            }

            var bestRatios = new List<double>();
            int bestViolations = 0;
            for (int i = 0; i < draw.Length; i++)
            {
                if (!l2[i].Correct || double.IsPositiveInfinity(bestL2[i])) continue;
                if (l2[i].Radius > bestL2[i]) bestViolations++;
                if (l2[i].Radius > 0) bestRatios.Add(bestL2[i] / l2[i].Radius);
            }

            double[] bestSorted = bestRatios.Order().ToArray();
            double[] certifiedSorted = l2.Where(r => r.Correct).Select(r => r.Radius).Order().ToArray();
            double[] ratioSorted = ratios.Order().ToArray();
            var row = new BracketRow(model, draw.Length, certifiedSorted.Length, ratios.Count,
                Quantile(certifiedSorted, 0.5), Quantile(attackL2.Where(double.IsFinite).Order().ToArray(), 0.5),
                Quantile(global.Where((g, i) => l2[i].Correct).Order().ToArray(), 0.5),
                Quantile(ratioSorted, 0.25), Quantile(ratioSorted, 0.5), Quantile(ratioSorted, 0.75), Quantile(globalRatios.Order().ToArray(), 0.5),
                Quantile(linf.Where(r => r.Correct).Select(r => r.Radius).Order().ToArray(), 0.5), violations, msPerExample, "CROWN",
                Quantile(bestL2.Where(double.IsFinite).Order().ToArray(), 0.5), Quantile(bestSorted, 0.25), Quantile(bestSorted, 0.5), Quantile(bestSorted, 0.75), bestViolations);
            rows.Add(row);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model}: certified L2 radius median {row.MedianCertified:G3} (CROWN) vs {row.MedianGlobal:G3} (global Lipschitz); attack median {row.MedianAttack:G3}; attack/certified median {row.RatioMedian:F2} (quartiles {row.RatioQ1:F2}–{row.RatioQ3:F2}), attack/global {row.GlobalRatioMedian:F1}; best of L-BFGS, DDN, FMN median {row.MedianBestAttack:G3}, best/certified median {row.BestRatioMedian:F2} (quartiles {row.BestRatioQ1:F2}–{row.BestRatioQ3:F2}); {row.Violations + row.BestViolations} violations; {row.MsPerExample:F1} ms per example"));

            var histogram = new double[RatioBins.Length];
            foreach (double r in ratios)
            {
                int bin = 0;
                while (r > RatioBins[bin]) bin++;
                histogram[bin] += 1.0 / Math.Max(1, ratios.Count);
            }

            histograms[model] = histogram;
            double[] l2Grid = Enumerable.Range(0, 61).Select(i => i * 0.05).ToArray();
            double[] linfGrid = Enumerable.Range(0, 61).Select(i => i * 0.005).ToArray();
            curves.Add(new AccuracyCurve(model, "L2", l2Grid,
                l2Grid.Select(e => (double)l2.Count(r => r.CertifiedAt(e)) / draw.Length).ToArray(),
                l2Grid.Select(e => (double)Enumerable.Range(0, draw.Length).Count(i => l2[i].Correct && attackL2[i] > e) / draw.Length).ToArray()));
            curves.Add(new AccuracyCurve(model, "L∞", linfGrid, linfGrid.Select(e => (double)linf.Count(r => r.CertifiedAt(e)) / draw.Length).ToArray(), null));
        }

        var figures = new List<string>();
        if (rows.Count > 0)
        {
            Charts.Lines(Path.Combine(outputDirectory, "certified-accuracy-l2.png"), "Certified (solid) and attacked (dashed) accuracy against the L2 radius", "L2 radius (pixels in [0, 1])", "accuracy",
                curves.Where(c => c.Norm == "L2").SelectMany(c => new[] { new LineSeries(c.Model, c.Epsilons, c.Certified, false), new LineSeries(c.Model + " (attack)", c.Epsilons, c.Empirical!, true) }).ToList());
            Charts.Lines(Path.Combine(outputDirectory, "certified-accuracy-linf.png"), "Certified accuracy against the L∞ radius", "L∞ radius", "certified accuracy",
                curves.Where(c => c.Norm == "L∞").Select(c => new LineSeries(c.Model, c.Epsilons, c.Certified, false)).ToList());
            string[] bins = RatioBins.Select((edge, i) => (i == 0 ? "1" : RatioBins[i - 1].ToString("G3", CultureInfo.InvariantCulture)) + (double.IsPositiveInfinity(edge) ? "+" : "–" + edge.ToString("G3", CultureInfo.InvariantCulture))).ToArray();
            Charts.GroupedBars(Path.Combine(outputDirectory, "certified-ratio-histogram.png"), "Attack distortion / certified radius (L2), per test example", "fraction of examples", bins,
                histograms.Select(h => new BarSeries(h.Key, h.Value)).ToList(), width: 1100, legendOutside: true);
            figures.AddRange(new[] { "certified-accuracy-l2.png", "certified-accuracy-linf.png", "certified-ratio-histogram.png" });
        }

        return new CertificationSection(rows, curves, RatioBins, histograms, figures, tolerance);
    }

    /// <summary>The <paramref name="q"/>-quantile of sorted values, linearly interpolated; NaN if empty.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0) return double.NaN;
        double at = q * (sorted.Length - 1);
        int i = (int)Math.Floor(at);
        return i + 1 < sorted.Length ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }
}
