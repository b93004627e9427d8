namespace Intriguing.Spectral;

/// <summary>
/// A thin singular value decomposition <c>A = U·diag(s)·Vᵀ</c> of a rows × cols matrix, with r = min(rows, cols)
/// singular values in descending order. Produced by <see cref="JacobiSvd"/>.
/// </summary>
public sealed class SingularValueDecomposition
{
    internal SingularValueDecomposition(int rows, int columns, double[] singularValues, double[]? u, double[]? v, int sweeps)
    {
        Rows = rows;
        Columns = columns;
        SingularValues = singularValues;
        U = u;
        V = v;
        Sweeps = sweeps;
    }

    /// <summary>The number of rows of A.</summary>
    public int Rows { get; }

    /// <summary>The number of columns of A.</summary>
    public int Columns { get; }

    /// <summary>r = min(rows, cols), the number of singular values.</summary>
    public int Count => SingularValues.Length;

    /// <summary>The singular values s₀ ≥ s₁ ≥ … ≥ s_{r−1} ≥ 0.</summary>
    public double[] SingularValues { get; }

    /// <summary>
    /// The left singular vectors as a row-major rows × r matrix (column i belongs to sᵢ), orthonormal columns; null
    /// when vectors were not requested. Columns for zero singular values complete the set to an orthonormal one.
    /// </summary>
    public double[]? U { get; }

    /// <summary>
    /// The right singular vectors as a row-major cols × r matrix (column i belongs to sᵢ), orthonormal columns; null
    /// when vectors were not requested.
    /// </summary>
    public double[]? V { get; }

    /// <summary>The number of Jacobi sweeps taken, the last of which made no rotation.</summary>
    public int Sweeps { get; }
}
