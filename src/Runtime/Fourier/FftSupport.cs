using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Intriguing.Fourier;

/// <summary>Per-thread scratch for the plan overloads that take no scratch span.</summary>
/// <remarks>The buffer only grows, so after the first call of a given size no call allocates.</remarks>
internal static class FftScratch<T> where T : unmanaged
{
    [ThreadStatic]
    private static T[]? t_buffer;

    public static Span<T> Get(long length)
    {
        T[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<T>(checked((int)Math.Max(length, 64)));
            t_buffer = buffer;
        }
        return buffer.AsSpan(0, (int)length);
    }
}

/// <summary>Argument checks and small data movers shared by the plans.</summary>
internal static class FftGuard
{
    public static void CheckElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"FFT plans support float and double, not {typeof(T).Name}.");
        }
    }

    public static void CheckPositive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }

    public static void CheckLength(int actual, long expected, string name, string what)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} holds {actual} values but must hold exactly {expected} ({what}).", name);
        }
    }

    public static void CheckScratch(int actual, long needed, string name = "scratch")
    {
        if (actual < needed)
        {
            throw new ArgumentException($"{name} holds {actual} values but the plan needs at least {needed} (see ScratchLength).", name);
        }
    }

    /// <summary>Input and output must be the same span or not overlap at all.</summary>
    public static bool CheckInPlace<T>(ReadOnlySpan<T> input, Span<T> output, string inputName = "input")
    {
        if (!input.Overlaps(output, out int offset)) return false;
        if (offset != 0)
        {
            throw new ArgumentException("input and output must either be the same span (in place) or not overlap.", inputName);
        }
        return true;
    }

    /// <summary>
    /// Transposes a rows × cols array of interleaved complex numbers into cols × rows: 16 × 16 cache tiles of
    /// 4 × 4 (float) or 2 × 2 (double) register tiles when AVX is available, scalar copies for the edges.
    /// </summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int cols)
        where T : unmanaged
    {
        if (source.Length < 2L * rows * cols) throw new ArgumentException("source is too short.", nameof(source));
        if (destination.Length < 2L * rows * cols) throw new ArgumentException("destination is too short.", nameof(destination));
        ref double s = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(source));
        ref double d = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(destination));
        if (Unsafe.SizeOf<T>() == 4) TransposeComplex64(ref s, ref d, rows, cols);
        else TransposeComplex128(ref s, ref d, rows, cols);
    }

    // Cache tiles walk the destination row strip by strip (source column strips inner). With power-of-two
    // sizes the other order (source row strips outer) was measured 10–20× slower at 256 × 256 on Zen (aliasing
    // of the strided stores); 16 was the best tile edge at 224 and 256.
    private const int CacheTile = 16;

    /// <summary>Complex float = one 64-bit element, viewed as a double. d[c·rows + r] = s[r·cols + c].</summary>
    private static void TransposeComplex64(ref double s, ref double d, int rows, int cols)
    {
        int rows4 = Avx.IsSupported ? rows & ~3 : 0, cols4 = Avx.IsSupported ? cols & ~3 : 0;
        for (int c0 = 0; c0 < cols4; c0 += CacheTile)
        {
            int c1 = Math.Min(c0 + CacheTile, cols4);
            for (int r0 = 0; r0 < rows4; r0 += CacheTile)
            {
                int r1 = Math.Min(r0 + CacheTile, rows4);
                for (int r = r0; r < r1; r += 4)
                {
                    for (int c = c0; c < c1; c += 4)
                    {
                        // rows a..d of a 4 × 4 tile → columns: unpack pairs within 128-bit lanes, then swap lanes.
                        ref double src = ref Unsafe.Add(ref s, (nint)r * cols + c);
                        Vector256<double> a = Vector256.LoadUnsafe(ref src);
                        Vector256<double> b = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, cols));
                        Vector256<double> e = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 2 * (nint)cols));
                        Vector256<double> f = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 3 * (nint)cols));
                        Vector256<double> ab0 = Avx.UnpackLow(a, b), ab1 = Avx.UnpackHigh(a, b);
                        Vector256<double> ef0 = Avx.UnpackLow(e, f), ef1 = Avx.UnpackHigh(e, f);
                        ref double dst = ref Unsafe.Add(ref d, (nint)c * rows + r);
                        Avx.Permute2x128(ab0, ef0, 0x20).StoreUnsafe(ref dst);
                        Avx.Permute2x128(ab1, ef1, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, rows));
                        Avx.Permute2x128(ab0, ef0, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 2 * (nint)rows));
                        Avx.Permute2x128(ab1, ef1, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 3 * (nint)rows));
                    }
                }
            }
        }
        TransposeEdges(ref Unsafe.As<double, ulong>(ref s), ref Unsafe.As<double, ulong>(ref d), rows, cols, rows4, cols4);
    }

    /// <summary>Complex double = one 128-bit element. d[c·rows + r] = s[r·cols + c].</summary>
    private static void TransposeComplex128(ref double s, ref double d, int rows, int cols)
    {
        int rows2 = Avx.IsSupported ? rows & ~1 : 0, cols2 = Avx.IsSupported ? cols & ~1 : 0;
        for (int c0 = 0; c0 < cols2; c0 += CacheTile)
        {
            int c1 = Math.Min(c0 + CacheTile, cols2);
            for (int r0 = 0; r0 < rows2; r0 += CacheTile)
            {
                int r1 = Math.Min(r0 + CacheTile, rows2);
                for (int r = r0; r < r1; r += 2)
                {
                    for (int c = c0; c < c1; c += 2)
                    {
                        ref double src = ref Unsafe.Add(ref s, 2 * ((nint)r * cols + c));
                        Vector256<double> a = Vector256.LoadUnsafe(ref src);
                        Vector256<double> b = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 2 * (nint)cols));
                        ref double dst = ref Unsafe.Add(ref d, 2 * ((nint)c * rows + r));
                        Avx.Permute2x128(a, b, 0x20).StoreUnsafe(ref dst);
                        Avx.Permute2x128(a, b, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 2 * (nint)rows));
                    }
                }
            }
        }
        TransposeEdges(ref Unsafe.As<double, Int128>(ref s), ref Unsafe.As<double, Int128>(ref d), rows, cols, rows2, cols2);
    }

    /// <summary>Scalar transpose of everything outside the [0, rowsDone) × [0, colsDone) block.</summary>
    private static void TransposeEdges<TE>(ref TE s, ref TE d, int rows, int cols, int rowsDone, int colsDone)
        where TE : unmanaged
    {
        for (int r = 0; r < rows; r++)
        {
            int cStart = r < rowsDone ? colsDone : 0;
            ref TE sRow = ref Unsafe.Add(ref s, (nint)r * cols);
            for (int c = cStart; c < cols; c++)
            {
                Unsafe.Add(ref d, (nint)c * rows + r) = Unsafe.Add(ref sRow, c);
            }
        }
    }

    /// <summary>Multiplies every value by <paramref name="factor"/> in place.</summary>
    public static void Scale<T>(Span<T> values, T factor) where T : unmanaged, IFloatingPointIeee754<T>
        => System.Numerics.Tensors.TensorPrimitives.Multiply(values, factor, values);
}
