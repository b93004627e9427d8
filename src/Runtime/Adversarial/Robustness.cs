using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>One point of a robust-accuracy curve.</summary>
/// <param name="Epsilon">The perturbation budget ε.</param>
/// <param name="Accuracy">The fraction of the examples that no perturbation of norm at most ε made adversarial.</param>
public sealed record RobustnessPoint(double Epsilon, double Accuracy);

/// <summary>Robust accuracy as a function of the budget ε, in L2 or L∞.</summary>
public static class Robustness
{
    /// <summary>
    /// The curve from minimum-norm results (one run gives every ε): at ε the accuracy is the fraction of
    /// <paramref name="results"/> without a verified success of norm at most ε. Examples the network already
    /// misclassifies (<see cref="AttackResult.Misclassified"/>) are not robust at any ε.
    /// </summary>
    public static RobustnessPoint[] FromMinimumNorm(IReadOnlyList<AttackResult> results, AttackNorm norm, IReadOnlyList<double> epsilons)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(epsilons);
        return epsilons.Select(eps => new RobustnessPoint(eps, results.Count == 0 ? double.NaN : (double)results.Count(r => !r.Misclassified && !(r.Success && r.Norm(norm) <= eps)) / results.Count)).ToArray();
    }

    /// <summary>
    /// The curve from a fixed-budget attack run once per ε (<paramref name="attackAt"/> makes it, PGD for instance): at ε
    /// the accuracy is the fraction of examples it did not fool.
    /// </summary>
    public static RobustnessPoint[] FromFixedBudget(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<double> epsilons, Func<double, IAttack> attackAt, AttackExecution? execution = null)
    {
        ArgumentNullException.ThrowIfNull(epsilons);
        ArgumentNullException.ThrowIfNull(attackAt);
        ArgumentNullException.ThrowIfNull(indices);
        return epsilons.Select(eps =>
        {
            IAttack attack = attackAt(eps > 0 ? eps : 1);
            if (eps <= 0) return new RobustnessPoint(eps, CleanAccuracy(network, data, indices, attack.Layer));
            AttackResult[] r = attack.Run(network, data, indices, null, execution);
            return new RobustnessPoint(eps, r.Length == 0 ? double.NaN : (double)r.Count(x => !x.Success && !x.Misclassified) / r.Length);
        }).ToArray();
    }

    /// <summary>Evenly spaced budgets 0, max/(points − 1), …, max.</summary>
    public static double[] Grid(double max, int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        return Enumerable.Range(0, points).Select(i => max * i / (points - 1)).ToArray();
    }

    private static double CleanAccuracy(IClassifier network, Dataset data, IReadOnlyList<int> indices, int layer)
    {
        NetworkWorkspace ws = network.CreateWorkspace(1);
        float[] output = new float[network.OutputLength];
        int correct = 0;
        foreach (int i in indices)
        {
            network.ForwardFrom(ws, layer, data.Sample(i), output, 1);
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(output) == data.Labels[i]) correct++;
        }

        return indices.Count == 0 ? double.NaN : (double)correct / indices.Count;
    }
}
