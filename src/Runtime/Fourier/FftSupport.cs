using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// Transposes a rows × cols array of interleaved complex numbers into cols × rows, in 8 × 8 tiles.
    /// </summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, int rows, int cols)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == 4)
        {
            TransposeTiles(MemoryMarshal.Cast<T, ulong>(source), MemoryMarshal.Cast<T, ulong>(destination), rows, cols);
        }
        else
        {
            TransposeTiles(MemoryMarshal.Cast<T, Int128>(source), MemoryMarshal.Cast<T, Int128>(destination), rows, cols);
        }
    }

    private static void TransposeTiles<TE>(ReadOnlySpan<TE> source, Span<TE> destination, int rows, int cols)
        where TE : unmanaged
    {
        const int Tile = 8;
        _ = source[rows * cols - 1];
        _ = destination[rows * cols - 1];
        ref TE s = ref MemoryMarshal.GetReference(source);
        ref TE d = ref MemoryMarshal.GetReference(destination);
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, cols);
                for (int c = c0; c < c1; c++)
                {
                    ref TE dRow = ref Unsafe.Add(ref d, (nint)c * rows);
                    for (int r = r0; r < r1; r++)
                    {
                        Unsafe.Add(ref dRow, r) = Unsafe.Add(ref s, (nint)r * cols + c);
                    }
                }
            }
        }
    }

    /// <summary>Multiplies every value by <paramref name="factor"/> in place.</summary>
    public static void Scale<T>(Span<T> values, T factor) where T : unmanaged, IFloatingPointIeee754<T>
        => System.Numerics.Tensors.TensorPrimitives.Multiply(values, factor, values);
}
