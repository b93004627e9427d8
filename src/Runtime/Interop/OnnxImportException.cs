namespace Intriguing.Interop;

/// <summary>
/// An ONNX file that cannot be imported: not a valid model (truncated, not protobuf), a graph that is not a chain of
/// layers, an operator or attribute the runtime has no kernel for, or an initializer whose shape does not fit its
/// layer. The message names the file and, where one is at fault, the node and its operator.
/// </summary>
public sealed class OnnxImportException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file and the node.</param>
    /// <param name="node">The name of the node at fault, or null.</param>
    /// <param name="operatorType">Its operator, or null.</param>
    /// <param name="inner">The exception that revealed the fault, or null.</param>
    public OnnxImportException(string message, string? node = null, string? operatorType = null, Exception? inner = null)
        : base(message, inner)
    {
        Node = node;
        OperatorType = operatorType;
    }

    /// <summary>The name of the node at fault (null when the fault is not one node's).</summary>
    public string? Node { get; }

    /// <summary>The operator of the node at fault, e.g. <c>LeakyRelu</c> (null when the fault is not one node's).</summary>
    public string? OperatorType { get; }
}

/// <summary>Options of <see cref="OnnxModel.Import(string, OnnxImportOptions?)"/>.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>The network's display name; by default the graph's name, or the file name.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The shape of one input sample (C, H, W, or a single length) when the model leaves dimensions other than the batch
    /// symbolic; when the model declares them, they must agree.
    /// </summary>
    public IReadOnlyList<int>? InputShape { get; init; }
}
