using System.ComponentModel;

namespace Intriguing.Generated;

/// <summary>For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense. Seeded parameter initialisation schemes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Initializers
{
    /// <summary>Fills <paramref name="values"/> with independent draws from U(−<paramref name="limit"/>, <paramref name="limit"/>), in order.</summary>
    public static void Uniform(Span<float> values, float limit, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (2f * random.NextSingle() - 1f) * limit;
        }
    }

    /// <summary>Sets <paramref name="values"/> from <paramref name="data"/>, four little-endian bytes per value (a compiled ONNX model's parameters).</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not hold exactly four bytes per value.</exception>
    public static void ReadLittleEndian(ReadOnlySpan<byte> data, Span<float> values)
    {
        if (data.Length != 4 * values.Length) throw new ArgumentException($"Expected {4 * values.Length} bytes for {values.Length} values, got {data.Length}.", nameof(data));
        for (int i = 0; i < values.Length; i++) values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(data.Slice(4 * i, 4));
    }
}
