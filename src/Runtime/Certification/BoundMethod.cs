namespace Intriguing.Certification;

/// <summary>How <see cref="ICertifiable.PropagateBounds"/> bounds the activations and the margins.</summary>
public enum BoundMethod
{
    /// <summary>
    /// CROWN (Zhang et al. 2018): every pre-activation that a nonlinearity or pooling reads is bounded by a backward
    /// pass of linear relaxations down to the input, and so are the logit margins. The tightest and the default.
    /// </summary>
    Crown,

    /// <summary>Interval bounds for the activations, a CROWN backward pass for the margins only (CROWN-IBP, Zhang et al. 2020).</summary>
    CrownInterval,

    /// <summary>Interval bound propagation only: the margin z_y − z_j is bounded by lower(z_y) − upper(z_j).</summary>
    Interval,
}
