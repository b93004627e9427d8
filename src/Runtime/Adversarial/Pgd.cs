namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="Pgd"/>.</summary>
public sealed record PgdOptions : BatchedAttackOptions
{
    /// <summary>The norm of the budget. Default L∞.</summary>
    public AttackNorm Norm { get; init; } = AttackNorm.LInf;

    /// <summary>The budget ε. Default 0.1.</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Gradient steps per restart. Default 40.</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Step length; null for 2.5·ε/<see cref="Steps"/> (Madry et al.).</summary>
    public double? StepSize { get; init; }

    /// <summary>Runs from a new random start for the examples not yet fooled. Default 1.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Whether each run starts from a uniform random point of the ε-ball (else from the clean example). Default true.</summary>
    public bool RandomStart { get; init; } = true;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Positive(Epsilon, nameof(Epsilon));
        AtLeast(Steps, 1, nameof(Steps));
        AtLeast(Restarts, 1, nameof(Restarts));
        if (StepSize is { } s) Positive(s, nameof(StepSize));
    }
}

/// <summary>
/// Projected gradient descent (Madry et al. 2018) in L∞ or L2: steepest-ascent steps on the cross-entropy of the true
/// label (untargeted) or descent on the target's, each projected onto the ε-ball and the box, with random restarts.
/// An example stops at its first adversarial iterate.
/// </summary>
public sealed class Pgd : BatchedAttack
{
    private readonly PgdOptions _options;

    /// <summary>Prepares the attack.</summary>
    public Pgd(PgdOptions? options = null)
        : this(options ?? new PgdOptions(), true)
    {
    }

    private Pgd(PgdOptions options, bool _)
        : base(options) => _options = options;

    /// <inheritdoc/>
    public override string Name => _options.Norm == AttackNorm.L2 ? "pgd-l2" : "pgd-linf";

    /// <inheritdoc/>
    public override AttackNorm Norm => _options.Norm;

    /// <inheritdoc/>
    public override bool MinimumNorm => false;

    private protected override void Attack(AttackBatch batch)
    {
        int n = batch.N, k = batch.Classes;
        double eps = _options.Epsilon, alpha = _options.StepSize ?? (2.5 * eps / _options.Steps);
        Span<int> rows = batch.Integers(0), labels = batch.Integers(1);
        Span<float> x = batch.Vector(0), g = batch.Vector(1), p = batch.Vector(2);
        for (int restart = 0; restart < _options.Restarts; restart++)
        {
            int count = 0;
            for (int e = 0; e < batch.Count; e++)
            {
                if (batch.Found[e]) continue;
                labels[count] = batch.Goal(e);
                Span<float> row = batch.Row(x, count);
                if (_options.RandomStart) AttackMath.RandomStart(row, batch.Clean(e), eps, _options.Norm, Random(batch.Indices[e], restart), batch.Lower, batch.Upper);
                else batch.Clean(e).CopyTo(row);
                rows[count++] = e;
            }

            for (int step = 0; step < _options.Steps && count > 0; step++)
            {
                batch.CrossEntropyGradient(x[..(count * n)], rows[..count], labels[..count], g, p);
                int kept = 0;
                for (int r = 0; r < count; r++)
                {
                    int e = rows[r];
                    if (batch.Adversarial(p.Slice(r * k, k), e))
                    {
                        batch.Record(e, batch.Row(x, r));
                        continue;
                    }

                    Span<float> row = batch.Row(x, kept);
                    if (kept != r)
                    {
                        batch.Row(x, r).CopyTo(row);
                        batch.Row(g, r).CopyTo(batch.Row(g, kept));
                        rows[kept] = e;
                        labels[kept] = labels[r];
                    }

                    AttackMath.Step(row, batch.Row(g, kept), batch.Targeted(e) ? -alpha : alpha, _options.Norm);
                    AttackMath.Project(row, batch.Clean(e), eps, _options.Norm, batch.Lower, batch.Upper);
                    kept++;
                }

                count = kept;
            }

            if (count == 0) continue;
            batch.Forward(x[..(count * n)], rows[..count], p);
            for (int r = 0; r < count; r++)
            {
                if (batch.Adversarial(p.Slice(r * k, k), rows[r])) batch.Record(rows[r], batch.Row(x, r));
            }
        }
    }
}
