namespace Intriguing;

/// <summary>How a convolution treats positions outside its input map.</summary>
public enum PaddingMode
{
    /// <summary>Positions outside the map read zero.</summary>
    Zero,

    /// <summary>The map is periodic: positions outside wrap around to the opposite edge.</summary>
    Circular,
}
