using Intriguing.Data;

namespace Intriguing.Adversarial;

/// <summary>
/// The box-constrained L-BFGS attack (<see cref="LbfgsAttack"/>) behind the shared interface: untargeted it is the
/// least distorted success over every wrong target. Each example is attacked by one thread from start to end (the
/// L-BFGS-B runs are sequential), so <see cref="AttackExecution.BatchSize"/> has no effect.
/// </summary>
public sealed class LbfgsMinimumNormAttack : IAttack
{
    private readonly AttackOptions _options;

    /// <summary>Prepares the attack.</summary>
    public LbfgsMinimumNormAttack(AttackOptions? options = null)
    {
        options ??= new AttackOptions();
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public string Name => "lbfgs";

    /// <inheritdoc/>
    public AttackNorm Norm => AttackNorm.L2;

    /// <inheritdoc/>
    public bool MinimumNorm => true;

    /// <inheritdoc/>
    public int Layer => _options.Layer;

    /// <inheritdoc/>
    public AttackResult[] Run(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets = null, AttackExecution? execution = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        if (targets is not null && targets.Count != indices.Count) throw new ArgumentException($"{targets.Count} targets for {indices.Count} examples.", nameof(targets));
        execution ??= new AttackExecution();
        var results = new AttackResult[indices.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = execution.Threads > 0 ? execution.Threads : Environment.ProcessorCount, CancellationToken = execution.CancellationToken };
        Parallel.For(0, indices.Count, parallel, () => new LbfgsAttack(network, _options), (i, _, attack) =>
        {
            int index = indices[i];
            ReadOnlySpan<float> x = data.Sample(index);
            int label = data.Labels[index];
            AttackResult r = targets is null ? attack.Untargeted(x, label, index) : attack.Targeted(x, label, targets[i], index);
            results[i] = r with { Attack = Name };
            execution.Progress?.Report(Interlocked.Increment(ref done));
            return attack;
        }, _ => { });
        return results;
    }
}

/// <summary>The results of an ensemble run: the per-example minimum and every member's own results.</summary>
/// <param name="Best">Per example, the least distorted verified success of any member (its <see cref="AttackResult.Attack"/> names the member), with the members' budgets summed.</param>
/// <param name="Members">The members' names, in order.</param>
/// <param name="ByMember">Each member's results, in the members' order.</param>
public sealed record EnsembleRun(AttackResult[] Best, string[] Members, AttackResult[][] ByMember);

/// <summary>
/// The minimum over attacks: runs several attacks on the same examples and keeps, per example, the smallest verified
/// perturbation in <see cref="Norm"/> (ties: the earlier member), recording which attack found it.
/// </summary>
public sealed class EnsembleAttack : IAttack
{
    private readonly IAttack[] _members;

    /// <summary>An ensemble of <paramref name="members"/> (at least one, all on the same layer), compared in <paramref name="norm"/>.</summary>
    public EnsembleAttack(AttackNorm norm, params IAttack[] members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Length == 0) throw new ArgumentException("An ensemble needs at least one attack.", nameof(members));
        if (members.Any(m => m is null)) throw new ArgumentException("An ensemble member is null.", nameof(members));
        if (members.Any(m => m.Layer != members[0].Layer)) throw new ArgumentException("The members of an ensemble must attack the same layer.", nameof(members));
        _members = members.ToArray();
        Norm = norm;
    }

    /// <inheritdoc/>
    public string Name => "ensemble";

    /// <inheritdoc/>
    public AttackNorm Norm { get; }

    /// <inheritdoc/>
    public bool MinimumNorm => true;

    /// <inheritdoc/>
    public int Layer => _members[0].Layer;

    /// <summary>The members, in order.</summary>
    public IReadOnlyList<IAttack> Members => _members;

    /// <inheritdoc/>
    public AttackResult[] Run(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets = null, AttackExecution? execution = null) =>
        RunEach(network, data, indices, targets, execution).Best;

    /// <summary>Runs every member and combines their results (see <see cref="EnsembleRun"/>).</summary>
    public EnsembleRun RunEach(IClassifier network, Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets = null, AttackExecution? execution = null)
    {
        AttackResult[][] byMember = _members.Select(m => m.Run(network, data, indices, targets, execution)).ToArray();
        return new EnsembleRun(Combine(byMember, Norm), _members.Select(m => m.Name).ToArray(), byMember);
    }

    /// <summary>Per example, the least distorted success in <paramref name="norm"/> over <paramref name="byMember"/>, budgets and times summed.</summary>
    public static AttackResult[] Combine(IReadOnlyList<AttackResult[]> byMember, AttackNorm norm)
    {
        ArgumentNullException.ThrowIfNull(byMember);
        if (byMember.Count == 0) return [];
        int count = byMember[0].Length;
        var best = new AttackResult[count];
        for (int i = 0; i < count; i++)
        {
            AttackResult? pick = null;
            int forwards = 0, gradients = 0, evaluations = 0;
            double seconds = 0;
            foreach (AttackResult[] results in byMember)
            {
                AttackResult r = results[i];
                forwards += r.Forwards;
                gradients += r.Gradients;
                evaluations += r.Evaluations;
                seconds += r.Seconds;
                if (pick is null || (r.Success && (!pick.Success || r.Norm(norm) < pick.Norm(norm)))) pick = r;
            }

            best[i] = pick! with { Forwards = forwards, Gradients = gradients, Evaluations = evaluations, Seconds = seconds };
        }

        return best;
    }
}

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
    /// misclassifies count as successes at 0 when the attack recorded them so (the batched attacks do).
    /// </summary>
    public static RobustnessPoint[] FromMinimumNorm(IReadOnlyList<AttackResult> results, AttackNorm norm, IReadOnlyList<double> epsilons)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(epsilons);
        return epsilons.Select(eps => new RobustnessPoint(eps, results.Count == 0 ? double.NaN : (double)results.Count(r => !(r.Success && r.Norm(norm) <= eps)) / results.Count)).ToArray();
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
            return new RobustnessPoint(eps, r.Length == 0 ? double.NaN : (double)r.Count(x => !x.Success) / r.Length);
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
