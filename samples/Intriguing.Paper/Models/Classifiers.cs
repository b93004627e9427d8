namespace Intriguing.Paper;

/// <summary>The catalogue holds its models as <see cref="INetwork"/>; training and attacks need the classifier contract.</summary>
public static class Classifiers
{
    /// <summary>Returns <paramref name="network"/> as an <see cref="IClassifier"/>, or says why it is not one.</summary>
    /// <exception cref="ArgumentException">The network does not end in a soft-max.</exception>
    public static IClassifier AsClassifier(this INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network as IClassifier ?? throw new ArgumentException($"{network.Name} does not end in a soft-max, so it is no classifier: it cannot be trained against labels or attacked.", nameof(network));
    }
}
