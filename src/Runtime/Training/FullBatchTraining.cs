using Intriguing.Data;
using Intriguing.Optimization;

namespace Intriguing.Training;

/// <summary>Settings of full-batch L-BFGS training.</summary>
public sealed record FullBatchOptions
{
    /// <summary>Iteration limit. Default 500.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>L-BFGS history size m. Default 10.</summary>
    public int HistorySize { get; init; } = 10;

    /// <summary>Stop when the largest gradient component is below this. Default 1e-5.</summary>
    public double GradientTolerance { get; init; } = 1e-5;

    /// <summary>Samples per parallel chunk (the sum over chunks is in a fixed order). Default 2,000.</summary>
    public int ChunkSize { get; init; } = 2000;

    /// <summary>Threads. Default: the number of cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The settings as one line.</summary>
    public string Describe() => $"full-batch L-BFGS: m={HistorySize}, ≤ {MaxIterations} iterations, gradient tolerance {GradientTolerance.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}, chunks of {ChunkSize}";
}

/// <summary>
/// Full-batch training with L-BFGS, as small networks were trained in the paper's era: minimises the mean loss over
/// the whole training set plus weight decay, exactly, with the runtime's L-BFGS(-B) solver in double precision.
/// For the convex soft-max regressions FC10(λ) this finds the regularised optimum that λ defines.
/// </summary>
public static class FullBatchTraining
{
    /// <summary>Trains <paramref name="network"/> on <paramref name="data"/>; returns the solver's result.</summary>
    public static LbfgsbResult Fit(IClassifier network, Dataset data, FullBatchOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (data.SampleLength != network.InputLength) throw new ArgumentException($"{data.Name} has samples of {data.SampleLength} values but {network.Name} takes {network.InputLength}.", nameof(data));

        int n = network.ParameterBufferLength;
        int chunks = (data.Count + options.ChunkSize - 1) / options.ChunkSize;
        var workspaces = new NetworkWorkspace[chunks];
        var gradients = new float[chunks][];
        var losses = new float[chunks];
        for (int c = 0; c < chunks; c++)
        {
            workspaces[c] = network.CreateWorkspace(Math.Min(options.ChunkSize, data.Count - c * options.ChunkSize));
            gradients[c] = new float[n];
        }

        using var pool = new WorkerPool(Math.Min(options.Threads, chunks));
        Action<int> job = c =>
        {
            int start = c * options.ChunkSize, size = Math.Min(options.ChunkSize, data.Count - start);
            losses[c] = network.LossAndGradient(workspaces[c], data.Samples.AsSpan(start * data.SampleLength, size * data.SampleLength), data.Labels.AsSpan(start, size), size, gradients[c]);
        };

        // f(θ) = Σ_c (n_c/N)·(mean loss of chunk c + decay) = mean loss + decay.
        double Objective(ReadOnlySpan<double> x, Span<double> g)
        {
            Span<float> p = network.Parameters;
            for (int i = 0; i < n; i++) p[i] = (float)x[i];
            pool.Run(chunks, job);
            g.Clear();
            double f = 0;
            for (int c = 0; c < chunks; c++)
            {
                double weight = (double)Math.Min(options.ChunkSize, data.Count - c * options.ChunkSize) / data.Count;
                f += weight * losses[c];
                float[] gc = gradients[c];
                for (int i = 0; i < n; i++) g[i] += weight * gc[i];
            }

            return f;
        }

        var solver = new LbfgsbSolver(n, new LbfgsbOptions { HistorySize = options.HistorySize, MaxIterations = options.MaxIterations, MaxEvaluations = 4 * options.MaxIterations, ProjectedGradientTolerance = options.GradientTolerance });
        double[] theta = new double[n];
        ReadOnlySpan<float> start = network.Parameters;
        for (int i = 0; i < n; i++) theta[i] = start[i];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        LbfgsbResult result = solver.Minimize(Objective, theta, (in LbfgsbProgress s) =>
        {
            progress?.Report(new TrainingProgress(1, 1, s.Iteration, options.MaxIterations, s.Value, clock.Elapsed));
            return true;
        }, cancellationToken);
        Span<float> final = network.Parameters;
        for (int i = 0; i < n; i++) final[i] = (float)theta[i];
        return result;
    }
}
