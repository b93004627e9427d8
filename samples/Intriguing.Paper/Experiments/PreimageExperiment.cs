using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>One pool example mapped back to input space.</summary>
/// <param name="Source">Index of its source in the training set.</param>
/// <param name="Label">The source's true label.</param>
/// <param name="HiddenDistortion">RMS of δ = h′ − φ_k(x), the stored perturbation in the pool's space.</param>
/// <param name="HiddenWrong">Whether the network misclassifies h′ itself.</param>
/// <param name="InputDistortion">RMS of r = x′ − x, the preimage's input perturbation.</param>
/// <param name="RelativeResidual">‖φ_k(x′) − h′‖ / ‖δ‖.</param>
/// <param name="InputWrong">Whether the network misclassifies x′.</param>
/// <param name="InputMinimum">The pool attack's minimum RMS distortion of the same source in input space (NaN if it failed).</param>
/// <param name="Iterations">L-BFGS-B iterations of the preimage search.</param>
/// <param name="Converged">Whether the search stopped on a convergence test (not on the iteration limit).</param>
/// <param name="InactiveShare">‖δ on the values where φ_k(x) is exactly 0‖ / ‖δ‖: the part of δ on inactive ReLU units (and
/// pooled outputs of them), whose gradient with respect to the input is 0 at x.</param>
public sealed record PreimageExample(int Source, int Label, double HiddenDistortion, bool HiddenWrong, double InputDistortion, double RelativeResidual, bool InputWrong, double InputMinimum, int Iterations, bool Converged, double InactiveShare);

/// <summary>The pool examples of one activation mapped back to input space, and their summary.</summary>
/// <param name="Layer">The pool's activation (0 = the input pool, for reference).</param>
/// <param name="Lambda">λ of the preimage search.</param>
/// <param name="Attacked">Sources attacked by the refresh (those classified correctly).</param>
/// <param name="Spread">Natural spread of the activation over the sources (RMS over its values of each value's standard deviation).</param>
/// <param name="Examples">Every pool example, in pool order.</param>
public sealed record PreimageLayer(int Layer, double Lambda, int Attacked, double Spread, List<PreimageExample> Examples)
{
    /// <summary>Mean <see cref="PreimageExample.InactiveShare"/>.</summary>
    public double InactiveShare => Mean(Examples.Select(e => e.InactiveShare));

    /// <summary>Fraction of the searches that converged (the others stopped at the iteration limit).</summary>
    public double Converged => Mean(Examples.Select(e => e.Converged ? 1.0 : 0.0));

    /// <summary>Mean RMS of δ.</summary>
    public double HiddenDistortion => Mean(Examples.Select(e => e.HiddenDistortion));

    /// <summary>Fraction of the hidden examples h′ that are misclassified.</summary>
    public double HiddenWrong => Mean(Examples.Select(e => e.HiddenWrong ? 1.0 : 0.0));

    /// <summary>Mean RMS of r.</summary>
    public double InputDistortion => Mean(Examples.Select(e => e.InputDistortion));

    /// <summary>Median RMS of r.</summary>
    public double InputDistortionMedian => Median(Examples.Select(e => e.InputDistortion));

    /// <summary>Mean input-space minimum distortion of the sources (where the attack succeeded).</summary>
    public double InputMinimum => Mean(Examples.Select(e => e.InputMinimum).Where(double.IsFinite));

    /// <summary>Median over the examples of RMS(r) / the source's input-space minimum distortion.</summary>
    public double RatioMedian => Median(Examples.Where(e => double.IsFinite(e.InputMinimum) && e.InputMinimum > 0).Select(e => e.InputDistortion / e.InputMinimum));

    /// <summary>Median relative residual.</summary>
    public double ResidualMedian => Median(Examples.Select(e => e.RelativeResidual));

    /// <summary>Mean relative residual.</summary>
    public double ResidualMean => Mean(Examples.Select(e => e.RelativeResidual));

    /// <summary>Fraction of the preimages x′ that are misclassified (adversarial examples in input space).</summary>
    public double InputWrong => Mean(Examples.Select(e => e.InputWrong ? 1.0 : 0.0));

    /// <summary>Fraction of the preimages that are misclassified, among the examples whose h′ is misclassified.</summary>
    public double InputWrongGivenHiddenWrong => Mean(Examples.Where(e => e.HiddenWrong).Select(e => e.InputWrong ? 1.0 : 0.0));

    private static double Mean(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        return v.Length == 0 ? double.NaN : v.Average();
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }
}

/// <summary>Everything one <see cref="PreimageExperiment.Run"/> measured.</summary>
/// <param name="Model">The architecture.</param>
/// <param name="Count">Examples drawn per pool.</param>
/// <param name="Seed">Seed of the draws and attacks.</param>
/// <param name="Lambdas">The values of λ of the preimage search, each applied to every pool.</param>
/// <param name="MaxIterations">The iteration limit of each search.</param>
/// <param name="PoolSettings">The pool settings, as <see cref="AdversarialTrainingOptions.Describe"/> writes them.</param>
/// <param name="InputSpread">Natural spread of the input over the sources of the first pool.</param>
/// <param name="Layers">One entry per pool and λ.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record PreimageResults(string Model, int Count, ulong Seed, List<double> Lambdas, int MaxIterations, string PoolSettings, double InputSpread, List<PreimageLayer> Layers, double Seconds);

/// <summary>
/// Where hidden-layer pool examples lie in input space: pools are refreshed against a trained network with the
/// comparison's settings, and each example h′ = φ_k(x) + δ is mapped back to an input x′ = x + r by
/// <see cref="HiddenPreimage.Find"/>; r is compared with the pool attack's minimum distortion of x in input space.
/// </summary>
public static class PreimageExperiment
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Makes one pool per activation of <paramref name="layers"/> and maps its examples back to input space.</summary>
    /// <param name="net">The trained network (read only).</param>
    /// <param name="model">Its name, for the report.</param>
    /// <param name="source">The data the pools draw from (the training set).</param>
    /// <param name="count">Examples drawn per pool (the pool keeps the verified ones).</param>
    /// <param name="layers">The pools' activations; 0 is the input pool, whose preimages are the examples themselves.</param>
    /// <param name="pools">The comparison's pool settings (attack, stored distortion or overshoot, candidates).</param>
    /// <param name="preimage">Settings of the preimage search (its λ is replaced by each of <paramref name="lambdas"/>).</param>
    /// <param name="lambdas">The values of λ; every pool's examples are mapped back with each.</param>
    /// <param name="seed">Seed of the draws (the same for every pool, so the pools share their sources) and attacks.</param>
    /// <param name="threads">Threads for the attacks and the preimage searches; the results do not depend on it.</param>
    /// <param name="log">Progress lines; null for none.</param>
    /// <param name="cancellationToken">Stops between examples.</param>
    public static PreimageResults Run(IClassifier net, string model, Dataset source, int count, IReadOnlyList<int> layers, AdversarialTrainingOptions pools, PreimageOptions preimage, IReadOnlyList<double> lambdas, ulong seed, int threads, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(preimage);
        ArgumentNullException.ThrowIfNull(lambdas);
        if (lambdas.Count == 0) throw new ArgumentException("Give at least one λ.", nameof(lambdas));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        foreach (int k in layers)
        {
            if (k < 0 || k >= net.LayerCount) throw new ArgumentOutOfRangeException(nameof(layers), k, $"{net.Name} has pool activations 0 to {net.LayerCount - 1}.");
        }

        foreach (double lambda in lambdas) (preimage with { Lambda = lambda }).Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<PreimageLayer>();
        double inputSpread = double.NaN;
        foreach (int k in layers)
        {
            var pool = new AdversarialPool(k, count, net.ActivationLength(k));
            PoolRefresh refresh = pool.Refresh(net, source, count, pools.Attack with { Layer = k }, seed, threads, cancellationToken, pools.Overshoot, pools.PoolDistortion, pools.SourceCandidates);
            int n = pool.Count;
            int[] sources = Enumerable.Range(0, n).Select(pool.Source).ToArray();

            // The same sources attacked in input space by the pool's attack: the input pool's minimum for each.
            LayerSpaceAttackResult input = LayerSpaceAttack.Run(net, source, sources, TargetPolicy.RunnerUp, pools.Attack with { Layer = 0 }, seed, threads, cancellationToken: cancellationToken);
            double[] minimum = Enumerable.Repeat(double.NaN, n).ToArray();
            foreach (AttackResult a in input.Results.Where(a => a.Success)) minimum[a.Index] = a.Distortion;

            NetworkWorkspace ws = net.CreateWorkspace(1);
            float[] outputs = new float[net.OutputLength];
            int Predict(ReadOnlySpan<float> activation, int from)
            {
                net.ForwardFrom(ws, from, activation, outputs);
                int best = 0;
                for (int c = 1; c < outputs.Length; c++) if (outputs[c] > outputs[best]) best = c;
                return best;
            }

            Dataset space = LayerSpaceAttack.Project(net, source, sources, k, batch: 1);
            bool[] hiddenWrong = Enumerable.Range(0, n).Select(i => Predict(pool.Sample(i), k) != pool.Label(i)).ToArray();
            if (double.IsNaN(inputSpread)) inputSpread = AdversarialTrainingExperiment.SpreadOf(LayerSpaceAttack.Project(net, source, sources, 0, batch: 1));
            double spread = AdversarialTrainingExperiment.SpreadOf(space);
            foreach (double lambda in lambdas)
            {
                PreimageOptions settings = preimage with { Lambda = lambda };
                var found = new PreimageResult[n];
                Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken },
                    i => found[i] = HiddenPreimage.Find(net, k, source.Sample(sources[i]), pool.Sample(i), settings, cancellationToken));
                var examples = new List<PreimageExample>(n);
                for (int i = 0; i < n; i++)
                {
                    int label = pool.Label(i);
                    bool converged = found[i].StopReason is Optimization.LbfgsbStopReason.ConvergedProjectedGradient or Optimization.LbfgsbStopReason.ConvergedRelativeReduction;
                    examples.Add(new PreimageExample(sources[i], label, Distortions.Rms(pool.Sample(i), space.Sample(i)), hiddenWrong[i],
                        found[i].Distortion, found[i].RelativeResidual, Predict(found[i].Input, 0) != label, minimum[i], found[i].Iterations, converged, InactiveShare(space.Sample(i), pool.Sample(i))));
                }

                var layer = new PreimageLayer(k, lambda, refresh.Attacked, spread, examples);
                results.Add(layer);
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{model} activation {k}, λ = {lambda:R}: {n} pool examples of {refresh.Attacked} attacked; δ RMS {layer.HiddenDistortion:F4} (h′ misclassified {layer.HiddenWrong:P0}); preimage r RMS {layer.InputDistortion:F4} (median {layer.InputDistortionMedian:F4}), input-space minimum {layer.InputMinimum:F4}, relative residual median {layer.ResidualMedian:F3}, x′ misclassified {layer.InputWrong:P0}, converged {layer.Converged:P0}"));
                if (k == 0) break;   // The input pool's preimages are its examples, whatever λ.
            }
        }

        return new PreimageResults(model, count, seed, lambdas.ToList(), preimage.MaxIterations, (pools with { Layers = layers.ToArray() }).Describe(), inputSpread, results, clock.Elapsed.TotalSeconds);
    }

    private static double InactiveShare(ReadOnlySpan<float> clean, ReadOnlySpan<float> example)
    {
        double inactive = 0, all = 0;
        for (int j = 0; j < clean.Length; j++)
        {
            double d = (double)example[j] - clean[j];
            all += d * d;
            if (clean[j] == 0) inactive += d * d;
        }

        return all > 0 ? Math.Sqrt(inactive / all) : 0;
    }

    /// <summary>The results as a Markdown section: one row per pool.</summary>
    public static string Markdown(PreimageResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        string F(double v, string format = "F4") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        string P(double v) => double.IsNaN(v) ? "–" : (100 * v).ToString("F0", CultureInfo.InvariantCulture) + "%";
        sb.AppendLine(CultureInfo.InvariantCulture, $"### Hidden pool examples in input space: {r.Model}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Pools of up to {r.Count} examples per activation, made against the trained network ({r.PoolSettings}); each example h′ = φ_k(x) + δ mapped back to x′ = x + r by L-BFGS-B (at most {r.MaxIterations} iterations) for each λ; seed {r.Seed}. Input spread over the sources {F(r.InputSpread)}.");
        sb.AppendLine();
        sb.AppendLine("| activation | λ | examples | spread | δ RMS | δ on inactive units | h′ misclassified | r RMS, mean (median) | input minimum, same sources | r / minimum, median | relative residual, median (mean) | x′ misclassified | x′ misclassified where h′ is | converged |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (PreimageLayer l in r.Layers)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {(l.Layer == 0 ? "0 (input pool)" : l.Layer.ToString(CultureInfo.InvariantCulture))} | {(l.Layer == 0 ? "–" : l.Lambda.ToString("R", CultureInfo.InvariantCulture))} | {l.Examples.Count} of {l.Attacked} | {F(l.Spread, "F3")} | {F(l.HiddenDistortion)} | {F(l.InactiveShare, "F2")} | {P(l.HiddenWrong)} | {F(l.InputDistortion)} ({F(l.InputDistortionMedian)}) | {F(l.InputMinimum)} | {F(l.RatioMedian, "F2")} | {F(l.ResidualMedian, "F3")} ({F(l.ResidualMean, "F3")}) | {P(l.InputWrong)} | {P(l.InputWrongGivenHiddenWrong)} | {P(l.Converged)} |");
        }

        return sb.ToString();
    }

    /// <summary>Writes <c>preimages-MODEL.md</c> and <c>.json</c> into <paramref name="directory"/> and returns the Markdown path.</summary>
    public static string Write(string directory, PreimageResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        Directory.CreateDirectory(directory);
        string stem = Path.Combine(directory, "preimages-" + Catalog.FileName(r.Model));
        File.WriteAllText(stem + ".md", Markdown(r));
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(r, s_json));
        return stem + ".md";
    }
}
