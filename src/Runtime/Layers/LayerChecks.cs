using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>Argument checks shared by the layer kernels.</summary>
internal static class LayerChecks
{
    /// <summary>Checks a kernel whose output has its input's shape: lengths of x and y for the batch, and the scratch.</summary>
    public static void SameShape(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> scratch, int batch, int scratchLength)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        NetworkGuard.Length(x, batch * g.InputLength, nameof(x));
        NetworkGuard.Length(y, batch * g.InputLength, nameof(y));
        NetworkGuard.Length(scratch, scratchLength, nameof(scratch));
    }
}
