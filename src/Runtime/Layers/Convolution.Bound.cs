namespace Intriguing.Layers;

// Compiled into the runtime and, linked, into the generator (every Layers/*.Bound.cs is), so the compile-time summary
// and the runtime's analysis describe the bound with the same code. C# for netstandard2.0, no runtime types.
static partial class Convolution
{
    /// <summary>The summary's text of the convolution's bound: the Fourier method, exact with circular padding.</summary>
    internal static string BoundText(bool circular) => circular ? "Fourier (exact, circular)" : "Fourier (upper bound, zero padding)";
}
