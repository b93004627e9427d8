namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="Fgsm"/>.</summary>
public sealed record FgsmOptions : BatchedAttackOptions
{
    /// <summary>The norm of the budget: L∞ (the sign of the gradient, Goodfellow et al. 2015) or L2 (the normalised gradient). Default L∞.</summary>
    public AttackNorm Norm { get; init; } = AttackNorm.LInf;

    /// <summary>The budget ε. Default 0.1.</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Positive(Epsilon, nameof(Epsilon));
    }
}

/// <summary>
/// The fast gradient sign method (Goodfellow et al. 2015) and its L2 form: one step of length ε along the steepest
/// ascent direction of the cross-entropy of the true label (untargeted) or descent of the target's, clipped to the box.
/// </summary>
public sealed class Fgsm : BatchedAttack
{
    private readonly FgsmOptions _options;

    /// <summary>Prepares the attack.</summary>
    public Fgsm(FgsmOptions? options = null)
        : this(options ?? new FgsmOptions(), true)
    {
    }

    private Fgsm(FgsmOptions options, bool _)
        : base(options) => _options = options;

    /// <inheritdoc/>
    public override string Name => _options.Norm == AttackNorm.L2 ? "fgm-l2" : "fgsm";

    /// <inheritdoc/>
    public override AttackNorm Norm => _options.Norm;

    /// <inheritdoc/>
    public override bool MinimumNorm => false;

    private protected override void Attack(AttackBatch batch)
    {
        int n = batch.N, k = batch.Classes;
        Span<int> rows = batch.Integers(0);
        Span<int> labels = batch.Integers(1);
        int count = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (batch.Found[e]) continue;
            labels[count] = batch.Goal(e);
            rows[count++] = e;
        }

        if (count == 0) return;
        rows = rows[..count];
        Span<float> x = batch.Vector(0)[..(count * n)], g = batch.Vector(1)[..(count * n)];
        Span<float> p = batch.Vector(2)[..(count * k)];
        for (int r = 0; r < count; r++) batch.Clean(rows[r]).CopyTo(batch.Row(x, r));
        batch.CrossEntropyGradient(x, rows, labels[..count], g, p);
        for (int r = 0; r < count; r++)
        {
            int e = rows[r];
            double sign = batch.Targeted(e) ? -1 : 1;
            AttackMath.Step(batch.Row(x, r), batch.Row(g, r), sign * _options.Epsilon, _options.Norm);
            AttackMath.Clip(batch.Row(x, r), batch.Lower, batch.Upper);
        }

        batch.Forward(x, rows, p);
        for (int r = 0; r < count; r++)
        {
            if (batch.Adversarial(p.Slice(r * k, k), rows[r])) batch.Record(rows[r], batch.Row(x, r));
        }
    }
}
