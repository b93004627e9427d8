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
        FileKind.RequireRegular(path, problem => new IdxFormatException(path, problem));
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
            if (!(b0 == 0x1f && b1 == 0x8b))
            {
                using (prefix) return ReadPayload(prefix, name, expectedRank);
            }

            // gzip: the decompressor stops at the end of the compressed data, so the trailer (CRC-32 and length of the
            // decompressed bytes) is checked here, on the last 8 bytes of the file: a file cut anywhere is refused.
            using var tail = new TailStream(prefix);
            IdxArray result;
            Crc32Stream crc;
            using (var gzip = new GZipStream(tail, CompressionMode.Decompress, leaveOpen: true))
            using (crc = new Crc32Stream(gzip))
            {
                result = ReadPayload(crc, name, expectedRank);
            }

            tail.ReadToEnd(MaxTrailingBytes, name);
            if (tail.Total < 18 || BinaryPrimitives.ReadUInt32LittleEndian(tail.Last8) != crc.Crc || BinaryPrimitives.ReadUInt32LittleEndian(tail.Last8[4..]) != (uint)crc.Bytes)
            {
                throw new IdxFormatException(name, "the gzip trailer does not match the data (CRC-32 or length differ): the file is truncated or corrupt");
            }

            return result;
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

    /// <summary>Most bytes accepted after the end of the decompressed data (the rest of the gzip member).</summary>
    private const int MaxTrailingBytes = 1 << 16;

    /// <summary>Passes a stream through, keeping count of its bytes and the last eight of them.</summary>
    private sealed class TailStream(Stream inner) : Stream
    {
        private readonly byte[] _last = new byte[8];

        public long Total { get; private set; }

        /// <summary>The last eight bytes read, oldest first (valid once <see cref="Total"/> ≥ 8).</summary>
        public ReadOnlySpan<byte> Last8
        {
            get
            {
                byte[] ordered = new byte[8];
                for (int i = 0; i < 8; i++) ordered[i] = _last[(int)((Total + i) % 8)];
                return ordered;
            }
        }

        /// <summary>Reads what is left, at most <paramref name="limit"/> bytes.</summary>
        public void ReadToEnd(int limit, string name)
        {
            Span<byte> buffer = stackalloc byte[4096];
            long start = Total;
            while (Read(buffer) > 0)
            {
                if (Total - start > limit) throw new IdxFormatException(name, "has extra data after the gzip stream");
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            for (int i = Math.Max(0, n - 8); i < n; i++) _last[(int)((Total + i) % 8)] = buffer[i];
            Total += n;
            return n;
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

    /// <summary>Passes a stream through, computing the CRC-32 (IEEE 802.3, as in gzip) and length of its bytes.</summary>
    private sealed class Crc32Stream(Stream inner) : Stream
    {
        private static readonly uint[] s_table = MakeTable();
        private uint _crc = 0xFFFFFFFF;

        public uint Crc => ~_crc;

        /// <summary>Bytes read so far.</summary>
        public long Bytes { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            uint crc = _crc;
            foreach (byte b in buffer[..n]) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            _crc = crc;
            Bytes += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static uint[] MakeTable()
        {
            uint[] table = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[i] = c;
            }

            return table;
        }
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
