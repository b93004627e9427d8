namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class Activation
{
    /// <summary>The summary's text of the sigmoid's bound, max σ′ = 1/4.</summary>
    internal static string SigmoidBoundText() => "1/4 (max σ′)";

    /// <summary>The summary's text of tanh's bound, max tanh′ = 1.</summary>
    internal static string TanhBoundText() => "1 (max tanh′)";

    /// <summary>The summary's text of the ReLU's bound, its largest slope 1.</summary>
    internal static string ReLUBoundText() => "1 (max slope)";
}
