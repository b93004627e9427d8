namespace Intriguing.Spectral;

/// <summary>
/// The geometry of a 2-D multi-channel convolution layer for <see cref="ConvolutionNorm"/>: C input channels, D
/// output channels, a kh × kw kernel, strides, and an H × W input map with zero or circular padding.
/// </summary>
/// <remarks>
/// <para><b>The operator.</b> Weights are <c>w[d][c][a][b]</c> (D × C × kh × kw, row-major), activations C × H × W
/// (CHW). The layer computes the cross-correlation
/// <c>y[d][i][j] = Σ_c Σ_a Σ_b w[d][c][a][b] · x[c][s_y·i + a − p][s_x·j + b − p]</c>
/// (the bias does not affect the Lipschitz constant).</para>
/// <para><b>Zero padding</b> (<see cref="PaddingMode.Zero"/>): positions outside the map read zero; the output is
/// <c>(H + 2p − kh)/s_y + 1</c> × <c>(W + 2p − kw)/s_x + 1</c> (rounded down).</para>
/// <para><b>Circular padding</b> (<see cref="PaddingMode.Circular"/>): indices are taken modulo H and W, and the
/// output has H/s_y × W/s_x positions (one for every stride step around the torus), so the strides must divide the
/// map. The padding p then only shifts the output, which does not change any norm.</para>
/// </remarks>
public sealed record ConvolutionShape
{
    /// <summary>Creates a shape; see the properties for the meaning and range of each argument.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range (the message names it).</exception>
    public ConvolutionShape(
        int inputChannels, int outputChannels, int kernelHeight, int kernelWidth, int height, int width,
        int strideY = 1, int strideX = 1, int padding = 0, PaddingMode paddingMode = PaddingMode.Zero)
    {
        Positive(inputChannels, nameof(inputChannels));
        Positive(outputChannels, nameof(outputChannels));
        Positive(kernelHeight, nameof(kernelHeight));
        Positive(kernelWidth, nameof(kernelWidth));
        Positive(height, nameof(height));
        Positive(width, nameof(width));
        Positive(strideY, nameof(strideY));
        Positive(strideX, nameof(strideX));
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be at least 0.");
        if (paddingMode is not (PaddingMode.Zero or PaddingMode.Circular))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingMode), paddingMode, "Unknown padding mode.");
        }

        if (paddingMode == PaddingMode.Zero)
        {
            if (kernelHeight > height + 2 * padding || kernelWidth > width + 2 * padding)
            {
                throw new ArgumentOutOfRangeException(nameof(kernelHeight),
                    $"The {kernelHeight}×{kernelWidth} kernel is larger than the padded {height + 2 * padding}×{width + 2 * padding} input.");
            }
        }
        else
        {
            if (kernelHeight > height || kernelWidth > width)
            {
                throw new ArgumentOutOfRangeException(nameof(kernelHeight),
                    $"With circular padding the {kernelHeight}×{kernelWidth} kernel must fit in the {height}×{width} map.");
            }

            if (height % strideY != 0 || width % strideX != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(strideY),
                    $"With circular padding the strides {strideY}×{strideX} must divide the {height}×{width} map.");
            }
        }

        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Height = height;
        Width = width;
        StrideY = strideY;
        StrideX = strideX;
        Padding = padding;
        PaddingMode = paddingMode;
    }

    /// <summary>A square kernel, stride and map: C → D channels, k × k kernel, stride s, n × n input.</summary>
    public static ConvolutionShape Square(int inputChannels, int outputChannels, int kernel, int size, int stride = 1, int padding = 0, PaddingMode paddingMode = PaddingMode.Zero)
        => new(inputChannels, outputChannels, kernel, kernel, size, size, stride, stride, padding, paddingMode);

    /// <summary>C, the number of input channels (at least 1).</summary>
    public int InputChannels { get; }

    /// <summary>D, the number of output channels (filters; at least 1).</summary>
    public int OutputChannels { get; }

    /// <summary>kh, the kernel height (at least 1).</summary>
    public int KernelHeight { get; }

    /// <summary>kw, the kernel width (at least 1).</summary>
    public int KernelWidth { get; }

    /// <summary>H, the input map height (at least 1).</summary>
    public int Height { get; }

    /// <summary>W, the input map width (at least 1).</summary>
    public int Width { get; }

    /// <summary>s_y, the vertical stride (at least 1).</summary>
    public int StrideY { get; }

    /// <summary>s_x, the horizontal stride (at least 1).</summary>
    public int StrideX { get; }

    /// <summary>p, the padding on every side (at least 0).</summary>
    public int Padding { get; }

    /// <summary>Zero or circular padding.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>The number of weights, D·C·kh·kw.</summary>
    public long WeightCount => (long)OutputChannels * InputChannels * KernelHeight * KernelWidth;

    /// <summary>The output height: H/s_y (circular) or (H + 2p − kh)/s_y + 1 rounded down (zero padding).</summary>
    public int OutputHeight => PaddingMode == PaddingMode.Circular ? Height / StrideY : (Height + 2 * Padding - KernelHeight) / StrideY + 1;

    /// <summary>The output width: W/s_x (circular) or (W + 2p − kw)/s_x + 1 rounded down (zero padding).</summary>
    public int OutputWidth => PaddingMode == PaddingMode.Circular ? Width / StrideX : (Width + 2 * Padding - KernelWidth) / StrideX + 1;

    /// <summary>Values per input sample, C·H·W.</summary>
    public long InputLength => (long)InputChannels * Height * Width;

    /// <summary>Values per output sample, D·OutputHeight·OutputWidth.</summary>
    public long OutputLength => (long)OutputChannels * OutputHeight * OutputWidth;

    /// <summary>
    /// The height N_y of the periodic map on which <see cref="ConvolutionNorm"/> works: H for circular padding;
    /// for zero padding the smallest multiple of s_y that is at least max(H + p, kh) (see <see cref="ConvolutionNorm"/>
    /// for why the zero-padded layer is a compression of the circular convolution on that map).
    /// </summary>
    public int PeriodHeight => PaddingMode == PaddingMode.Circular ? Height : RoundUp(Math.Max(Height + Padding, KernelHeight), StrideY);

    /// <summary>The width N_x of the periodic map; see <see cref="PeriodHeight"/>.</summary>
    public int PeriodWidth => PaddingMode == PaddingMode.Circular ? Width : RoundUp(Math.Max(Width + Padding, KernelWidth), StrideX);

    /// <inheritdoc/>
    public override string ToString()
        => $"{InputChannels}×{KernelHeight}×{KernelWidth}×{OutputChannels} stride {StrideY}×{StrideX} on {Height}×{Width}, {PaddingMode.ToString().ToLowerInvariant()} padding {Padding}";

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
