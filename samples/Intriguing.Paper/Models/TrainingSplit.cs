using Intriguing.Data;

namespace Intriguing.Paper;

/// <summary>Which part of the MNIST training set a model is trained on.</summary>
public enum TrainingSplit
{
    /// <summary>All 60,000 training images.</summary>
    Full,

    /// <summary>P1: the first half of a seeded split of the training set (Table 3).</summary>
    P1,

    /// <summary>P2: the other half (Table 3).</summary>
    P2,
}

/// <summary>The paper's splits of the MNIST training set.</summary>
public static class TrainingSplits
{
    /// <summary>
    /// P1 and P2: the two disjoint halves of the training set by a permutation derived from <paramref name="seed"/>
    /// (<see cref="Dataset.SplitHalves"/>); the same seed gives the same halves in every command.
    /// </summary>
    public static (Dataset P1, Dataset P2) Halves(Dataset train, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        return train.SplitHalves(SeededRandom.Derive(seed, 0x5011), "P1", "P2");
    }

    /// <summary>The data of <paramref name="split"/>: <paramref name="full"/>, <paramref name="p1"/> or <paramref name="p2"/>.</summary>
    public static Dataset Select(TrainingSplit split, Dataset full, Dataset p1, Dataset p2) => split switch
    {
        TrainingSplit.P1 => p1,
        TrainingSplit.P2 => p2,
        _ => full,
    };
}
