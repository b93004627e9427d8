namespace Intriguing.Adversarial;

/// <summary>Norms, projections and random starts of perturbations, in double precision where they sum.</summary>
internal static class AttackMath
{
    /// <summary>‖v‖₂.</summary>
    public static double Norm2(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (float x in v) s += (double)x * x;
        return Math.Sqrt(s);
    }

    /// <summary>‖v‖₁.</summary>
    public static double Norm1(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (float x in v) s += Math.Abs((double)x);
        return s;
    }

    /// <summary>The dual norm of <paramref name="norm"/> of v: ‖v‖₂ for L2, ‖v‖₁ for L∞.</summary>
    public static double Dual(ReadOnlySpan<float> v, AttackNorm norm) => norm == AttackNorm.L2 ? Norm2(v) : Norm1(v);

    /// <summary>‖x − x0‖ in <paramref name="norm"/>.</summary>
    public static double Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> x0, AttackNorm norm)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - x0[i];
            s = norm == AttackNorm.L2 ? s + (d * d) : Math.Max(s, Math.Abs(d));
        }

        return norm == AttackNorm.L2 ? Math.Sqrt(s) : s;
    }

    /// <summary>
    /// x ← clip(x0 + P(x − x0)) with P the projection onto the ball of radius <paramref name="epsilon"/> in
    /// <paramref name="norm"/> (L2: rescaled if longer; L∞: clamped per value), then clipped to [lower, upper].
    /// </summary>
    public static void Project(Span<float> x, ReadOnlySpan<float> x0, double epsilon, AttackNorm norm, double lower, double upper)
    {
        if (norm == AttackNorm.L2)
        {
            double d = Distance(x, x0, AttackNorm.L2);
            if (d > epsilon)
            {
                double scale = epsilon / d;
                for (int i = 0; i < x.Length; i++) x[i] = (float)(x0[i] + (scale * ((double)x[i] - x0[i])));
            }
        }
        else
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)Math.Clamp(x[i], x0[i] - epsilon, x0[i] + epsilon);
        }

        Clip(x, lower, upper);
    }

    /// <summary>Clips x to [lower, upper] in place.</summary>
    public static void Clip(Span<float> x, double lower, double upper)
    {
        for (int i = 0; i < x.Length; i++) x[i] = (float)Math.Clamp(x[i], lower, upper);
    }

    /// <summary>
    /// x ← x + <paramref name="step"/>·s(g), s the steepest-ascent direction of unit <paramref name="norm"/>: g/‖g‖₂ for
    /// L2, sign(g) for L∞ (no move where g is zero).
    /// </summary>
    public static void Step(Span<float> x, ReadOnlySpan<float> g, double step, AttackNorm norm)
    {
        if (norm == AttackNorm.L2)
        {
            double length = Norm2(g);
            if (length == 0) return;
            double scale = step / length;
            for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] + (scale * g[i]));
        }
        else
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)(x[i] + (step * Math.Sign(g[i])));
        }
    }

    /// <summary>
    /// x ← x0 + r with r uniform in the ball of radius <paramref name="epsilon"/> (L∞: each value uniform in [−ε, ε];
    /// L2: a Gaussian direction scaled to ε·u^(1/n)), clipped to the box.
    /// </summary>
    public static void RandomStart(Span<float> x, ReadOnlySpan<float> x0, double epsilon, AttackNorm norm, SeededRandom random, double lower, double upper)
    {
        if (norm == AttackNorm.LInf)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)(x0[i] + (epsilon * ((2 * random.NextDouble()) - 1)));
        }
        else
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double g = random.NextGaussian();
                x[i] = (float)g;
                s += g * g;
            }

            double radius = epsilon * Math.Pow(random.NextDouble(), 1.0 / x.Length);
            double scale = s > 0 ? radius / Math.Sqrt(s) : 0;
            for (int i = 0; i < x.Length; i++) x[i] = (float)(x0[i] + (scale * x[i]));
        }

        Clip(x, lower, upper);
    }

    /// <summary>The distance from x0 to the farthest corner of the box (infinite if the box is unbounded).</summary>
    public static double WorstNorm(ReadOnlySpan<float> x0, double lower, double upper, AttackNorm norm)
    {
        if (!double.IsFinite(lower) || !double.IsFinite(upper)) return double.PositiveInfinity;
        double s = 0;
        foreach (float v in x0)
        {
            double d = Math.Max(v - lower, upper - v);
            s = norm == AttackNorm.L2 ? s + (d * d) : Math.Max(s, d);
        }

        return norm == AttackNorm.L2 ? Math.Sqrt(s) : s;
    }
}
