namespace Intriguing.Spectral;

/// <summary>How a node's output depends on its data inputs, for propagating bounds through a graph.</summary>
public enum GraphCombine
{
    /// <summary>One data input: the output's bound is the node's bound times the input's.</summary>
    Unary,

    /// <summary>A sum of data inputs (Add, Sum): the output's bound is the sum of the inputs' bounds.</summary>
    Sum,

    /// <summary>A concatenation: the output's bound is √(Σ input bound²).</summary>
    Concat,
}

/// <summary>The Lipschitz upper bound (L2) of one node of a graph.</summary>
/// <param name="Index">Position among the analysed nodes (1-based, topological order).</param>
/// <param name="Node">The node's name (its first output's name when it has none).</param>
/// <param name="Operator">The operator, e.g. <c>Conv</c>, or <c>Conv+BatchNormalization</c> when a batch normalisation is folded in.</param>
/// <param name="Inputs">The tensors the node reads that depend on the graph's input.</param>
/// <param name="Output">The tensor it writes.</param>
/// <param name="InputShape">One sample's input shape, e.g. <c>64×56×56</c>.</param>
/// <param name="OutputShape">One sample's output shape.</param>
/// <param name="Combine">How the node combines its data inputs.</param>
/// <param name="Bound">The node's own bound (for <see cref="GraphCombine.Sum"/> and <see cref="GraphCombine.Concat"/> nodes, 1).</param>
/// <param name="Method">How the bound was obtained.</param>
/// <param name="Convolution">For a convolution, the geometry its norm was computed on (one group's), else null.</param>
/// <param name="Groups">For a convolution, its number of groups (the bound is the largest group's norm); else 1.</param>
public sealed record GraphNodeBound(
    int Index, string Node, string Operator, IReadOnlyList<string> Inputs, string Output, string InputShape, string OutputShape,
    GraphCombine Combine, double Bound, string Method, ConvolutionShape? Convolution = null, int Groups = 1);

/// <summary>
/// The bound of a residual block: the part of a graph between a tensor every path to a sum node passes through (the
/// block's input) and that sum.
/// </summary>
/// <param name="Node">The sum node that closes the block.</param>
/// <param name="Input">The block's input tensor.</param>
/// <param name="Branch">The bound of the longer path (the residual branch): the product of its nodes' bounds.</param>
/// <param name="Skip">The bound of the other path: 1 for an identity skip, a projection's bound otherwise.</param>
/// <param name="Bound">The block's bound, Skip + Branch (for blocks with more than two paths, the propagated bound).</param>
/// <param name="BranchNodes">The nodes of the branch, in order.</param>
/// <param name="SkipNodes">The nodes of the skip path (empty for an identity).</param>
public sealed record ResidualBlockBound(
    string Node, string Input, double Branch, double Skip, double Bound, IReadOnlyList<string> BranchNodes, IReadOnlyList<string> SkipNodes);

/// <summary>Per-node Lipschitz bounds of a graph, its residual blocks, and the bound of the whole map.</summary>
/// <param name="Graph">The graph's display name.</param>
/// <param name="InputShape">One input sample's shape.</param>
/// <param name="OutputShape">One output sample's shape.</param>
/// <param name="Nodes">Every analysed node (batch normalisations folded into convolutions are not listed on their own).</param>
/// <param name="Blocks">The residual blocks, in order.</param>
/// <param name="Bound">An upper bound of the Lipschitz constant of the map from the input to the output: bounds propagated
/// through the graph (products along paths, sums at sum nodes), which for blocks in series is the product of the chain
/// nodes' and the blocks' bounds.</param>
/// <param name="IsChain">True when every node reads only the previous node's output (no block).</param>
public sealed record GraphLipschitzReport(
    string Graph, string InputShape, string OutputShape, IReadOnlyList<GraphNodeBound> Nodes, IReadOnlyList<ResidualBlockBound> Blocks,
    double Bound, bool IsChain);
