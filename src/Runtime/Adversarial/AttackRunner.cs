using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>Runs the attack over many examples in parallel, deterministically for a seed.</summary>
/// <remarks>
/// Each example is attacked by one thread from start to end, with targets drawn from a stream derived from the seed
/// and the example's index, so the results do not depend on the number of threads or on scheduling.
/// </remarks>
public static class AttackRunner
{
    /// <summary>
    /// Attacks examples <paramref name="indices"/> of <paramref name="data"/> (inputs, or activations of
    /// <see cref="AttackOptions.Layer"/>) with the given target policy.
    /// </summary>
    /// <param name="network">The attacked network.</param>
    /// <param name="data">Examples in the attacked space with their true labels.</param>
    /// <param name="indices">Which examples to attack.</param>
    /// <param name="policy">How targets are chosen.</param>
    /// <param name="options">Attack settings.</param>
    /// <param name="seed">Seed of the random-target policy.</param>
    /// <param name="threads">Threads to use; results do not depend on it.</param>
    /// <param name="progress">Receives the number of finished examples.</param>
    /// <param name="cancellationToken">Stops between examples.</param>
    public static AttackResult[] Run(IClassifier network, Dataset data, IReadOnlyList<int> indices, TargetPolicy policy, AttackOptions options, ulong seed, int threads = 0, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        var results = new AttackResult[indices.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, indices.Count, parallel, () => new LbfgsAttack(network, options), (i, _, attack) =>
        {
            int index = indices[i];
            ReadOnlySpan<float> x = data.Sample(index);
            int label = data.Labels[index];
            results[i] = policy switch
            {
                TargetPolicy.Every => attack.Untargeted(x, label, index),
                TargetPolicy.RunnerUp => attack.Targeted(x, label, attack.MostLikelyOther(x, label), index),
                _ => attack.Targeted(x, label, RandomTarget(seed, index, label, network.OutputLength), index),
            };
            progress?.Report(Interlocked.Increment(ref done));
            return attack;
        }, _ => { });
        return results;
    }

    /// <summary>The random wrong target of example <paramref name="index"/>: uniform over the labels other than <paramref name="label"/>.</summary>
    public static int RandomTarget(ulong seed, int index, int label, int classes)
    {
        int t = new SeededRandom(SeededRandom.Derive(seed, (ulong)index)).NextInt(classes - 1);
        return t >= label ? t + 1 : t;
    }
}

/// <summary>Random-noise baselines and cross-model evaluation of adversarial sets.</summary>
public static class Distortions
{
    /// <summary>RMS distortion sqrt(Σ(a − b)²/n).</summary>
    public static double Rms(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("The examples differ in length.", nameof(b));
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            s += d * d;
        }

        return Math.Sqrt(s / a.Length);
    }

    /// <summary>
    /// Adds Gaussian noise of standard deviation <paramref name="sigma"/> to every value of every sample, clipped to
    /// [<paramref name="lower"/>, <paramref name="upper"/>]; returns the noisy set and the RMS distortion actually
    /// obtained (smaller than σ where clipping bites).
    /// </summary>
    public static (Dataset Noisy, double Rms) Gaussian(Dataset clean, double sigma, ulong seed, float lower = 0, float upper = 1)
    {
        ArgumentNullException.ThrowIfNull(clean);
        var random = new SeededRandom(seed);
        float[] noisy = new float[clean.Samples.Length];
        double sum = 0;
        for (int i = 0; i < noisy.Length; i++)
        {
            float v = Math.Clamp(clean.Samples[i] + (float)(sigma * random.NextGaussian()), lower, upper);
            noisy[i] = v;
            double d = (double)v - clean.Samples[i];
            sum += d * d;
        }

        return (new Dataset($"{clean.Name} + N(0, {sigma}²)", noisy, clean.Labels, clean.SampleLength, clean.Classes), Math.Sqrt(sum / noisy.Length));
    }

    /// <summary>
    /// Rescales each perturbation x′ − x so that its RMS is <paramref name="rms"/>, clips to the box, and returns the
    /// set with the mean RMS actually obtained (the paper's "magnified" rows).
    /// </summary>
    public static (Dataset Magnified, double Rms) Magnify(Dataset clean, Dataset adversarial, double rms, float lower = 0, float upper = 1)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(adversarial);
        int n = clean.SampleLength;
        float[] result = new float[adversarial.Samples.Length];
        double total = 0;
        for (int s = 0; s < adversarial.Count; s++)
        {
            ReadOnlySpan<float> x = clean.Sample(s), a = adversarial.Sample(s);
            double current = Rms(x, a);
            double scale = current > 0 ? rms / current : 0;
            for (int i = 0; i < n; i++) result[s * n + i] = Math.Clamp((float)(x[i] + scale * (a[i] - x[i])), lower, upper);
            total += Rms(x, result.AsSpan(s * n, n));
        }

        return (new Dataset($"{adversarial.Name} magnified to RMS {rms}", result, adversarial.Labels, n, adversarial.Classes), total / Math.Max(1, adversarial.Count));
    }
}
