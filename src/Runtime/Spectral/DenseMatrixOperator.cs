namespace Intriguing.Spectral;

/// <summary>
/// A dense row-major single-precision matrix of shape rows × cols (for example a dense layer's weights W, out × in)
/// seen as the linear operator <c>x ↦ W·x</c>. Products are accumulated in double straight from the float data;
/// no copy of the matrix is made.
/// </summary>
/// <remarks>The instance holds no mutable state, so it may be used from several threads at once.</remarks>
public sealed class DenseMatrixOperator : ILinearOperator
{
    private readonly ReadOnlyMemory<float> _matrix;

    /// <summary>Wraps <paramref name="matrix"/> (row-major, rows·cols values; extra values are ignored).</summary>
    /// <param name="matrix">The matrix entries, row after row.</param>
    /// <param name="rows">The number of rows m (the output length); at least 0.</param>
    /// <param name="cols">The number of columns n (the input length); at least 0.</param>
    public DenseMatrixOperator(ReadOnlyMemory<float> matrix, int rows, int cols)
    {
        DenseMatrixChecks.Check(matrix.Length, rows, cols);
        _matrix = matrix;
        OutputLength = rows;
        InputLength = cols;
    }

    /// <inheritdoc/>
    public int InputLength { get; }

    /// <inheritdoc/>
    public int OutputLength { get; }

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        DenseMatrixChecks.CheckVectors(x.Length, InputLength, y.Length, OutputLength);
        DenseKernels.Multiply(_matrix.Span, OutputLength, InputLength, x, y);
    }

    /// <inheritdoc/>
    public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x)
    {
        DenseMatrixChecks.CheckVectors(y.Length, OutputLength, x.Length, InputLength, "y", "x");
        DenseKernels.MultiplyTransposed(_matrix.Span, OutputLength, InputLength, y, x);
    }
}

/// <summary>A float matrix span as an operator, for the span overloads of <see cref="OperatorNorm"/>.</summary>
internal readonly ref struct FloatMatrixSpanOperator : ILinearOperator
{
    private readonly ReadOnlySpan<float> _matrix;

    public FloatMatrixSpanOperator(ReadOnlySpan<float> matrix, int rows, int cols)
    {
        DenseMatrixChecks.Check(matrix.Length, rows, cols);
        _matrix = matrix;
        OutputLength = rows;
        InputLength = cols;
    }

    public int InputLength { get; }

    public int OutputLength { get; }

    public void Apply(ReadOnlySpan<double> x, Span<double> y) => DenseKernels.Multiply(_matrix, OutputLength, InputLength, x, y);

    public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x) => DenseKernels.MultiplyTransposed(_matrix, OutputLength, InputLength, y, x);
}

/// <summary>A double matrix span as an operator, for the span overloads of <see cref="OperatorNorm"/>.</summary>
internal readonly ref struct DoubleMatrixSpanOperator : ILinearOperator
{
    private readonly ReadOnlySpan<double> _matrix;

    public DoubleMatrixSpanOperator(ReadOnlySpan<double> matrix, int rows, int cols)
    {
        DenseMatrixChecks.Check(matrix.Length, rows, cols);
        _matrix = matrix;
        OutputLength = rows;
        InputLength = cols;
    }

    public int InputLength { get; }

    public int OutputLength { get; }

    public void Apply(ReadOnlySpan<double> x, Span<double> y) => DenseKernels.Multiply(_matrix, OutputLength, InputLength, x, y);

    public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x) => DenseKernels.MultiplyTransposed(_matrix, OutputLength, InputLength, y, x);
}

internal static class DenseMatrixChecks
{
    public static void Check(int length, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long needed = (long)rows * cols;
        if (length < needed)
        {
            throw new ArgumentException($"The matrix holds {length} values but rows × cols = {rows} × {cols} needs {needed}.", "matrix");
        }
    }

    public static void CheckVectors(int inLength, int inNeeded, int outLength, int outNeeded, string inName = "x", string outName = "y")
    {
        if (inLength != inNeeded) throw new ArgumentException($"{inName} holds {inLength} values but the operator needs {inNeeded}.", inName);
        if (outLength != outNeeded) throw new ArgumentException($"{outName} holds {outLength} values but the operator needs {outNeeded}.", outName);
    }
}
