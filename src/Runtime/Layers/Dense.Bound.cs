namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class Dense
{
    /// <summary>The summary's text of the dense layer's bound: the spectral norm of W.</summary>
    internal static string BoundText() => "‖W‖₂, largest singular value";
}
