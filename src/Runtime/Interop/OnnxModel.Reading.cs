using Intriguing.Interop.Onnx.Proto;

namespace Intriguing.Interop;

// Reading nodes and constants for the graph bounds: the one reader's helpers (OnnxGraphReader), with the import's errors.
public static partial class OnnxModel
{
    private static string NodeName(NodeProto node) => OnnxGraphReader.NodeName(node);

    private static long Int(NodeProto node, string name, long fallback) => OnnxGraphReader.Int(node, name, fallback);

    private static float Float(NodeProto node, string name, float fallback) => OnnxGraphReader.Float(node, name, fallback);

    private static long[]? Ints(NodeProto node, string name) => OnnxGraphReader.Ints(node, name);

    private static string? Str(NodeProto node, string name) => OnnxGraphReader.Str(node, name);

    private static string ElementTypeName(int type) => OnnxGraphReader.ElementTypeName(type);

    /// <summary>The values and shape of a float initializer, checked (count against shape, every value finite); <paramref name="fail"/> makes the error.</summary>
    private static (float[] Values, long[] Dims) ReadFloats(TensorProto t, string name, Func<string, OnnxImportException> fail) => OnnxGraphReader.ReadFloats(t, name, fail);

    /// <summary>The values of an int64 constant; <paramref name="fail"/> makes the error.</summary>
    private static long[] ReadLongs(TensorProto t, string name, Func<string, OnnxImportException> fail) => OnnxGraphReader.ReadLongs(t, name, fail);
}
