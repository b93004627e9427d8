using System.Numerics.Tensors;
using Intriguing.Data;

namespace Intriguing.Training;

/// <summary>Classification error of a network on a data set.</summary>
public static class Evaluation
{
    /// <summary>The fraction of samples whose largest output is not their label.</summary>
    public static double ErrorRate(INetwork network, Dataset data, int batch = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (data.SampleLength != network.InputLength) throw new ArgumentException($"{data.Name} has samples of {data.SampleLength} values but {network.Name} takes {network.InputLength}.", nameof(data));
        if (data.Count == 0) throw new ArgumentException($"{data.Name} has no samples, so it has no error rate.", nameof(data));
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        data.ThrowIfNotFinite(nameof(data));
        int chunks = (data.Count + batch - 1) / batch;
        int[] wrong = new int[chunks];
        Parallel.For(0, chunks, () => (network.CreateWorkspace(batch), new float[batch * network.OutputLength]), (c, _, local) =>
        {
            int start = c * batch;
            int count = Math.Min(batch, data.Count - start);
            network.Forward(local.Item1, data.Samples.AsSpan(start * data.SampleLength, count * data.SampleLength), local.Item2, count);
            for (int i = 0; i < count; i++)
            {
                int predicted = TensorPrimitives.IndexOfMax<float>(local.Item2.AsSpan(i * network.OutputLength, network.OutputLength));
                if (predicted != data.Labels[start + i]) wrong[c]++;
            }

            return local;
        }, _ => { });
        return (double)wrong.Sum() / data.Count;
    }
}
