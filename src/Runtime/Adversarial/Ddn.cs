namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="Ddn"/>.</summary>
public sealed record DdnOptions : BatchedAttackOptions
{
    /// <summary>Gradient steps. Default 100.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Factor γ by which the norm ε shrinks (1 − γ) after an adversarial iterate or grows (1 + γ) otherwise. Default 0.05.</summary>
    public double Gamma { get; init; } = 0.05;

    /// <summary>The first norm ε₀. Default 1.</summary>
    public double InitialNorm { get; init; } = 1;

    /// <summary>Step length α at the first step, annealed by a cosine to <see cref="FinalStepSize"/>. Default 1.</summary>
    public double StepSize { get; init; } = 1;

    /// <summary>Step length at the end of the cosine schedule. Default 0.01.</summary>
    public double FinalStepSize { get; init; } = 0.01;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        AtLeast(Steps, 1, nameof(Steps));
        if (!(Gamma > 0 && Gamma < 1)) throw new ArgumentException($"Gamma must be in (0, 1) (got {Gamma}).", nameof(Gamma));
        Positive(InitialNorm, nameof(InitialNorm));
        Positive(StepSize, nameof(StepSize));
        Positive(FinalStepSize, nameof(FinalStepSize));
    }
}

/// <summary>
/// Decoupled Direction and Norm (Rony et al. 2019), L2: a normalised gradient step on the cross-entropy (ascent on the
/// true label's, descent on the target's) with a cosine-annealed step length, then a projection onto the sphere of
/// radius ε around the clean example and the box; ε shrinks by 1 − γ after an adversarial iterate and grows by 1 + γ
/// otherwise (never beyond the farthest point of the box). The least distorted adversarial iterate is kept.
/// </summary>
public sealed class Ddn : BatchedAttack
{
    private readonly DdnOptions _options;

    /// <summary>Prepares the attack.</summary>
    public Ddn(DdnOptions? options = null)
        : this(options ?? new DdnOptions(), true)
    {
    }

    private Ddn(DdnOptions options, bool _)
        : base(options) => _options = options;

    /// <inheritdoc/>
    public override string Name => "ddn";

    /// <inheritdoc/>
    public override AttackNorm Norm => AttackNorm.L2;

    /// <inheritdoc/>
    public override bool MinimumNorm => true;

    private protected override void Attack(AttackBatch batch)
    {
        int n = batch.N, k = batch.Classes, steps = _options.Steps;
        Span<int> rows = batch.Integers(0), labels = batch.Integers(1);
        Span<float> x = batch.Vector(0), g = batch.Vector(1), p = batch.Vector(2);
        Span<double> epsilon = batch.Scalars(0), worst = batch.Scalars(1);
        int count = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (batch.Found[e]) continue;
            batch.Clean(e).CopyTo(batch.Row(x, count));
            labels[count] = batch.Goal(e);
            epsilon[count] = _options.InitialNorm;
            worst[count] = AttackMath.WorstNorm(batch.Clean(e), batch.Lower, batch.Upper, AttackNorm.L2);
            rows[count++] = e;
        }

        if (count == 0) return;
        rows = rows[..count];
        for (int step = 0; step < steps; step++)
        {
            double alpha = _options.FinalStepSize + ((_options.StepSize - _options.FinalStepSize) * (1 + Math.Cos(Math.PI * step / steps)) / 2);
            batch.CrossEntropyGradient(x[..(count * n)], rows, labels[..count], g, p);
            for (int r = 0; r < count; r++)
            {
                int e = rows[r];
                Span<float> xr = batch.Row(x, r);
                bool adversarial = batch.Adversarial(p.Slice(r * k, k), e);
                if (adversarial) batch.Record(e, xr);
                epsilon[r] = Math.Min(epsilon[r] * (adversarial ? 1 - _options.Gamma : 1 + _options.Gamma), worst[r]);
                AttackMath.Step(xr, batch.Row(g, r), batch.Targeted(e) ? -alpha : alpha, AttackNorm.L2);
                ReadOnlySpan<float> x0 = batch.Clean(e);
                double length = AttackMath.Distance(xr, x0, AttackNorm.L2);
                if (length > 0)
                {
                    double scale = epsilon[r] / length;
                    for (int i = 0; i < n; i++) xr[i] = (float)(x0[i] + (scale * ((double)xr[i] - x0[i])));
                }

                AttackMath.Clip(xr, batch.Lower, batch.Upper);
            }
        }
    }
}
