using Intriguing.Data;

namespace Intriguing.Adversarial;

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
