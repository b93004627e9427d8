using System.Numerics.Tensors;

namespace Intriguing.Spectral;

/// <summary>
/// An orthonormal basis of Lanczos vectors of one length, stored in blocks of <see cref="BlockVectors"/> vectors so
/// it grows without copying and allocates only once per block, never per step.
/// </summary>
internal sealed class KrylovBasis
{
    private const int BlockVectors = 16;
    private readonly int _length;
    private readonly List<double[]> _blocks = [];

    public KrylovBasis(int length) => _length = length;

    /// <summary>The number of vectors stored.</summary>
    public int Count { get; private set; }

    /// <summary>Vector <paramref name="index"/>.</summary>
    public Span<double> this[int index] => _blocks[index / BlockVectors].AsSpan(index % BlockVectors * _length, _length);

    /// <summary>Adds a vector slot (contents unspecified) and returns it.</summary>
    public Span<double> Append()
    {
        if (Count == _blocks.Count * BlockVectors)
        {
            _blocks.Add(new double[BlockVectors * _length]);
        }

        Count++;
        return this[Count - 1];
    }

    /// <summary>
    /// Removes from <paramref name="w"/> its components along the first <paramref name="count"/> vectors by
    /// classical Gram–Schmidt applied twice ("twice is enough": the result is orthogonal to working accuracy).
    /// </summary>
    /// <remarks>
    /// Each pass: cᵢ = ⟨vᵢ, w⟩ for all i first, then w ← w − Σᵢ cᵢ·vᵢ in increasing i, a fixed order.
    /// </remarks>
    public void Orthogonalize(Span<double> w, int count, Span<double> coefficients)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < count; i++)
            {
                coefficients[i] = TensorPrimitives.Dot(this[i], w);
            }

            for (int i = 0; i < count; i++)
            {
                TensorPrimitives.MultiplyAdd(this[i], -coefficients[i], w, w);
            }
        }
    }
}
