using System.Numerics.Tensors;

namespace Intriguing.Data;

/// <summary>
/// A labelled set of samples held as one row-major float matrix (one row of <see cref="SampleLength"/> values per
/// sample) and one label per sample.
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a data set; checks that the sizes agree, labels lie in 0…<paramref name="classes"/>−1 and every value is finite.</summary>
    public Dataset(string name, float[] samples, int[] labels, int sampleLength, int classes)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleLength, 1);
        if ((long)labels.Length * sampleLength != samples.Length)
        {
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * sampleLength} sample values of length {sampleLength}, but {samples.Length} were given.", nameof(samples));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"Label {labels[i]} of sample {i} is outside 0..{classes - 1}.", nameof(labels));
        }

        Name = name;
        Samples = samples;
        Labels = labels;
        SampleLength = sampleLength;
        Classes = classes;
        ThrowIfNotFinite(nameof(samples));
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first sample with a value that is not finite (the samples
    /// are checked when the set is made; trainers and evaluations check again, since <see cref="Samples"/> can be written).
    /// </summary>
    internal void ThrowIfNotFinite(string parameter)
    {
        if (Samples.Length == 0 || TensorPrimitives.IsFiniteAll<float>(Samples)) return;
        int at = Array.FindIndex(Samples, v => !float.IsFinite(v));
        throw new ArgumentException($"Sample {at / SampleLength} of '{Name}' has the value {Samples[at]} at position {at % SampleLength}; every value must be finite.", parameter);
    }

    /// <summary>A short name for reports, e.g. "MNIST train".</summary>
    public string Name { get; }

    /// <summary>All samples, row-major.</summary>
    public float[] Samples { get; }

    /// <summary>The label of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>Values per sample.</summary>
    public int SampleLength { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// The declared range of every input value (e.g. [0, 1] for pixels), which attacks take as their box; null when the
    /// data declares none.
    /// </summary>
    public ActivationBox? InputRange { get; init; }

    /// <summary>The shape of one sample as the file gave it (e.g. 1, 28, 28); null when unknown.</summary>
    public IReadOnlyList<int>? SampleShape { get; init; }

    /// <summary>Sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => Samples.AsSpan(index * SampleLength, SampleLength);

    /// <summary>A new data set holding the samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices, string name)
    {
        float[] samples = new float[indices.Length * SampleLength];
        int[] labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Sample(indices[i]).CopyTo(samples.AsSpan(i * SampleLength, SampleLength));
            labels[i] = Labels[indices[i]];
        }

        return new Dataset(name, samples, labels, SampleLength, Classes) { InputRange = InputRange, SampleShape = SampleShape };
    }

    /// <summary>The first <paramref name="count"/> samples (or all, if fewer).</summary>
    public Dataset Take(int count, string? name = null)
    {
        count = Math.Min(count, Count);
        return new Dataset(name ?? Name, Samples.AsSpan(0, count * SampleLength).ToArray(), Labels.AsSpan(0, count).ToArray(), SampleLength, Classes) { InputRange = InputRange, SampleShape = SampleShape };
    }

    /// <summary>
    /// Splits the set into two disjoint halves of ⌊n/2⌋ and ⌈n/2⌉ samples by a seeded permutation (the paper's P1/P2).
    /// </summary>
    public (Dataset First, Dataset Second) SplitHalves(ulong seed, string firstName, string secondName) =>
        Split(Count / 2, seed, firstName, secondName);

    /// <summary>
    /// Splits the set into two disjoint parts by a seeded permutation: <paramref name="firstCount"/> samples, and the rest
    /// (e.g. a held-out validation set and the training remainder).
    /// </summary>
    public (Dataset First, Dataset Second) Split(int firstCount, ulong seed, string firstName, string secondName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstCount, Count);
        int[] order = Enumerable.Range(0, Count).ToArray();
        new SeededRandom(seed).Shuffle(order.AsSpan());
        return (Subset(order.AsSpan(0, firstCount), firstName), Subset(order.AsSpan(firstCount), secondName));
    }
}
