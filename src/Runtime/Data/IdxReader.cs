using System.Buffers.Binary;
using System.IO.Compression;

namespace Intriguing.Data;

/// <summary>The contents of an IDX file of unsigned bytes: its dimensions and its values in row-major order.</summary>
/// <param name="Dimensions">The sizes, outermost first (for MNIST images: count, rows, columns).</param>
/// <param name="Values">The values, row-major.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Values);

/// <summary>A malformed IDX file: the message names the file and what is wrong with it.</summary>
public sealed class IdxFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IdxFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}

/// <summary>
/// Reads IDX files (the MNIST format), raw or gzip-compressed, validating every header field before allocating.
/// </summary>
/// <remarks>
/// Format: two zero bytes, a type byte (0x08 = unsigned byte, the only type supported), the number of dimensions,
/// then each dimension as a big-endian 32-bit integer, then the values. The reader checks the magic number, the
/// number of dimensions, each size and the total against <see cref="MaxValues"/>, and that the payload has
/// exactly the declared length: truncated and oversized files are errors, never an out-of-memory or a hang.
/// </remarks>
public static class IdxReader
{
    /// <summary>Largest total number of values accepted (MNIST's training images are 47,040,000).</summary>
    public const long MaxValues = 200_000_000;

    /// <summary>Reads an IDX file of unsigned bytes with <paramref name="expectedRank"/> dimensions.</summary>
    /// <param name="path">The file, raw or gzip-compressed (detected from its first bytes).</param>
    /// <param name="expectedRank">The number of dimensions required (3 for MNIST images, 1 for labels), or 0 for any.</param>
    /// <exception cref="IdxFormatException">The file is not a valid IDX file of that rank.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxArray Read(string path, int expectedRank)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using FileStream file = File.OpenRead(path);
        return Read(file, path, expectedRank);
    }

    /// <summary>Reads an IDX stream; <paramref name="name"/> names it in error messages.</summary>
    public static IdxArray Read(Stream stream, string name, int expectedRank)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            Stream source = stream;
            var buffered = new BufferedStream(stream, 1 << 16);
            int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
            if (b0 < 0 || b1 < 0) throw new IdxFormatException(name, "the file is empty or shorter than an IDX header (4 bytes)");
            var prefix = new PrefixedStream(new[] { (byte)b0, (byte)b1 }, buffered);
            source = b0 == 0x1f && b1 == 0x8b ? new GZipStream(prefix, CompressionMode.Decompress) : prefix;
            using (source)
            {
                return ReadPayload(source, name, expectedRank);
            }
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(name, "the gzip data is corrupt (" + e.Message + ")", e);
        }
        catch (EndOfStreamException e)
        {
            throw new IdxFormatException(name, "the gzip stream ends unexpectedly", e);
        }
    }

    private static IdxArray ReadPayload(Stream s, string name, int expectedRank)
    {
        Span<byte> header = stackalloc byte[4];
        if (ReadFully(s, header) < 4) throw new IdxFormatException(name, "the file is shorter than an IDX header (4 bytes)");
        if (header[0] != 0 || header[1] != 0)
        {
            throw new IdxFormatException(name, $"wrong magic number 0x{header[0]:x2}{header[1]:x2}{header[2]:x2}{header[3]:x2}: an IDX file starts with two zero bytes");
        }

        if (header[2] != 0x08)
        {
            throw new IdxFormatException(name, $"value type 0x{header[2]:x2} is not supported: expected 0x08 (unsigned byte)");
        }

        int rank = header[3];
        if (rank == 0) throw new IdxFormatException(name, "has 0 dimensions");
        if (expectedRank != 0 && rank != expectedRank)
        {
            throw new IdxFormatException(name, $"has {rank} dimensions but {expectedRank} are expected (magic 0x{0x800 + rank:x8})");
        }

        Span<byte> sizes = stackalloc byte[4 * rank];
        if (ReadFully(s, sizes) < sizes.Length) throw new IdxFormatException(name, "the header is truncated (dimension sizes missing)");
        int[] dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(sizes.Slice(4 * i, 4));
            if (d == 0 || d > int.MaxValue)
            {
                throw new IdxFormatException(name, $"dimension {i} has size {d}, which is not a valid size");
            }

            dims[i] = (int)d;
            total *= d;
            if (total > MaxValues)
            {
                throw new IdxFormatException(name, $"declares more than {MaxValues:N0} values (dimensions {string.Join(" × ", sizes.ToArray().Chunk(4).Select(c => BinaryPrimitives.ReadUInt32BigEndian(c)))}); refusing to allocate");
            }
        }

        byte[] values = new byte[total];
        int read = ReadFully(s, values);
        if (read < total)
        {
            throw new IdxFormatException(name, $"is truncated: the header declares {total:N0} values ({string.Join(" × ", dims)}) but only {read:N0} follow");
        }

        if (s.ReadByte() >= 0)
        {
            throw new IdxFormatException(name, $"has extra data after the {total:N0} declared values ({string.Join(" × ", dims)})");
        }

        return new IdxArray(dims, values);
    }

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }

        return total;
    }

    /// <summary>A stream that yields a few already-read bytes before the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < prefix.Length && buffer.Length > 0)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
