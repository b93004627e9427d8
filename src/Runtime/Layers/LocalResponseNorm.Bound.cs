using System.Globalization;

namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class LocalResponseNorm
{
    /// <summary>
    /// A bound of the Lipschitz constant of local response normalisation over <paramref name="size"/> channels:
    /// k^(−β)·(1 + 2β·q·n^(3/4)), q = β^β/(1 + β)^(1+β), n = size. It does not depend on α; not tight.
    /// </summary>
    internal static double Bound(int size, double k, double beta)
    {
        double q = System.Math.Pow(beta, beta) / System.Math.Pow(1 + beta, 1 + beta);
        return System.Math.Pow(k, -beta) * (1 + 2 * beta * q * System.Math.Pow(size, 0.75));
    }

    /// <summary>The summary's text of the bound, with its value.</summary>
    internal static string BoundText(int size, double k, double alpha, double beta)
        => "k^(−β)·(1 + 2β·q·n^(3/4)) = " + Bound(size, k, beta).ToString("G4", CultureInfo.InvariantCulture) + " (derived, not tight)";
}
