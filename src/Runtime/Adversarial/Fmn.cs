namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="Fmn"/>.</summary>
public sealed record FmnOptions : BatchedAttackOptions
{
    /// <summary>The norm minimised: L2 or L∞. Default L2.</summary>
    public AttackNorm Norm { get; init; } = AttackNorm.L2;

    /// <summary>Gradient steps. Default 100.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>First step length α₀ (of the L2-normalised gradient), annealed by a cosine to α₀/100. Default 1.</summary>
    public double StepSize { get; init; } = 1;

    /// <summary>First factor γ₀ of the norm update, annealed by a cosine to <see cref="FinalGamma"/>. Default 0.05.</summary>
    public double Gamma { get; init; } = 0.05;

    /// <summary>Last factor of the norm update. Default 0.001.</summary>
    public double FinalGamma { get; init; } = 0.001;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        AtLeast(Steps, 1, nameof(Steps));
        Positive(StepSize, nameof(StepSize));
        if (!(Gamma > 0 && Gamma < 1)) throw new ArgumentException($"Gamma must be in (0, 1) (got {Gamma}).", nameof(Gamma));
        if (!(FinalGamma > 0 && FinalGamma < 1)) throw new ArgumentException($"FinalGamma must be in (0, 1) (got {FinalGamma}).", nameof(FinalGamma));
    }
}

/// <summary>
/// Fast Minimum-Norm attack (Pintor et al. 2021), L2 and L∞: normalised gradient steps on the logit difference
/// z_goal − max_{j≠goal} z_j (descent untargeted, ascent targeted; shifted by the decision margin
/// ln(1 + <see cref="LbfgsAttack.DecisionMargin"/>) so that it vanishes where an example starts to count as adversarial), each projected onto the ball of the adaptive radius
/// ε and the box. ε starts at the linearised distance to the boundary, shrinks by 1 − γ (never above the best norm
/// found) after an adversarial iterate, and grows by 1 + γ after a non-adversarial one once any was found, else is set
/// to the current norm plus the linearised distance |loss|/‖∇loss‖_dual, or to (1 + γ)·ε if that is larger (a
/// departure from the published rule, which can stall just short of the boundary when the box clips the steps). Step length and γ follow cosine schedules.
/// </summary>
/// <remarks>The logit difference's gradient takes two cross-entropy gradients (two network calls) per step.</remarks>
public sealed class Fmn : BatchedAttack
{
    private readonly FmnOptions _options;

    /// <summary>Prepares the attack.</summary>
    public Fmn(FmnOptions? options = null)
        : this(options ?? new FmnOptions(), true)
    {
    }

    private Fmn(FmnOptions options, bool _)
        : base(options) => _options = options;

    /// <inheritdoc/>
    public override string Name => _options.Norm == AttackNorm.L2 ? "fmn-l2" : "fmn-linf";

    /// <inheritdoc/>
    public override AttackNorm Norm => _options.Norm;

    /// <inheritdoc/>
    public override bool MinimumNorm => true;

    private protected override void Attack(AttackBatch batch)
    {
        int n = batch.N, k = batch.Classes, steps = _options.Steps;
        AttackNorm norm = _options.Norm;
        Span<int> rows = batch.Integers(0), labels = batch.Integers(1), other = batch.Integers(2);
        Span<float> x = batch.Vector(0), g = batch.Vector(1), p = batch.Vector(2);
        Span<double> epsilon = batch.Scalars(0), worst = batch.Scalars(1), best = batch.Scalars(2);
        Span<int> found = batch.Integers(3);
        int count = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (batch.Found[e]) continue;
            batch.Clean(e).CopyTo(batch.Row(x, count));
            labels[count] = batch.Goal(e);
            epsilon[count] = double.PositiveInfinity;
            worst[count] = AttackMath.WorstNorm(batch.Clean(e), batch.Lower, batch.Upper, norm);
            best[count] = worst[count];
            found[count] = 0;
            rows[count++] = e;
        }

        if (count == 0) return;
        rows = rows[..count];
        double alpha0 = _options.StepSize, alpha1 = alpha0 / 100;
        for (int step = 0; step < steps; step++)
        {
            double cosine = (1 + Math.Cos(Math.PI * step / steps)) / 2;
            double alpha = alpha1 + ((alpha0 - alpha1) * cosine);
            double gamma = _options.FinalGamma + ((_options.Gamma - _options.FinalGamma) * cosine);

            // g = ∇(z_goal − z_other); the loss is −(z_y − z_other) untargeted (to be raised), z_t − z_other targeted.
            batch.LogitDifferenceGradient(x[..(count * n)], rows, labels[..count], other, g, p);
            for (int r = 0; r < count; r++)
            {
                int e = rows[r];
                Span<float> xr = batch.Row(x, r), gr = batch.Row(g, r);
                ReadOnlySpan<float> pr = p.Slice(r * k, k), x0 = batch.Clean(e);
                double sign = batch.Targeted(e) ? 1 : -1;
                double loss = (sign * (AttackBatch.Log(pr[labels[r]]) - AttackBatch.Log(pr[other[r]]))) - AttackBatch.MarginLogit;
                double length = AttackMath.Distance(xr, x0, norm);
                bool adversarial = batch.Adversarial(pr, e);
                if (adversarial)
                {
                    found[r] = 1;
                    if (length < best[r]) best[r] = length;
                    batch.Record(e, xr);
                }

                if (step == 0 && !adversarial)
                {
                    epsilon[r] = length + (Math.Abs(loss) / Math.Max(AttackMath.Dual(gr, norm), 1e-12));
                }
                else if (adversarial)
                {
                    epsilon[r] = Math.Min(epsilon[r] * (1 - gamma), best[r]);
                }
                else
                {
                    // Before the first adversarial iterate: the linearised distance, but growing by at least 1 + γ (the
                    // published rule alone stalls just short of a boundary the linearisation keeps underestimating).
                    double linearised = length + (Math.Abs(loss) / Math.Max(AttackMath.Dual(gr, norm), 1e-12));
                    epsilon[r] = found[r] != 0 ? epsilon[r] * (1 + gamma) : Math.Max(linearised, epsilon[r] * (1 + gamma));
                }

                epsilon[r] = Math.Min(epsilon[r], worst[r]);
                AttackMath.Step(xr, gr, sign * alpha, AttackNorm.L2);
                AttackMath.Project(xr, x0, epsilon[r], norm, batch.Lower, batch.Upper);
            }
        }
    }
}
