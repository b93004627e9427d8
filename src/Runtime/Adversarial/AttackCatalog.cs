using System.Globalization;

namespace Intriguing.Adversarial;

/// <summary>The attacks by name, with their default settings: what a command line or a report asks for.</summary>
public static class AttackCatalog
{
    /// <summary>The method names <see cref="Create"/> takes.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["lbfgs", "fgsm", "pgd", "cw", "deepfool", "ddn", "fmn", "ensemble"];

    /// <summary>The minimum-norm methods that measure in <paramref name="norm"/> (C&amp;W, DDN and L-BFGS only in L2).</summary>
    public static IReadOnlyList<string> MinimumNormMethods(AttackNorm norm) => norm == AttackNorm.L2 ? ["deepfool", "ddn", "fmn", "cw", "lbfgs"] : ["deepfool", "fmn"];

    /// <summary>
    /// The attack <paramref name="method"/> in <paramref name="norm"/> on activation <paramref name="layer"/>.
    /// <paramref name="epsilon"/> is the budget of FGSM and PGD; <paramref name="steps"/> (0 for each attack's default)
    /// its iteration count (for C&amp;W, per value of c); "ensemble" is the minimum over the minimum-norm methods of the
    /// norm other than L-BFGS.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown method, or a norm the method does not support.</exception>
    public static IAttack Create(string method, AttackNorm norm, int layer = 0, double epsilon = 0.1, int steps = 0, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(method);
        string m = method.ToLowerInvariant();
        if (norm == AttackNorm.LInf && m is "cw" or "ddn" or "lbfgs") throw new ArgumentException($"{method} minimises the L2 norm only.", nameof(norm));
        return m switch
        {
            "lbfgs" => new LbfgsMinimumNormAttack(new AttackOptions { Layer = layer }),
            "fgsm" => new Fgsm(new FgsmOptions { Layer = layer, Norm = norm, Epsilon = epsilon, Seed = seed }),
            "pgd" => new Pgd(new PgdOptions { Layer = layer, Norm = norm, Epsilon = epsilon, Seed = seed, Steps = steps > 0 ? steps : 40 }),
            "cw" => new CarliniWagner(new CarliniWagnerOptions { Layer = layer, Seed = seed, Steps = steps > 0 ? steps : 100 }),
            "deepfool" => new DeepFool(new DeepFoolOptions { Layer = layer, Norm = norm, Seed = seed, Steps = steps > 0 ? steps : 50 }),
            "ddn" => new Ddn(new DdnOptions { Layer = layer, Seed = seed, Steps = steps > 0 ? steps : 100 }),
            "fmn" => new Fmn(new FmnOptions { Layer = layer, Norm = norm, Seed = seed, Steps = steps > 0 ? steps : 100 }),
            "ensemble" => new EnsembleAttack(norm, MinimumNormMethods(norm).Where(x => x != "lbfgs").Select(x => Create(x, norm, layer, epsilon, steps, seed)).ToArray()),
            _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Unknown attack '{method}'; known: {string.Join(", ", Methods)}."), nameof(method)),
        };
    }

    /// <summary>Parses "l2" or "linf" (also "inf", "l-inf").</summary>
    public static AttackNorm ParseNorm(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToLowerInvariant() switch
        {
            "l2" or "2" => AttackNorm.L2,
            "linf" or "inf" or "l-inf" => AttackNorm.LInf,
            _ => throw new ArgumentException($"Unknown norm '{text}'; use l2 or linf.", nameof(text)),
        };
    }
}
