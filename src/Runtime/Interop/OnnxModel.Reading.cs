using System.Buffers.Binary;
using Intriguing.Interop.Onnx.Proto;

namespace Intriguing.Interop;

// Reading nodes and constants, shared by the chain import and the graph bounds.
public static partial class OnnxModel
{
    private static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : (node.Output.Count > 0 ? node.Output[0] : "?");

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long Int(NodeProto node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

    private static float Float(NodeProto node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    private static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { } a ? a.Ints.ToArray() : null;

    private static string? Str(NodeProto node, string name) => Attribute(node, name) is { } a ? a.S.ToStringUtf8() : null;

    /// <summary>The values and shape of a float initializer, checked (count against shape, every value finite); <paramref name="fail"/> makes the error.</summary>
    private static (float[] Values, long[] Dims) ReadFloats(TensorProto t, string name, Func<string, OnnxImportException> fail)
    {
        if (t.DataType != FloatType) throw fail($"the initializer '{name}' has element type {ElementTypeName(t.DataType)}; weights must be float");
        long[] dims = t.Dims.ToArray();
        long count = dims.Aggregate(1L, (a, b) => a * b);
        float[] values;
        if (!t.RawData.IsEmpty)
        {
            ReadOnlySpan<byte> raw = t.RawData.Span;
            if (raw.Length != count * 4) throw fail($"the initializer '{name}' holds {raw.Length / 4} values but its shape {string.Join("×", dims)} declares {count}");
            values = new float[count];
            for (int k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * k, 4));
        }
        else
        {
            if (t.FloatData.Count != count) throw fail($"the initializer '{name}' holds {t.FloatData.Count} values but its shape {string.Join("×", dims)} declares {count}");
            values = t.FloatData.ToArray();
        }

        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k])) throw fail($"the initializer '{name}' holds a non-finite value ({values[k]}) at index {k}");
        }

        return (values, dims);
    }

    /// <summary>The values of an int64 constant; <paramref name="fail"/> makes the error.</summary>
    private static long[] ReadLongs(TensorProto t, string name, Func<string, OnnxImportException> fail)
    {
        if (t.DataType != Int64Type) throw fail($"the constant '{name}' has element type {ElementTypeName(t.DataType)}; expected int64");
        if (!t.RawData.IsEmpty)
        {
            ReadOnlySpan<byte> raw = t.RawData.Span;
            if (raw.Length % 8 != 0) throw fail($"the constant '{name}' has {raw.Length} bytes, not a whole number of int64 values");
            long[] v = new long[raw.Length / 8];
            for (int k = 0; k < v.Length; k++) v[k] = BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(8 * k, 8));
            return v;
        }

        return t.Int64Data.ToArray();
    }
}
