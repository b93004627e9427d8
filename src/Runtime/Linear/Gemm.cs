using System.Numerics.Tensors;

namespace Intriguing.Linear;

/// <summary>
/// Single-precision matrix products for dense layers. All matrices are row-major and contiguous.
/// </summary>
/// <remarks>
/// The three products a dense layer needs, with W of shape out × in and a batch of X of shape batch × in:
/// forward <c>Y = X·Wᵀ</c> (<see cref="MultiplyABt"/>), input gradient <c>dX = dY·W</c> (<see cref="MultiplyAB"/>),
/// weight gradient <c>dW = dYᵀ·X</c> (<see cref="MultiplyAtB"/>). With <c>accumulate</c> the product is added
/// to C instead of overwriting it.
/// </remarks>
public static class Gemm
{
    /// <summary>C[m×n] (+)= A[m×k] · B[n×k]ᵀ.</summary>
    public static void MultiplyABt(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Check(a.Length, (long)m * k, b.Length, (long)n * k, c.Length, (long)m * n);
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> ai = a.Slice(i * k, k);
            Span<float> ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                float dot = k == 0 ? 0f : TensorPrimitives.Dot(ai, b.Slice(j * k, k));
                ci[j] = accumulate ? ci[j] + dot : dot;
            }
        }
    }

    /// <summary>C[m×n] (+)= A[m×k] · B[k×n].</summary>
    public static void MultiplyAB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Check(a.Length, (long)m * k, b.Length, (long)k * n, c.Length, (long)m * n);
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[i * k + p], ci, ci);
            }
        }
    }

    /// <summary>C[m×n] (+)= A[k×m]ᵀ · B[k×n].</summary>
    public static void MultiplyAtB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Check(a.Length, (long)k * m, b.Length, (long)k * n, c.Length, (long)m * n);
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[p * m + i], ci, ci);
            }
        }
    }

    private static void Check(int aLength, long aNeeded, int bLength, long bNeeded, int cLength, long cNeeded)
    {
        if (aLength < aNeeded) throw new ArgumentException($"A holds {aLength} values but the product needs {aNeeded}.", "a");
        if (bLength < bNeeded) throw new ArgumentException($"B holds {bLength} values but the product needs {bNeeded}.", "b");
        if (cLength < cNeeded) throw new ArgumentException($"C holds {cLength} values but the product needs {cNeeded}.", "c");
    }
}
