namespace Intriguing;

/// <summary>
/// How a <see cref="ConvAttribute"/> treats positions outside its input (<c>Mode = Padding.Circular</c>). The runtime
/// describes the same choice with <c>Intriguing.PaddingMode</c> in a layer's geometry.
/// </summary>
public enum Padding
{
    /// <summary>Zeros outside the input (the usual convolution).</summary>
    Zero,

    /// <summary>The input wraps around (a circular, or periodic, convolution), index <c>i</c> reads <c>i mod n</c>.</summary>
    Circular,
}
