namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class Softmax
{
    /// <summary>The summary's text of the soft-max's bound.</summary>
    internal static string BoundText() => "1/2 (‖diag p − ppᵀ‖ ≤ 1/2)";
}
