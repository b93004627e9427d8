using System.Globalization;

namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class ContrastNorm
{
    /// <summary>The Lipschitz constant of x / (ε + ‖x‖²)^γ for any γ ≥ 0: ε^(−γ), attained at x = 0.</summary>
    internal static double Bound(double epsilon, double gamma) => System.Math.Pow(epsilon, -gamma);

    /// <summary>The summary's text of the bound, with its value.</summary>
    internal static string BoundText(double epsilon, double gamma)
        => "ε^(−γ) = " + Bound(epsilon, gamma).ToString("G4", CultureInfo.InvariantCulture);
}
