using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>Max-pooling kernels for generated networks (square windows, any stride, no padding).</summary>
/// <remarks>
/// <c>y[c, i, j] = max_{0 ≤ u, v &lt; k} x[c, i·s + u, j·s + v]</c>. The forward pass records the index (within its
/// sample) of the first maximum of each window in row-major window order; the backward pass sends each output's
/// gradient to that input, adding where overlapping windows share a winner.
/// </remarks>
public static partial class MaxPooling
{
    /// <summary>The layer's Lipschitz bound, √(largest number of windows covering one input); for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz(LayerGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        int cover = Cover(g);
        return LayerLipschitz.Fixed(Bound(cover), BoundText(cover));
    }

    /// <summary>The largest number of windows of <paramref name="g"/> that contain one input value.</summary>
    internal static int Cover(LayerGeometry g) => AxisCover(g.Kernel, g.Stride, g.OutputHeight) * AxisCover(g.Kernel, g.Stride, g.OutputWidth);

    /// <summary>Max-pooling of <paramref name="batch"/> samples; records each window's winner in <paramref name="argmax"/>.</summary>
    /// <param name="g">The layer geometry (Kernel = window side).</param>
    /// <param name="x">Inputs, C×H×W per sample.</param>
    /// <param name="y">Outputs, C×H′×W′ per sample.</param>
    /// <param name="argmax">Receives, per output, the index of the winning input within its sample.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Forward(LayerGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int batch)
    {
        Check(g, x, y, argmax, batch);
        int c = g.InputChannels, h = g.InputHeight, w = g.InputWidth, k = g.Kernel, stride = g.Stride;
        int oh = g.OutputHeight, ow = g.OutputWidth, inLength = g.InputLength, outLength = g.OutputLength;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref int a0 = ref MemoryMarshal.GetReference(argmax);
        for (int s = 0; s < batch; s++)
        {
            // Bounds: every index below is < inLength (window inside the input) and every output index < outLength,
            // both checked against the span lengths by Check.
            ref float xs = ref Unsafe.Add(ref x0, s * inLength);
            int o = s * outLength;
            for (int ch = 0; ch < c; ch++)
            {
                int plane = ch * h * w;
                for (int i = 0; i < oh; i++)
                {
                    int rowFirst = plane + i * stride * w;
                    int j = 0;
                    if (k == 2 && stride == 2 && Vector512.IsHardwareAccelerated)
                    {
                        for (; j + 8 <= ow; j += 8, o += 8) Pool2x2x8(ref xs, rowFirst + 2 * j, w, ref Unsafe.Add(ref y0, o), ref Unsafe.Add(ref a0, o));
                    }

                    if (k == 2 && stride == 2 && Vector128.IsHardwareAccelerated)
                    {
                        // 2×2 windows, stride 2 (the usual pooling), four windows at a time: the same strict comparisons
                        // in the same order as below, so the same winners.
                        for (; j + 4 <= ow; j += 4, o += 4) Pool2x2(ref xs, rowFirst + 2 * j, w, ref Unsafe.Add(ref y0, o), ref Unsafe.Add(ref a0, o));
                    }

                    for (; j < ow; j++, o++)
                    {
                        int first = rowFirst + j * stride;
                        int best = first;
                        float max = Unsafe.Add(ref xs, first);
                        for (int u = 0; u < k; u++)
                        {
                            int rowStart = first + u * w;
                            for (int v = 0; v < k; v++)
                            {
                                // Branch-free selects through masks: on real data the winner is unpredictable,
                                // and a mispredicted branch per value costs more than the whole comparison.
                                float value = Unsafe.Add(ref xs, rowStart + v);
                                bool greater = value > max;
                                int mask = -Unsafe.As<bool, byte>(ref greater);
                                best ^= (rowStart + v ^ best) & mask;
                                int bits = BitConverter.SingleToInt32Bits(max);
                                max = BitConverter.Int32BitsToSingle(bits ^ ((BitConverter.SingleToInt32Bits(value) ^ bits) & mask));
                            }
                        }

                        Unsafe.Add(ref y0, o) = max;
                        Unsafe.Add(ref a0, o) = best;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Eight adjacent 2×2 windows starting at <paramref name="first"/>, as <see cref="Pool2x2"/> does four: each row's 16 values
    /// split by one permutation into the windows' left columns (lower half) and right columns (upper half).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pool2x2x8(ref float x, int first, int width, ref float y, ref int argmax)
    {
        Vector512<int> unzip = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        Vector512<float> top = Vector512.Shuffle(Vector512.LoadUnsafe(ref Unsafe.Add(ref x, first)), unzip);
        Vector512<float> bottom = Vector512.Shuffle(Vector512.LoadUnsafe(ref Unsafe.Add(ref x, first + width)), unzip);
        Vector256<float> a = top.GetLower(), b = top.GetUpper(), c = bottom.GetLower(), d = bottom.GetUpper();

        Vector256<float> max = a;
        Vector256<int> offset = Vector256<int>.Zero;
        Vector256<int> greater = Vector256.GreaterThan(b, max).AsInt32();
        max = Vector256.ConditionalSelect(greater.AsSingle(), b, max);
        offset = Vector256.ConditionalSelect(greater, Vector256.Create(1), offset);
        greater = Vector256.GreaterThan(c, max).AsInt32();
        max = Vector256.ConditionalSelect(greater.AsSingle(), c, max);
        offset = Vector256.ConditionalSelect(greater, Vector256.Create(width), offset);
        greater = Vector256.GreaterThan(d, max).AsInt32();
        max = Vector256.ConditionalSelect(greater.AsSingle(), d, max);
        offset = Vector256.ConditionalSelect(greater, Vector256.Create(width + 1), offset);

        max.StoreUnsafe(ref y);
        (offset + Vector256.Create(first) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14)).StoreUnsafe(ref argmax);
    }

    /// <summary>
    /// Four adjacent 2×2 windows starting at <paramref name="first"/> (rows <paramref name="width"/> apart): the maxima and
    /// their indices, with the scalar loop's strict comparisons in row-major window order (the first maximum wins).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pool2x2(ref float x, int first, int width, ref float y, ref int argmax)
    {
        // Row u of the four windows: 8 values; the even ones are the windows' left columns, the odd ones the right.
        Vector128<float> top0 = Vector128.LoadUnsafe(ref Unsafe.Add(ref x, first)), top1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref x, first + 4));
        Vector128<float> bottom0 = Vector128.LoadUnsafe(ref Unsafe.Add(ref x, first + width)), bottom1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref x, first + width + 4));
        Vector128<int> unzip = Vector128.Create(0, 2, 1, 3);
        Vector128<float> t0 = Vector128.Shuffle(top0, unzip), t1 = Vector128.Shuffle(top1, unzip);
        Vector128<float> b0 = Vector128.Shuffle(bottom0, unzip), b1 = Vector128.Shuffle(bottom1, unzip);
        Vector128<float> a = Vector128.Create(t0.GetLower(), t1.GetLower()), bb = Vector128.Create(t0.GetUpper(), t1.GetUpper());
        Vector128<float> c = Vector128.Create(b0.GetLower(), b1.GetLower()), d = Vector128.Create(b0.GetUpper(), b1.GetUpper());

        Vector128<float> max = a;
        Vector128<int> offset = Vector128<int>.Zero;
        Vector128<int> greater = Vector128.GreaterThan(bb, max).AsInt32();
        max = Vector128.ConditionalSelect(greater.AsSingle(), bb, max);
        offset = Vector128.ConditionalSelect(greater, Vector128.Create(1), offset);
        greater = Vector128.GreaterThan(c, max).AsInt32();
        max = Vector128.ConditionalSelect(greater.AsSingle(), c, max);
        offset = Vector128.ConditionalSelect(greater, Vector128.Create(width), offset);
        greater = Vector128.GreaterThan(d, max).AsInt32();
        max = Vector128.ConditionalSelect(greater.AsSingle(), d, max);
        offset = Vector128.ConditionalSelect(greater, Vector128.Create(width + 1), offset);

        max.StoreUnsafe(ref y);
        (offset + Vector128.Create(first, first + 2, first + 4, first + 6)).StoreUnsafe(ref argmax);
    }

    /// <summary>dx = Σ over windows of dy sent to each window's recorded winner (dx overwritten).</summary>
    /// <param name="g">The layer geometry.</param>
    /// <param name="dy">∂E/∂y, C×H′×W′ per sample.</param>
    /// <param name="dx">Receives ∂E/∂x, C×H×W per sample.</param>
    /// <param name="argmax">The winners recorded by <see cref="Forward"/>.</param>
    /// <param name="batch">Number of samples.</param>
    public static void Backward(LayerGeometry g, ReadOnlySpan<float> dy, Span<float> dx, ReadOnlySpan<int> argmax, int batch)
    {
        Check(g, dx, dy, argmax, batch);
        int inLength = g.InputLength, outLength = g.OutputLength;
        dx.Slice(0, batch * inLength).Clear();
        for (int s = 0; s < batch; s++)
        {
            Span<float> dxs = dx.Slice(s * inLength, inLength);
            int o0 = s * outLength;
            for (int o = 0; o < outLength; o++) dxs[argmax[o0 + o]] += dy[o0 + o];
        }
    }

    private static void Check(LayerGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<int> argmax, int batch)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        NetworkGuard.Length(x, batch * g.InputLength, nameof(x));
        NetworkGuard.Length(y, batch * g.OutputLength, nameof(y));
        NetworkGuard.Length(argmax, batch * g.OutputLength, nameof(argmax));
    }
}
