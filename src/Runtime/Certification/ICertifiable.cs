namespace Intriguing.Certification;

/// <summary>
/// A classifier whose every layer kind has interval bounds and a linear relaxation, so that its outputs can be bounded
/// over a set of inputs. The generator implements it for every network made of dense, convolution, pooling, dropout
/// and sigmoid/tanh/ReLU layers that ends in a soft-max; <see cref="Certifier"/> turns the bounds into certified radii.
/// </summary>
/// <remarks>
/// Bounds are over the logits (the soft-max's input): the prediction is the largest logit, so a positive lower bound of
/// every margin z_label − z_j over a region proves that no input of the region changes the decision. Floating-point
/// rounding of the matrix products is not accounted for (as in the published verifiers); the relaxations themselves are
/// rounded outwards.
/// </remarks>
public interface ICertifiable : IClassifier
{
    /// <summary>Makes the buffers of one thread's bound propagation (allocated once; reuse it for every example).</summary>
    BoundWorkspace CreateBoundWorkspace();

    /// <summary>
    /// Bounds every activation up to the logits over <paramref name="region"/> around <paramref name="input"/>, by
    /// <paramref name="method"/>. Afterwards <see cref="BoundWorkspace.Lower"/> and <see cref="BoundWorkspace.Upper"/>
    /// hold the bounds and <see cref="MarginLowerBound"/> can be asked for any label. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The input has the wrong length, lies outside the region's box, or the region is invalid.</exception>
    void PropagateBounds(BoundWorkspace workspace, ReadOnlySpan<float> input, InputRegion region, BoundMethod method = BoundMethod.Crown);

    /// <summary>
    /// After <see cref="PropagateBounds"/>: lower bounds of the margins z_label − z_j over the region for every j ≠ label
    /// (in <see cref="BoundWorkspace.MarginBounds"/>), and returns the smallest. Positive means certified.
    /// </summary>
    double MarginLowerBound(BoundWorkspace workspace, int label);
}
