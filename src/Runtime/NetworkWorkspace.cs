namespace Intriguing;

/// <summary>
/// Buffers for one thread's forward and backward passes through one network type. Made by
/// <see cref="INetwork.CreateWorkspace"/>; reused for every call so that no call allocates.
/// </summary>
public abstract class NetworkWorkspace
{
    /// <summary>Creates a workspace for batches of up to <paramref name="maxBatch"/> samples.</summary>
    protected NetworkWorkspace(int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        MaxBatch = maxBatch;
    }

    /// <summary>The largest batch this workspace can hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Number of samples of the last batch run forward (0 before any).</summary>
    public int LastBatch { get; protected set; }

    /// <summary>
    /// Training mode: when set, <c>LossAndGradient</c> and <c>LossAndLayerGradient</c> apply the network's
    /// training-time behaviour (the masks of its <c>[Dropout]</c> layers; for <c>LossAndLayerGradient</c>, those above
    /// the given layer), and a following <c>Backward</c> uses the same masks. Every other pass — <c>Forward</c>,
    /// <c>ForwardTo</c>, <c>ForwardFrom</c> — is an inference pass whatever this says. Default
    /// <see langword="false"/>; no effect on networks without dropout.
    /// </summary>
    public bool Training { get; set; }

    /// <summary>Seed of the dropout masks in training mode.</summary>
    public ulong TrainingSeed { get; set; }

    /// <summary>Training step of the next pass; masks differ from step to step (the trainer counts steps over the whole run).</summary>
    public long TrainingStep { get; set; }

    /// <summary>
    /// Index of the first sample of the next pass within its whole batch: sample i of a call gets the mask of batch
    /// sample <c>SampleOffset + i</c>, so a batch split into parts gets the masks it would get in one piece.
    /// </summary>
    public int SampleOffset { get; set; }

    /// <summary>
    /// Lipschitz-margin training (Tsuzuku et al. 2018): c ≥ 0 added to every logit but the label's before the
    /// soft-max cross-entropy of <c>IClassifier.LossAndGradient</c> (loss and gradient then belong to the shifted
    /// logits). Default 0, the plain cross-entropy; other passes ignore it.
    /// </summary>
    public float LogitMargin { get; set; }

    /// <summary>
    /// ∂E/∂c of the last <c>IClassifier.LossAndGradient</c> through this workspace with a non-zero
    /// <see cref="LogitMargin"/> c: (1/batch)·Σ_s (1 − q_s,label), q the soft-max of the shifted logits; 0 without a margin.
    /// </summary>
    public float MarginSensitivity { get; set; }

    /// <summary>
    /// GloRo training (Leino et al. 2021): the n × n matrix (row-major) of ε·K_ji, K_ji a Lipschitz bound of z_j − z_i,
    /// with which the cross-entropy of <c>IClassifier.LossAndGradient</c> gets the extra logit
    /// z_⊥ = max_{i≠j} (z_i + ε·K_ji) of the predicted class j; null (the default) for none. Needs
    /// <see cref="PairMarginSensitivity"/> and excludes <see cref="LogitMargin"/>.
    /// </summary>
    public float[]? PairMargins { get; set; }

    /// <summary>
    /// With <see cref="PairMargins"/>: receives ∂E/∂(ε·K_ji) of the last <c>IClassifier.LossAndGradient</c>
    /// (n × n, overwritten by every call).
    /// </summary>
    public float[]? PairMarginSensitivity { get; set; }

    /// <summary>
    /// The network outputs of the first <paramref name="batch"/> samples of the last pass through this workspace
    /// (<c>Forward</c>, <c>ForwardFrom</c>, <c>LossAndGradient</c> or <c>LossAndLayerGradient</c>), so that a caller
    /// that needs both the loss gradient and the prediction runs the network once.
    /// </summary>
    public abstract ReadOnlySpan<float> Outputs(int batch);

    /// <summary>Throws if <paramref name="batch"/> is not in 1..<see cref="MaxBatch"/>.</summary>
    protected void CheckBatch(int batch)
    {
        if (batch < 1 || batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"The batch must be between 1 and the workspace's MaxBatch ({MaxBatch}).");
        }
    }
}
