namespace Intriguing;

/// <summary>Seeded parameter initialisation schemes.</summary>
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
