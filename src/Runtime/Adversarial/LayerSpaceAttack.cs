using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>
/// What <see cref="LayerSpaceAttack.Run"/> found: the examples in the attacked activation's space, those the network
/// classifies correctly, and the attack on each of them.
/// </summary>
/// <param name="Space">The drawn examples as activations of the attacked layer, in draw order, with their labels.</param>
/// <param name="Correct">Indices into <paramref name="Space"/> of the examples the network classifies correctly, ascending.</param>
/// <param name="Results">One attack per entry of <paramref name="Correct"/>, in that order; <see cref="AttackResult.Index"/> indexes <paramref name="Space"/>.</param>
public sealed record LayerSpaceAttackResult(Dataset Space, int[] Correct, AttackResult[] Results);

/// <summary>
/// Adversarial examples searched in the space of one activation (Szegedy et al., Sec. 4.2): examples are carried to the
/// activation <see cref="AttackOptions.Layer"/> (0 = the input) by the network, the correctly classified ones are kept,
/// and those are attacked by the minimum-distortion L-BFGS attack within the activation's box.
/// </summary>
public static class LayerSpaceAttack
{
    /// <summary>The default number of examples per forward pass of <see cref="Project"/>.</summary>
    public const int DefaultBatch = 256;

    /// <summary>
    /// The examples <paramref name="indices"/> of <paramref name="source"/> as activations of <paramref name="layer"/>
    /// (in that order, with their labels), computed by the network <paramref name="batch"/> examples at a time.
    /// </summary>
    /// <remarks>
    /// A batched forward pass and one example at a time can round differently in the last bit (the kernels sum in
    /// another order); for a given <paramref name="batch"/> the result is always the same.
    /// </remarks>
    /// <param name="network">The network; read only.</param>
    /// <param name="source">Inputs with labels.</param>
    /// <param name="indices">Examples of <paramref name="source"/> to carry over, in the order wanted.</param>
    /// <param name="layer">Activation: 0 is the input itself, k the output of layer k.</param>
    /// <param name="batch">Examples per forward pass, at least 1 (1: one example at a time).</param>
    /// <param name="name">Name of the result (default: "SOURCE at activation K").</param>
    /// <exception cref="ArgumentException">The samples do not fit the network, or an index is out of range.</exception>
    public static Dataset Project(INetwork network, Dataset source, ReadOnlySpan<int> indices, int layer, int batch = DefaultBatch, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(layer, network.LayerCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (source.SampleLength != network.InputLength) throw new ArgumentException($"{source.Name} has samples of {source.SampleLength} values but {network.Name} takes {network.InputLength}.", nameof(source));
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)source.Count) throw new ArgumentException($"Example {index} is not in {source.Name} ({source.Count} examples).", nameof(indices));
        }

        int count = indices.Length, length = network.ActivationLength(layer);
        float[] activations = new float[count * length];
        int[] labels = new int[count];
        NetworkWorkspace ws = network.CreateWorkspace(Math.Max(1, Math.Min(count, batch)));
        float[] inputs = new float[ws.MaxBatch * source.SampleLength];
        for (int start = 0; start < count; start += ws.MaxBatch)
        {
            int n = Math.Min(ws.MaxBatch, count - start);
            for (int i = 0; i < n; i++)
            {
                source.Sample(indices[start + i]).CopyTo(inputs.AsSpan(i * source.SampleLength, source.SampleLength));
                labels[start + i] = source.Labels[indices[start + i]];
            }

            network.ForwardTo(ws, layer, inputs.AsSpan(0, n * source.SampleLength), activations.AsSpan(start * length, n * length), n);
        }

        return new Dataset(name ?? $"{source.Name} at activation {layer}", activations, labels, length, source.Classes);
    }

    /// <summary>
    /// The indices of the examples of <paramref name="space"/> (activations of <see cref="AttackOptions.Layer"/>) that
    /// the network, run from that activation on, classifies as labelled; ascending.
    /// </summary>
    public static int[] Correct(IClassifier network, Dataset space, AttackOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(options);
        var probe = new LbfgsAttack(network, options);
        return Enumerable.Range(0, space.Count).Where(i => probe.Predict(space.Sample(i)) == space.Labels[i]).ToArray();
    }

    /// <summary>
    /// Carries the examples <paramref name="indices"/> of <paramref name="source"/> to activation
    /// <see cref="AttackOptions.Layer"/>, keeps those the network classifies correctly and attacks each of them with
    /// <see cref="AttackRunner.Run"/> (targets by <paramref name="policy"/>, within the activation's box).
    /// </summary>
    /// <param name="network">The attacked network; read only.</param>
    /// <param name="source">Inputs with labels.</param>
    /// <param name="indices">Examples to draw from <paramref name="source"/>, in order.</param>
    /// <param name="policy">How targets are chosen.</param>
    /// <param name="options">Attack settings; <see cref="AttackOptions.Layer"/> is the attacked activation.</param>
    /// <param name="seed">Seed of random targets.</param>
    /// <param name="threads">Threads for the attacks; the results do not depend on it.</param>
    /// <param name="progress">Receives the number of examples attacked so far.</param>
    /// <param name="cancellationToken">Stops between examples.</param>
    /// <param name="batch">Examples per forward pass of the projection (see <see cref="Project"/>).</param>
    public static LayerSpaceAttackResult Run(IClassifier network, Dataset source, ReadOnlySpan<int> indices, TargetPolicy policy, AttackOptions options, ulong seed, int threads = 0, IProgress<int>? progress = null, CancellationToken cancellationToken = default, int batch = DefaultBatch)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        options = WithDataRange(options, source);
        Dataset space = Project(network, source, indices, options.Layer, batch);
        int[] correct = Correct(network, space, options);
        AttackResult[] results = AttackRunner.Run(network, space, correct, policy, options, seed, threads, progress, cancellationToken);
        return new LayerSpaceAttackResult(space, correct, results);
    }

    /// <summary>
    /// The options with the box of the input set to the data's declared range (<see cref="Dataset.InputRange"/>) when the
    /// input is attacked and the options set no box of their own.
    /// </summary>
    internal static AttackOptions WithDataRange(AttackOptions options, Dataset source) =>
        options.Layer == 0 && options.Lower is null && options.Upper is null && source.InputRange is { } range
            ? options with { Lower = range.Lower, Upper = range.Upper }
            : options;
}
