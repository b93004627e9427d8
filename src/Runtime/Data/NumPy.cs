using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Intriguing.Data;

/// <summary>An array read from a NumPy file: its shape, its element type and its values as floats (integers exactly up to 2²⁴).</summary>
/// <param name="Shape">The dimensions, outermost first (C order).</param>
/// <param name="DType">The NumPy type string, e.g. <c>&lt;f4</c>, <c>|u1</c>, <c>&lt;i8</c>.</param>
/// <param name="Values">The values in C order.</param>
public sealed record NpyArray(int[] Shape, string DType, float[] Values)
{
    /// <summary>Whether the file held integers (<c>i</c> or <c>u</c> kinds, or booleans).</summary>
    public bool IsInteger => DType.Length >= 2 && DType[1] is 'i' or 'u' or 'b';
}

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1–3; little-endian float32, float64, int8–int64, uint8–uint64
/// and bool; C order) and <c>.npz</c> archives of them (stored or deflated).
/// </summary>
public static partial class NumPy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the array in the <c>.npy</c> file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The array.</returns>
    /// <exception cref="DataFileException">The file is not a supported <c>.npy</c> file; the message names it and says why.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a <c>.npy</c> array from <paramref name="stream"/>.</summary>
    /// <param name="stream">The data, from the magic string on.</param>
    /// <param name="name">The file name for error messages.</param>
    /// <returns>The array.</returns>
    /// <exception cref="DataFileException">The data is not a supported <c>.npy</c> array.</exception>
    public static NpyArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[10];
        if (!Fill(stream, prefix) || !prefix[..6].SequenceEqual(Magic)) throw new DataFileException(name, "not a NumPy .npy file (no \\x93NUMPY magic string)");
        byte major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else if (major is 2 or 3)
        {
            Span<byte> rest = stackalloc byte[2];
            if (!Fill(stream, rest)) throw new DataFileException(name, "truncated in the header");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], rest[0], rest[1]]);
            if (length > 1 << 20) throw new DataFileException(name, $"declares a header of {length} bytes");
            headerLength = (int)length;
        }
        else
        {
            throw new DataFileException(name, $"format version {major}.{prefix[7]} is not supported (1.0 to 3.0 are)");
        }

        byte[] headerBytes = new byte[headerLength];
        if (!Fill(stream, headerBytes)) throw new DataFileException(name, "truncated in the header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        (string dtype, bool fortran, int[] shape) = ParseHeader(header, name);
        if (fortran) throw new DataFileException(name, "is in Fortran order; save it in C order (np.ascontiguousarray)");
        int size = ElementSize(dtype, name);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count > Array.MaxLength) throw new DataFileException(name, $"holds {count} values, more than one array can");
        byte[] data = new byte[checked(count * size)];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length) throw new DataFileException(name, $"is truncated: its shape ({string.Join(", ", shape)}) needs {data.Length} bytes of data but only {read} follow the header");
        return new NpyArray(shape, dtype, Convert(data, dtype, (int)count));
    }

    /// <summary>Reads every array of the <c>.npz</c> archive at <paramref name="path"/>, by name (without the <c>.npy</c> extension).</summary>
    /// <param name="path">The archive.</param>
    /// <returns>The arrays.</returns>
    /// <exception cref="DataFileException">The file is not a zip archive of supported <c>.npy</c> arrays.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadArchive(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                using Stream s = entry.Open();
                arrays[entry.FullName[..^4]] = Read(s, $"{path}:{entry.FullName}");
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(path, $"not a readable .npz (zip) archive: {e.Message}", inner: e);
        }

        if (arrays.Count == 0) throw new DataFileException(path, "holds no .npy arrays");
        return arrays;
    }

    /// <summary>Writes <paramref name="values"/> as a float32 <c>.npy</c> array of the given shape.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="values">The values in C order.</param>
    /// <param name="shape">The dimensions; their product must be the number of values.</param>
    public static void Write(string path, ReadOnlySpan<float> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = TempPath(path);
        using (FileStream stream = File.Create(temp))
        {
            Write(stream, values, shape);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    // A file beside the target, moved over it once complete: an interrupted write never leaves a partial array.
    private static string TempPath(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "." + Path.GetFileName(path) + "." + Environment.ProcessId + ".tmp");

    /// <summary>Writes <paramref name="values"/> as a float32 <c>.npy</c> array of the given shape to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="values">The values in C order.</param>
    /// <param name="shape">The dimensions; their product must be the number of values.</param>
    public static void Write(Stream stream, ReadOnlySpan<float> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream, "<f4", shape, values.Length);
        byte[] buffer = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), values[i]);
        stream.Write(buffer);
    }

    /// <summary>Writes <paramref name="labels"/> as a one-dimensional int64 <c>.npy</c> array.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="labels">The labels.</param>
    public static void WriteLabels(string path, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = TempPath(path);
        using (FileStream stream = File.Create(temp))
        {
            WriteLabels(stream, labels);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes <paramref name="labels"/> as a one-dimensional int64 <c>.npy</c> array to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="labels">The labels.</param>
    public static void WriteLabels(Stream stream, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream, "<i8", [labels.Length], labels.Length);
        byte[] buffer = new byte[labels.Length * 8];
        for (int i = 0; i < labels.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(8 * i), labels[i]);
        stream.Write(buffer);
    }

    private static void WriteHeader(Stream stream, string dtype, int[] shape, int count)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < 0) || shape.Aggregate(1L, (a, b) => a * b) != count)
        {
            throw new ArgumentException($"The shape ({string.Join(", ", shape)}) does not hold {count} values.", nameof(shape));
        }

        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dict = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({dims}), }}";

        // Version 1.0: the magic, the version, a 2-byte header length, then the header padded with spaces and ended by
        // a newline so that the data starts on a 64-byte boundary.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();

    private static (string DType, bool Fortran, int[] Shape) ParseHeader(string header, string name)
    {
        Match descr = DescrPattern().Match(header), fortran = FortranPattern().Match(header), shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new DataFileException(name, $"has a header NumPy did not write (no descr, fortran_order or shape): {header.Trim()}");
        }

        var dims = new List<int>();
        foreach (string part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out int d)) throw new DataFileException(name, $"has a shape dimension '{part}' that is not a non-negative integer");
            dims.Add(d);
        }

        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims.ToArray());
    }

    private static int ElementSize(string dtype, string name)
    {
        if (dtype.Length < 3 || dtype[0] == '>' && dtype[2..] != "1")
        {
            throw new DataFileException(name, $"element type '{dtype}' is not supported" + (dtype.StartsWith('>') ? " (big-endian; save it little-endian)" : ""));
        }

        return (dtype[1..]) switch
        {
            "f4" or "i4" or "u4" => 4,
            "f8" or "i8" or "u8" => 8,
            "i2" or "u2" => 2,
            "i1" or "u1" or "b1" => 1,
            _ => throw new DataFileException(name, $"element type '{dtype}' is not supported (float32, float64, signed and unsigned integers and bool are)"),
        };
    }

    private static float[] Convert(byte[] data, string dtype, int count)
    {
        float[] v = new float[count];
        ReadOnlySpan<byte> d = data;
        switch (dtype[1..])
        {
            case "f4": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(d[(4 * i)..]); break;
            case "f8": for (int i = 0; i < count; i++) v[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(d[(8 * i)..]); break;
            case "i8": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadInt64LittleEndian(d[(8 * i)..]); break;
            case "u8": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadUInt64LittleEndian(d[(8 * i)..]); break;
            case "i4": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]); break;
            case "u4": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadUInt32LittleEndian(d[(4 * i)..]); break;
            case "i2": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadInt16LittleEndian(d[(2 * i)..]); break;
            case "u2": for (int i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadUInt16LittleEndian(d[(2 * i)..]); break;
            case "i1": for (int i = 0; i < count; i++) v[i] = (sbyte)d[i]; break;
            default: for (int i = 0; i < count; i++) v[i] = d[i]; break;
        }

        return v;
    }

    private static bool Fill(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;
}
