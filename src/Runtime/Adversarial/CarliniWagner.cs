namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="CarliniWagner"/>.</summary>
public sealed record CarliniWagnerOptions : BatchedAttackOptions
{
    /// <summary>Adam steps per value of the constant c. Default 100.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Values of c tried by the binary search. Default 9.</summary>
    public int BinarySteps { get; init; } = 9;

    /// <summary>The first c. Default 0.001 (Carlini and Wagner's).</summary>
    public double InitialConst { get; init; } = 1e-3;

    /// <summary>Adam's learning rate. Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Confidence κ: the logit margin beyond which the loss term is flat. Default 0.</summary>
    public double Confidence { get; init; }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        AtLeast(Steps, 1, nameof(Steps));
        AtLeast(BinarySteps, 1, nameof(BinarySteps));
        Positive(InitialConst, nameof(InitialConst));
        Positive(LearningRate, nameof(LearningRate));
        if (!(Confidence >= 0) || double.IsInfinity(Confidence)) throw new ArgumentException($"Confidence must be non-negative and finite (got {Confidence}).", nameof(Confidence));
    }
}

/// <summary>
/// Carlini and Wagner's L2 attack (2017): Adam on ‖x′ − x‖₂² + c·max(f(x′), −κ − ln(1 + <see cref="LbfgsAttack.DecisionMargin"/>))
/// with f = max_{j≠t} z_j − z_t (targeted) or z_y − max_{j≠y} z_j (untargeted) (the decision margin moves the flat part
/// to where an example starts to count as adversarial), in the variable w of x′ = lo + (hi − lo)·(tanh w + 1)/2 so that x′
/// stays in the box; a binary search over c per example (×10 until a success, then bisection). Each value of c starts
/// again from the clean example. The least distorted adversarial iterate of any c is kept.
/// </summary>
/// <remarks>
/// In a box unbounded on either side the change of variable is dropped: Adam works on x′ directly, clipped to the box
/// after each step. The gradient of f takes two cross-entropy gradients (two network calls) per step.
/// </remarks>
public sealed class CarliniWagner : BatchedAttack
{
    private readonly CarliniWagnerOptions _options;

    /// <summary>Prepares the attack.</summary>
    public CarliniWagner(CarliniWagnerOptions? options = null)
        : this(options ?? new CarliniWagnerOptions(), true)
    {
    }

    private CarliniWagner(CarliniWagnerOptions options, bool _)
        : base(options) => _options = options;

    /// <inheritdoc/>
    public override string Name => "cw-l2";

    /// <inheritdoc/>
    public override AttackNorm Norm => AttackNorm.L2;

    /// <inheritdoc/>
    public override bool MinimumNorm => true;

    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8, UpperLimit = 1e10;

    private protected override void Attack(AttackBatch batch)
    {
        int n = batch.N, k = batch.Classes;
        double lo = batch.Lower, hi = batch.Upper, half = (hi - lo) / 2;
        bool tanh = double.IsFinite(lo) && double.IsFinite(hi);
        Span<int> rows = batch.Integers(0), labels = batch.Integers(1), other = batch.Integers(2), success = batch.Integers(3);
        Span<float> x = batch.Vector(0), g = batch.Vector(1), p = batch.Vector(2), w0 = batch.Vector(3), w = batch.Vector(4);
        Span<double> m = batch.Scalars(0, n), v = batch.Scalars(1, n), c = batch.Scalars(2), lower = batch.Scalars(3), upper = batch.Scalars(4);
        int count = 0;
        for (int e = 0; e < batch.Count; e++)
        {
            if (batch.Found[e]) continue;
            ReadOnlySpan<float> x0 = batch.Clean(e);
            Span<float> wr = batch.Row(w0, count);
            for (int i = 0; i < n; i++) wr[i] = tanh ? (float)Math.Atanh(Math.Clamp((((x0[i] - lo) / half) - 1) * 0.999999, -1, 1)) : x0[i];
            labels[count] = batch.Goal(e);
            c[count] = _options.InitialConst;
            lower[count] = 0;
            upper[count] = UpperLimit;
            rows[count++] = e;
        }

        if (count == 0) return;
        rows = rows[..count];
        for (int search = 0; search < _options.BinarySteps; search++)
        {
            w0[..(count * n)].CopyTo(w);
            m[..(count * n)].Clear();
            v[..(count * n)].Clear();
            success[..count].Clear();
            for (int step = 1; step <= _options.Steps; step++)
            {
                for (int r = 0; r < count; r++) Map(batch.Row(w, r), batch.Row(x, r), tanh, lo, half);
                batch.LogitDifferenceGradient(x[..(count * n)], rows, labels[..count], other, g, p);
                double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
                for (int r = 0; r < count; r++)
                {
                    int e = rows[r];
                    ReadOnlySpan<float> pr = p.Slice(r * k, k), x0 = batch.Clean(e), xr = batch.Row(x, r), gr = batch.Row(g, r);
                    if (batch.Adversarial(pr, e))
                    {
                        success[r] = 1;
                        batch.Record(e, xr);
                    }

                    // f = −(z_t − z_other) targeted, z_y − z_other untargeted; g = ∇(z_goal − z_other).
                    double sign = batch.Targeted(e) ? -1 : 1;
                    double f = sign * (AttackBatch.Log(pr[labels[r]]) - AttackBatch.Log(pr[other[r]]));
                    double weight = f > -(_options.Confidence + AttackBatch.MarginLogit) ? c[r] * sign : 0;
                    Span<float> wr = batch.Row(w, r);
                    Span<double> mr = m.Slice(r * n, n), vr = v.Slice(r * n, n);
                    for (int i = 0; i < n; i++)
                    {
                        double gx = (2 * ((double)xr[i] - x0[i])) + (weight * gr[i]);
                        double gw = tanh ? gx * half * (1 - Math.Pow(Math.Tanh(wr[i]), 2)) : gx;
                        mr[i] = (Beta1 * mr[i]) + ((1 - Beta1) * gw);
                        vr[i] = (Beta2 * vr[i]) + ((1 - Beta2) * gw * gw);
                        double update = _options.LearningRate * (mr[i] / correction1) / (Math.Sqrt(vr[i] / correction2) + AdamEpsilon);
                        wr[i] = (float)(wr[i] - update);
                    }

                    if (!tanh) AttackMath.Clip(wr, lo, hi);
                }
            }

            // Binary search on c: a success bounds it from above, a failure from below (×10 until bounded).
            for (int r = 0; r < count; r++)
            {
                if (success[r] != 0)
                {
                    upper[r] = Math.Min(upper[r], c[r]);
                    if (upper[r] < UpperLimit) c[r] = (lower[r] + upper[r]) / 2;
                }
                else
                {
                    lower[r] = Math.Max(lower[r], c[r]);
                    c[r] = upper[r] < UpperLimit ? (lower[r] + upper[r]) / 2 : c[r] * 10;
                }
            }
        }
    }

    /// <summary>x = lo + (hi − lo)·(tanh w + 1)/2 in a bounded box, else x = w.</summary>
    private static void Map(ReadOnlySpan<float> w, Span<float> x, bool tanh, double lo, double half)
    {
        if (!tanh)
        {
            w.CopyTo(x);
            return;
        }

        for (int i = 0; i < w.Length; i++) x[i] = (float)(lo + (half * (Math.Tanh(w[i]) + 1)));
    }
}
