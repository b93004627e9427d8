using System.Runtime.InteropServices;
using Intriguing.Adversarial;
using Intriguing.Certification;

namespace Intriguing.Cli;

/// <summary>
/// An <see cref="AttackResult"/> as a shard stores it: every field, the adversarial example as the base64 of its
/// little-endian floats (exact, and half the size of decimal text).
/// </summary>
internal sealed record AttackResultRecord(
    int Index, int Label, int Target, bool Success, int Predicted, double Distortion, double C, int Evaluations, string Adversarial, double Seconds,
    string Attack, double L2, double LInf, int Forwards, int Gradients, bool Misclassified)
{
    /// <summary>The record of <paramref name="r"/>; without its example when <paramref name="example"/> is false.</summary>
    public static AttackResultRecord From(AttackResult r, bool example = true) =>
        new(r.Index, r.Label, r.Target, r.Success, r.Predicted, r.Distortion, r.C, r.Evaluations, example ? Convert.ToBase64String(MemoryMarshal.AsBytes(r.Adversarial.AsSpan())) : "", r.Seconds,
            r.Attack, r.L2, r.LInf, r.Forwards, r.Gradients, r.Misclassified);

    /// <summary>The result back, bit for bit.</summary>
    public AttackResult ToResult()
    {
        byte[] bytes = Convert.FromBase64String(Adversarial);
        float[] example = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        return new AttackResult(Index, Label, Target, Success, Predicted, Distortion, C, Evaluations, example, Seconds)
        {
            Attack = Attack, L2 = L2, LInf = LInf, Forwards = Forwards, Gradients = Gradients, Misclassified = Misclassified,
        };
    }
}

/// <summary>An attack shard's results: the positions of the drawn examples it attacked and what it found.</summary>
internal sealed record AttackShardResults(int[] Attacked, AttackResultRecord[] Results);

/// <summary>A certify shard's radii, one per drawn example of its block.</summary>
internal sealed record CertifyShardResults(CertifiedRadius[] Radii);

/// <summary>
/// A robustness shard's results: the minimum-norm attack's result per drawn example of its block, and with PGD the
/// number of those examples PGD did not fool at each budget.
/// </summary>
internal sealed record RobustnessShardResults(AttackResultRecord[] Results, int[]? PgdRobust);
