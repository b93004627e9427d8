namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="DeepFool"/>.</summary>
public sealed record DeepFoolOptions : BatchedAttackOptions
{
    /// <summary>The norm minimised: L2 or L∞. Default L2.</summary>
    public AttackNorm Norm { get; init; } = AttackNorm.L2;

    /// <summary>Most linearisation steps. Default 50.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Overshoot η: the accumulated step is applied as (1 + η)·r. Default 0.02.</summary>
    public double Overshoot { get; init; } = 0.02;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        AtLeast(Steps, 1, nameof(Steps));
        if (!(Overshoot >= 0) || double.IsInfinity(Overshoot)) throw new ArgumentException($"Overshoot must be non-negative and finite (got {Overshoot}).", nameof(Overshoot));
    }
}

/// <summary>
/// DeepFool (Moosavi-Dezfooli et al. 2016), L2 and L∞: at each step the classifier is linearised around the current
/// point and the example moves to the nearest linearised boundary, r = (|f_l| + 10⁻⁴)/‖w_l‖₂²·w_l (L2) or
/// (|f_l| + 10⁻⁴)/‖w_l‖₁·sign(w_l) (L∞), with f_k = z_k − z_y − ln(1 + <see cref="LbfgsAttack.DecisionMargin"/>),
/// w_k = ∇f_k and l the label of least |f_k|/‖w_k‖_q (q the dual norm). Targeted, the only boundary is the target's
/// against its strongest rival at the current point. The accumulated step is applied with overshoot, clipped to the box.
/// </summary>
/// <remarks>
/// Untargeted, every step takes the cross-entropy gradients of all labels (one network call each); targeted, of the
/// target and its rival only. An example stops at its first adversarial point.
/// </remarks>
public sealed class DeepFool : BatchedAttack
{
    private readonly DeepFoolOptions _options;

    /// <summary>Prepares the attack.</summary>
    public DeepFool(DeepFoolOptions? options = null)
        : this(options ?? new DeepFoolOptions(), true)
    {
    }

    private DeepFool(DeepFoolOptions options, bool _)
        : base(options) => _options = options;

    /// <inheritdoc/>
    public override string Name => _options.Norm == AttackNorm.L2 ? "deepfool-l2" : "deepfool-linf";

    /// <inheritdoc/>
    public override AttackNorm Norm => _options.Norm;

    /// <inheritdoc/>
    public override bool MinimumNorm => true;

    private protected override void Attack(AttackBatch batch)
    {
        int n = batch.N, k = batch.Classes;
        Span<int> rows = batch.Integers(0), labels = batch.Integers(1);
        Span<float> x = batch.Vector(0), total = batch.Vector(1), p = batch.Vector(2), w = batch.Vector(3);
        int count = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (batch.Found[e]) continue;
            batch.Clean(e).CopyTo(batch.Row(x, count));
            batch.Row(total, count).Clear();
            rows[count++] = e;
        }

        // Gradient slots: 10 + label untargeted (every label); targeted, 11 for the target and 10 for its strongest rival.
        Span<int> rival = batch.Integers(2);
        bool targeted = count > 0 && batch.Targeted(rows[0]);
        for (int step = 0; step < _options.Steps && count > 0; step++)
        {
            if (targeted)
            {
                for (int r = 0; r < count; r++) labels[r] = batch.Targets[rows[r]];
                batch.CrossEntropyGradient(x[..(count * n)], rows[..count], labels[..count], batch.Vector(11), p);
                for (int r = 0; r < count; r++) rival[r] = AttackBatch.RunnerUp(p.Slice(r * k, k), labels[r]);
                batch.CrossEntropyGradient(x[..(count * n)], rows[..count], rival[..count], batch.Vector(10), batch.Vector(4));
            }
            else
            {
                for (int j = 0; j < k; j++)
                {
                    labels[..count].Fill(j);
                    batch.CrossEntropyGradient(x[..(count * n)], rows[..count], labels[..count], batch.Vector(10 + j), j == 0 ? p : batch.Vector(4));
                }
            }

            int kept = 0;
            for (int r = 0; r < count; r++)
            {
                int e = rows[r];
                ReadOnlySpan<float> pr = p.Slice(r * k, k);
                if (batch.Adversarial(pr, e))
                {
                    batch.Record(e, batch.Row(x, r));
                    continue;
                }

                // Towards label a from label b: w = ∇z_a − ∇z_b = ∇CE_b − ∇CE_a, f = z_a − z_b − margin (negative
                // until the example counts as adversarial). Untargeted: b = y and a the nearest label; targeted: a = t
                // and b its strongest rival.
                int from = targeted ? rival[r] : batch.Labels[e];
                ReadOnlySpan<float> gb = batch.Row(batch.Vector(targeted ? 10 : 10 + from), r);
                int best = -1;
                double bestRatio = double.PositiveInfinity, bestF = 0, bestDual = 0;
                Span<float> wj = batch.Row(w, 0);
                for (int j = 0; j < k; j++)
                {
                    if (j == from || (targeted && j != batch.Targets[e])) continue;
                    ReadOnlySpan<float> ga = batch.Row(batch.Vector(targeted ? 11 : 10 + j), r);
                    for (int i = 0; i < n; i++) wj[i] = gb[i] - ga[i];
                    double f = AttackBatch.Log(pr[j]) - AttackBatch.Log(pr[from]) - AttackBatch.MarginLogit;
                    double dual = AttackMath.Dual(wj, _options.Norm);
                    double ratio = Math.Abs(f) / dual;
                    if (ratio < bestRatio)
                    {
                        bestRatio = ratio;
                        best = j;
                        bestF = f;
                        bestDual = dual;
                    }
                }

                Span<float> xr = batch.Row(x, kept), tr = batch.Row(total, kept);
                if (kept != r)
                {
                    batch.Row(total, r).CopyTo(tr);
                    rows[kept] = e;
                }

                if (best >= 0 && bestDual > 0)
                {
                    ReadOnlySpan<float> ga = batch.Row(batch.Vector(targeted ? 11 : 10 + best), r);
                    double scale = (Math.Abs(bestF) + 1e-4) / (_options.Norm == AttackNorm.L2 ? bestDual * bestDual : bestDual);
                    for (int i = 0; i < n; i++)
                    {
                        double wi = (double)gb[i] - ga[i];
                        tr[i] = (float)(tr[i] + (scale * (_options.Norm == AttackNorm.L2 ? wi : Math.Sign(wi))));
                    }
                }

                ReadOnlySpan<float> x0 = batch.Clean(e);
                for (int i = 0; i < n; i++) xr[i] = (float)(x0[i] + ((1 + _options.Overshoot) * tr[i]));
                AttackMath.Clip(xr, batch.Lower, batch.Upper);
                kept++;
            }

            count = kept;
        }

        if (count == 0) return;
        batch.Forward(x[..(count * n)], rows[..count], p);
        for (int r = 0; r < count; r++)
        {
            if (batch.Adversarial(p.Slice(r * k, k), rows[r])) batch.Record(rows[r], batch.Row(x, r));
        }
    }
}
