using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Intriguing.Linear;

namespace Intriguing.Spectral;

/// <summary>
/// Matrix–vector products of a row-major matrix with double vectors, accumulated in double. The float kernels read
/// the single-precision matrix directly and widen each element to double in registers, so a 4096×9216 layer needs
/// no double copy (which would take 302 MB).
/// </summary>
/// <remarks>
/// Reductions run in a fixed order for a given machine and length (Vector512 → Vector256 → Vector128 → scalar, the
/// widest accelerated width with a whole step in the length; <see cref="IWideningOps{TWide}"/>), so the same input
/// always gives the same bits on that machine.
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
        double sum = WidestFitting(n) switch
        {
            SimdLevel.Vector512 => DotWiden<Vector512<double>, Widen512>(ref af, ref xf, n, out j),
            SimdLevel.Vector256 => DotWiden<Vector256<double>, Widen256>(ref af, ref xf, n, out j),
            SimdLevel.Vector128 => DotWiden<Vector128<double>, Widen128>(ref af, ref xf, n, out j),
            _ => 0,
        };

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
        int j = WidestFitting(n) switch
        {
            SimdLevel.Vector512 => AxpyWiden<Vector512<double>, Widen512>(c, ref af, ref xf, n),
            SimdLevel.Vector256 => AxpyWiden<Vector256<double>, Widen256>(c, ref af, ref xf, n),
            SimdLevel.Vector128 => AxpyWiden<Vector128<double>, Widen128>(c, ref af, ref xf, n),
            _ => 0,
        };

        for (; j < n; j++)
        {
            Unsafe.Add(ref xf, j) = Math.FusedMultiplyAdd(Unsafe.Add(ref af, j), c, Unsafe.Add(ref xf, j));
        }
    }

    /// <summary>The widest accelerated width with at least one whole step in <paramref name="n"/> floats (scalar if none).</summary>
    private static SimdLevel WidestFitting(int n) =>
        Widen512.IsAccelerated && n >= Widen512.Width ? SimdLevel.Vector512
        : Widen256.IsAccelerated && n >= Widen256.Width ? SimdLevel.Vector256
        : Widen128.IsAccelerated && n >= Widen128.Width ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>The whole steps of <see cref="DotWiden(ReadOnlySpan{float}, ReadOnlySpan{double})"/>: two accumulators, summed at the end; <paramref name="done"/> elements consumed.</summary>
    private static double DotWiden<TWide, TOps>(ref float a, ref double x, int n, out int done)
        where TWide : struct
        where TOps : IWideningOps<TWide>
    {
        TWide acc0 = TOps.Zero, acc1 = TOps.Zero;
        int half = TOps.Width / 2, j = 0;
        for (; j <= n - TOps.Width; j += TOps.Width)
        {
            TOps.LoadWidened(ref Unsafe.Add(ref a, j), out TWide lower, out TWide upper);
            acc0 = TOps.FusedMultiplyAdd(lower, TOps.Load(ref Unsafe.Add(ref x, j)), acc0);
            acc1 = TOps.FusedMultiplyAdd(upper, TOps.Load(ref Unsafe.Add(ref x, j + half)), acc1);
        }

        done = j;
        return TOps.Sum(TOps.Add(acc0, acc1));
    }

    /// <summary>The whole steps of <see cref="AxpyWiden(double, ReadOnlySpan{float}, Span{double})"/>; returns the elements done.</summary>
    private static int AxpyWiden<TWide, TOps>(double c, ref float a, ref double x, int n)
        where TWide : struct
        where TOps : IWideningOps<TWide>
    {
        TWide cv = TOps.Create(c);
        int half = TOps.Width / 2, j = 0;
        for (; j <= n - TOps.Width; j += TOps.Width)
        {
            TOps.LoadWidened(ref Unsafe.Add(ref a, j), out TWide lower, out TWide upper);
            ref double x0 = ref Unsafe.Add(ref x, j), x1 = ref Unsafe.Add(ref x, j + half);
            TOps.Store(ref x0, TOps.FusedMultiplyAdd(lower, cv, TOps.Load(ref x0)));
            TOps.Store(ref x1, TOps.FusedMultiplyAdd(upper, cv, TOps.Load(ref x1)));
        }

        return j;
    }
}
