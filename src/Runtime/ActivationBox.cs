namespace Intriguing;

/// <summary>
/// The range every value of a layer's output lies in, whatever its input: [0, 1] after a sigmoid or soft-max,
/// [0, ∞) after a ReLU, [−1, 1] after tanh. Attacks in a hidden layer's space search inside it
/// (<see cref="Adversarial.LbfgsAttack.DefaultBox"/>). Made by the layer kind in the generated summary.
/// </summary>
/// <param name="Lower">Smallest output value (may be −∞).</param>
/// <param name="Upper">Largest output value (may be +∞).</param>
/// <param name="OfInput">The output lies in the box of the layer's input (a layer that is the identity at inference, such as dropout); <see cref="Lower"/> and <see cref="Upper"/> are then unused.</param>
public sealed record ActivationBox(double Lower, double Upper, bool OfInput = false)
{
    /// <summary>The box of the layer's input.</summary>
    public static ActivationBox InputBox { get; } = new(double.NegativeInfinity, double.PositiveInfinity, OfInput: true);
}
