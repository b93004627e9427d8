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
}
