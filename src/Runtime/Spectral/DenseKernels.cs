using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Spectral;

/// <summary>
/// Matrix–vector products of a row-major matrix with double vectors, accumulated in double. The float kernels read
/// the single-precision matrix directly and widen each element to double in registers, so a 4096×9216 layer needs
/// no double copy (which would take 302 MB).
/// </summary>
/// <remarks>
/// Reductions run in a fixed order for a given machine (Vector512 → Vector256 → Vector128 → scalar, whichever is
/// the widest accelerated), so the same input always gives the same bits on that machine.
/// </remarks>
internal static class DenseKernels
{
    /// <summary>y[i] = Σⱼ a[i·cols + j]·x[j] for a float matrix.</summary>
    public static void Multiply(ReadOnlySpan<float> a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < rows; i++)
        {
            y[i] = DotWiden(a.Slice(i * cols, cols), x);
        }
    }

    /// <summary>x[j] = Σᵢ a[i·cols + j]·y[i] for a float matrix (row by row, so the matrix is read once, in order).</summary>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, int rows, int cols, ReadOnlySpan<double> y, Span<double> x)
    {
        x.Slice(0, cols).Clear();
        for (int i = 0; i < rows; i++)
        {
            double yi = y[i];
            if (yi != 0)
            {
                AxpyWiden(yi, a.Slice(i * cols, cols), x);
            }
        }
    }

    /// <summary>y[i] = Σⱼ a[i·cols + j]·x[j] for a double matrix.</summary>
    public static void Multiply(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < rows; i++)
        {
            y[i] = cols == 0 ? 0 : TensorPrimitives.Dot(a.Slice(i * cols, cols), x.Slice(0, cols));
        }
    }

    /// <summary>x[j] = Σᵢ a[i·cols + j]·y[i] for a double matrix.</summary>
    public static void MultiplyTransposed(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> y, Span<double> x)
    {
        Span<double> xs = x.Slice(0, cols);
        xs.Clear();
        for (int i = 0; i < rows; i++)
        {
            double yi = y[i];
            if (yi != 0)
            {
                TensorPrimitives.MultiplyAdd(a.Slice(i * cols, cols), yi, xs, xs);
            }
        }
    }

    /// <summary>Σⱼ (double)a[j]·x[j] with double accumulation; x must be at least as long as a.</summary>
    public static double DotWiden(ReadOnlySpan<float> a, ReadOnlySpan<double> x)
    {
        // Scalar formula: s = Σⱼ (double)a[j] * x[j], each term fused into the running sum.
        int n = a.Length;
        if (x.Length < n) throw new ArgumentException($"x holds {x.Length} values but a holds {n}.", nameof(x));
        ref float af = ref MemoryMarshal.GetReference(a);
        ref double xf = ref MemoryMarshal.GetReference(x);
        int j = 0;
        double sum = 0;

        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<double> acc0 = Vector512<double>.Zero, acc1 = Vector512<double>.Zero;
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref af, (nuint)j));
                acc0 = Vector512.FusedMultiplyAdd(lo, Vector512.LoadUnsafe(ref xf, (nuint)j), acc0);
                acc1 = Vector512.FusedMultiplyAdd(hi, Vector512.LoadUnsafe(ref xf, (nuint)(j + Vector512<double>.Count)), acc1);
            }

            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<double> acc0 = Vector256<double>.Zero, acc1 = Vector256<double>.Zero;
            for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref af, (nuint)j));
                acc0 = Vector256.FusedMultiplyAdd(lo, Vector256.LoadUnsafe(ref xf, (nuint)j), acc0);
                acc1 = Vector256.FusedMultiplyAdd(hi, Vector256.LoadUnsafe(ref xf, (nuint)(j + Vector256<double>.Count)), acc1);
            }

            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            Vector128<double> acc0 = Vector128<double>.Zero, acc1 = Vector128<double>.Zero;
            for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
            {
                (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(Vector128.LoadUnsafe(ref af, (nuint)j));
                acc0 = Vector128.FusedMultiplyAdd(lo, Vector128.LoadUnsafe(ref xf, (nuint)j), acc0);
                acc1 = Vector128.FusedMultiplyAdd(hi, Vector128.LoadUnsafe(ref xf, (nuint)(j + Vector128<double>.Count)), acc1);
            }

            sum = Vector128.Sum(acc0 + acc1);
        }

        for (; j < n; j++)
        {
            sum = Math.FusedMultiplyAdd(Unsafe.Add(ref af, j), Unsafe.Add(ref xf, j), sum);
        }

        return sum;
    }

    /// <summary>x[j] += c·(double)a[j]; x must be at least as long as a.</summary>
    public static void AxpyWiden(double c, ReadOnlySpan<float> a, Span<double> x)
    {
        // Scalar formula: x[j] = fma((double)a[j], c, x[j]).
        int n = a.Length;
        if (x.Length < n) throw new ArgumentException($"x holds {x.Length} values but a holds {n}.", nameof(x));
        ref float af = ref MemoryMarshal.GetReference(a);
        ref double xf = ref MemoryMarshal.GetReference(x);
        int j = 0;

        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<double> cv = Vector512.Create(c);
            for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref af, (nuint)j));
                nuint j1 = (nuint)(j + Vector512<double>.Count);
                Vector512.FusedMultiplyAdd(lo, cv, Vector512.LoadUnsafe(ref xf, (nuint)j)).StoreUnsafe(ref xf, (nuint)j);
                Vector512.FusedMultiplyAdd(hi, cv, Vector512.LoadUnsafe(ref xf, j1)).StoreUnsafe(ref xf, j1);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<double> cv = Vector256.Create(c);
            for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref af, (nuint)j));
                nuint j1 = (nuint)(j + Vector256<double>.Count);
                Vector256.FusedMultiplyAdd(lo, cv, Vector256.LoadUnsafe(ref xf, (nuint)j)).StoreUnsafe(ref xf, (nuint)j);
                Vector256.FusedMultiplyAdd(hi, cv, Vector256.LoadUnsafe(ref xf, j1)).StoreUnsafe(ref xf, j1);
            }
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            Vector128<double> cv = Vector128.Create(c);
            for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
            {
                (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(Vector128.LoadUnsafe(ref af, (nuint)j));
                nuint j1 = (nuint)(j + Vector128<double>.Count);
                Vector128.FusedMultiplyAdd(lo, cv, Vector128.LoadUnsafe(ref xf, (nuint)j)).StoreUnsafe(ref xf, (nuint)j);
                Vector128.FusedMultiplyAdd(hi, cv, Vector128.LoadUnsafe(ref xf, j1)).StoreUnsafe(ref xf, j1);
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref xf, j) = Math.FusedMultiplyAdd(Unsafe.Add(ref af, j), c, Unsafe.Add(ref xf, j));
        }
    }
}
