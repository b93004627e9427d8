using Intriguing.Data;

namespace Intriguing.Training;

/// <summary>Settings of sparse auto-encoder pre-training.</summary>
public sealed record AutoencoderOptions
{
    /// <summary>Passes over the data. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step. Default 50.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Learning rate (cosine decay to 1% of it). Default 0.05.</summary>
    public float LearningRate { get; init; } = 0.05f;

    /// <summary>Momentum. Default 0.9.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Target mean activation ρ of each code unit. Default 0.05.</summary>
    public double SparsityTarget { get; init; } = 0.05;

    /// <summary>Weight β of the sparsity penalty β·Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the unit's mean activation over the batch. Default 0.1.</summary>
    public double SparsityWeight { get; init; } = 0.1;

    /// <summary>Seed of the shuffling. Default 1.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Pre-trains a sparse sigmoid auto-encoder (an encoder network and a decoder network) on unlabelled samples, for
/// the AE400-10 model: objective = mean ½‖x̂ − x‖² + β·Σ_j KL(ρ ‖ ρ̂_j) + the layers' weight decay.
/// </summary>
public static class AutoencoderTraining
{
    /// <summary>Trains <paramref name="encoder"/> and <paramref name="decoder"/> in place; returns the mean objective of each epoch.</summary>
    public static IReadOnlyList<double> Train(INetwork encoder, IRegressor decoder, Dataset data, AutoencoderOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (encoder.OutputLength != decoder.InputLength || decoder.OutputLength != data.SampleLength || encoder.InputLength != data.SampleLength)
        {
            throw new ArgumentException($"Shapes do not chain: data {data.SampleLength} → {encoder.Name} {encoder.InputLength}→{encoder.OutputLength} → {decoder.Name} {decoder.InputLength}→{decoder.OutputLength}.");
        }
        if (data.Count == 0) throw new ArgumentException($"{data.Name} has no samples to train on.", nameof(data));
        data.ThrowIfNotFinite(nameof(data));

        int batch = options.BatchSize, codes = encoder.OutputLength, n = data.Count, length = data.SampleLength;
        NetworkWorkspace encWs = encoder.CreateWorkspace(batch), decWs = decoder.CreateWorkspace(batch);
        float[] x = new float[batch * length], h = new float[batch * codes], dh = new float[batch * codes];
        float[] encGrad = new float[encoder.ParameterBufferLength], decGrad = new float[decoder.ParameterBufferLength];
        float[] encVel = new float[encGrad.Length], decVel = new float[decGrad.Length];
        double[] meanActivation = new double[codes];
        int[] order = new int[n];
        int steps = (n + batch - 1) / batch;
        var sgd = new SgdOptions { Epochs = options.Epochs, LearningRate = options.LearningRate, Schedule = LearningRateSchedule.Cosine };
        var losses = new List<double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double rho = options.SparsityTarget, beta = options.SparsityWeight;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            new SeededRandom(SeededRandom.Derive(options.Seed, (ulong)epoch)).Shuffle(order.AsSpan());
            double epochLoss = 0;
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(batch, n - step * batch);
                for (int b = 0; b < count; b++) data.Sample(order[step * batch + b]).CopyTo(x.AsSpan(b * length, length));

                // Encode, then reconstruct: the decoder's objective and its gradient with respect to the codes.
                encoder.Forward(encWs, x, h, count);
                float loss = decoder.LossAndGradient(decWs, h, x, count, decGrad, dh);

                // Sparsity: ∂/∂h_bj of β·KL(ρ‖ρ̂_j) = β·(−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j)) / count.
                Array.Clear(meanActivation);
                for (int b = 0; b < count; b++)
                {
                    for (int j = 0; j < codes; j++) meanActivation[j] += h[b * codes + j];
                }

                double penalty = 0;
                for (int j = 0; j < codes; j++)
                {
                    double q = Math.Clamp(meanActivation[j] / count, 1e-6, 1 - 1e-6);
                    penalty += rho * Math.Log(rho / q) + (1 - rho) * Math.Log((1 - rho) / (1 - q));
                    float d = (float)(beta * (-rho / q + (1 - rho) / (1 - q)) / count);
                    for (int b = 0; b < count; b++) dh[b * codes + j] += d;
                }

                encoder.Backward(encWs, dh.AsSpan(0, count * codes), encGrad);
                loss += encoder.AddWeightDecay(encGrad) + (float)(beta * penalty);
                if (!float.IsFinite(loss)) throw new InvalidOperationException($"Auto-encoder training diverged at epoch {epoch + 1}, step {step + 1}; lower the learning rate.");

                float rate = sgd.RateAt(epoch, (long)epoch * steps + step, (long)steps * options.Epochs);
                Trainer.Update(encoder.Parameters, encVel, encGrad, options.Momentum, rate, false);
                Trainer.Update(decoder.Parameters, decVel, decGrad, options.Momentum, rate, false);
                epochLoss += loss * count;
                if (progress is not null && (step % 200 == 199 || step == steps - 1))
                {
                    progress.Report(new TrainingProgress(epoch + 1, options.Epochs, step + 1, steps, epochLoss / Math.Min(n, (step + 1) * batch), clock.Elapsed));
                }
            }

            losses.Add(epochLoss / n);
        }

        return losses;
    }

    /// <summary>Runs <paramref name="encoder"/> over every sample and returns the codes as a labelled data set.</summary>
    public static Dataset Encode(INetwork encoder, Dataset data, string name)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        const int Batch = 256;
        float[] codes = new float[data.Count * encoder.OutputLength];
        int chunks = (data.Count + Batch - 1) / Batch;
        Parallel.For(0, chunks, () => encoder.CreateWorkspace(Batch), (c, _, ws) =>
        {
            int start = c * Batch, count = Math.Min(Batch, data.Count - start);
            encoder.Forward(ws, data.Samples.AsSpan(start * data.SampleLength, count * data.SampleLength), codes.AsSpan(start * encoder.OutputLength, count * encoder.OutputLength), count);
            return ws;
        }, _ => { });
        return new Dataset(name, codes, data.Labels, encoder.OutputLength, data.Classes);
    }
}

/// <summary>Copies one layer's parameters between networks with layers of the same shape.</summary>
public static class Parameters
{
    /// <summary>Copies the weights and bias of dense layer <paramref name="fromLayer"/> of <paramref name="from"/> into layer <paramref name="toLayer"/> of <paramref name="to"/> (1-based layer indices).</summary>
    public static void CopyLayer(INetwork from, int fromLayer, INetwork to, int toLayer)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        LayerInfo a = from.Summary.Layers[fromLayer - 1], b = to.Summary.Layers[toLayer - 1];
        if (a.Kind != b.Kind || a.InputLength != b.InputLength || a.OutputLength != b.OutputLength || (a.BiasOffset < 0) != (b.BiasOffset < 0))
        {
            throw new ArgumentException($"Layer {fromLayer} of {from.Name} ({a.Kind} {a.InputLength}→{a.OutputLength}) does not match layer {toLayer} of {to.Name} ({b.Kind} {b.InputLength}→{b.OutputLength}).");
        }

        if (a.WeightOffset >= 0) from.Parameters.Slice(a.WeightOffset, a.InputLength * a.OutputLength).CopyTo(to.Parameters.Slice(b.WeightOffset, b.InputLength * b.OutputLength));
        if (a.BiasOffset >= 0) from.Parameters.Slice(a.BiasOffset, a.OutputLength).CopyTo(to.Parameters.Slice(b.BiasOffset, b.OutputLength));
    }
}
