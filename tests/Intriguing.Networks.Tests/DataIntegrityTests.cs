using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Intriguing.Data;

namespace Intriguing.Networks.Tests;

/// <summary>Wrong data is refused: cut or altered gzip files, files that are not the published MNIST ones, FIFOs and devices.</summary>
public class DataIntegrityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-integrity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A gzip-compressed IDX file of 2 × 3 × 4 values, as bytes.</summary>
    private static byte[] GzipIdx()
    {
        var raw = new List<byte> { 0, 0, 0x08, 3 };
        foreach (int d in new[] { 2, 3, 4 })
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            raw.AddRange(b);
        }

        raw.AddRange(Enumerable.Range(0, 24).Select(i => (byte)(i * 11)));
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal)) gzip.Write(raw.ToArray());
        return memory.ToArray();
    }

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void The_intact_gzip_file_reads()
    {
        IdxArray a = IdxReader.Read(Write("x.gz", GzipIdx()), 3);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)(i * 11)), a.Values);
    }

    /// <summary>Every cut of the last nine bytes (the end of the compressed data and the 8-byte trailer) is refused.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void A_gzip_file_cut_near_its_end_is_refused(int cut)
    {
        byte[] full = GzipIdx();
        string path = Write("cut.gz", full[..^cut]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path, 3));
        Assert.Contains(path, e.Message);
    }

    /// <summary>The same for the published test labels and images, whose compressed data spans many reads.</summary>
    [Theory]
    [InlineData("t10k-labels-idx1-ubyte.gz", 1)]
    [InlineData("t10k-labels-idx1-ubyte.gz", 4)]
    [InlineData("t10k-labels-idx1-ubyte.gz", 8)]
    [InlineData("t10k-labels-idx1-ubyte.gz", 9)]
    [InlineData("t10k-images-idx3-ubyte.gz", 1)]
    [InlineData("t10k-images-idx3-ubyte.gz", 5)]
    [InlineData("t10k-images-idx3-ubyte.gz", 8)]
    [InlineData("t10k-images-idx3-ubyte.gz", 9)]
    public void A_published_file_cut_near_its_end_is_refused(string file, int cut)
    {
        byte[] full = File.ReadAllBytes(Path.Combine(TestData.MnistDirectory(), file));
        string path = Write(file, full[..^cut]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path, file.Contains("images") ? 3 : 1));
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData(8)] // first CRC byte
    [InlineData(5)] // last CRC byte
    [InlineData(4)] // first length byte
    [InlineData(1)] // last length byte
    public void A_gzip_file_with_an_altered_trailer_is_refused(int fromEnd)
    {
        byte[] bytes = GzipIdx();
        bytes[^fromEnd] ^= 0x40;
        string path = Write("altered.gz", bytes);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path, 3));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_waiting_for_a_writer()
    {
        string fifo = Path.Combine(_dir, "pipe.gz");
        MakeFifo(fifo);
        Task<IdxFormatException> read = Task.Run(() => Assert.Throws<IdxFormatException>(() => IdxReader.Read(fifo, 3)));
        IdxFormatException e = await read.WaitAsync(TimeSpan.FromSeconds(20)); // a TimeoutException if it waits for a writer
        Assert.Contains("is a FIFO, not a regular file", e.Message);
    }

    [Fact]
    public void A_device_is_refused_as_data_and_as_a_checkpoint()
    {
        Assert.Contains("/dev/zero: is a character device, not a regular file", Assert.Throws<IdxFormatException>(() => IdxReader.Read("/dev/zero", 3)).Message);
        string link = Path.Combine(_dir, "link.gz");
        File.CreateSymbolicLink(link, "/dev/urandom");
        Assert.Contains("is a character device", Assert.Throws<IdxFormatException>(() => IdxReader.Read(link, 3)).Message);
        var net = new TenClassLinear(1);
        Assert.Contains("/dev/zero: is a character device", Assert.Throws<Intriguing.Training.CheckpointException>(() => Intriguing.Training.Checkpoint.Load("/dev/zero", net)).Message);
    }

    [Fact]
    public void A_checkpoint_larger_than_its_network_can_need_is_refused_by_name()
    {
        var net = new TenClassLinear(1);
        string path = Path.Combine(_dir, "huge.ckpt");
        using (var file = File.Create(path)) file.SetLength(1L << 30); // sparse: no disk used
        var e = Assert.Throws<Intriguing.Training.CheckpointException>(() => Intriguing.Training.Checkpoint.Load(path, net));
        Assert.Contains(path, e.Message);
        Assert.Contains("more than a checkpoint of", e.Message);
    }

    /// <summary>A valid checkpoint of <paramref name="net"/> with one header field replaced and the checksum recomputed (a forgery).</summary>
    private string ForgedCheckpoint(INetwork net, int fieldFromEpochs, int value)
    {
        string path = Path.Combine(_dir, "forged.ckpt");
        Intriguing.Training.Checkpoint.Save(path, net, new Intriguing.Training.CheckpointState(3, 1, new float[net.ParameterBufferLength], "settings"));
        byte[] data = File.ReadAllBytes(path);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(12));
        int epochsAt = 8 + 4 + 2 + nameLength + 8 + 8; // magic, version, name, fingerprint, parameter count and buffer length
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(epochsAt + fieldFromEpochs), value);
        System.Security.Cryptography.SHA256.HashData(data.AsSpan(0, data.Length - 32)).CopyTo(data.AsSpan(data.Length - 32));
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void A_forged_checkpoint_header_is_checked_field_by_field()
    {
        var net = new TenClassLinear(1);
        var e = Assert.Throws<Intriguing.Training.CheckpointException>(() => Intriguing.Training.Checkpoint.Load(ForgedCheckpoint(net, 0, -5), net));
        Assert.Contains("records -5 completed epochs", e.Message);

        // Only the buffer length differs: the message says so, instead of naming one fingerprint twice.
        e = Assert.Throws<Intriguing.Training.CheckpointException>(() => Intriguing.Training.Checkpoint.Load(ForgedCheckpoint(net, -4, net.ParameterBufferLength + 16), net));
        Assert.Contains($"a parameter buffer of {net.ParameterBufferLength + 16:N0} values, not {net.ParameterBufferLength:N0}", e.Message);
        Assert.DoesNotContain("fingerprint", e.Message);
    }

    [Fact]
    public void Verify_accepts_the_published_files_and_names_a_modified_one()
    {
        string published = TestData.MnistDirectory();
        foreach ((string file, _) in Mnist.Files) File.Copy(Path.Combine(published, file), Path.Combine(_dir, file));
        Mnist.Verify(_dir);

        // One changed byte in the middle of a file: refused, named, with both checksums.
        string labels = Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz");
        byte[] bytes = File.ReadAllBytes(labels);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(labels, bytes);
        var e = Assert.Throws<IdxFormatException>(() => Mnist.Verify(_dir));
        Assert.Contains(labels, e.Message);
        Assert.Contains(Mnist.Files.Single(f => f.File == "t10k-labels-idx1-ubyte.gz").Sha256, e.Message);
    }

    [Fact]
    public void Verify_refuses_an_uncompressed_copy_it_cannot_check()
    {
        string published = TestData.MnistDirectory();
        foreach ((string file, _) in Mnist.Files.Skip(1)) File.Copy(Path.Combine(published, file), Path.Combine(_dir, file));
        string raw = Path.Combine(_dir, Mnist.Files[0].File[..^3]);
        File.WriteAllBytes(raw, new byte[16]);
        var e = Assert.Throws<IdxFormatException>(() => Mnist.Verify(_dir));
        Assert.Contains(raw, e.Message);
        Assert.Contains("uncompressed copy cannot be checked", e.Message);
    }

    private static void MakeFifo(string path)
    {
        using Process p = Process.Start(new ProcessStartInfo("mkfifo", $"\"{path}\"") { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
