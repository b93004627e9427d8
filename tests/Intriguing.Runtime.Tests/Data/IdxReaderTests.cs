using System.Buffers.Binary;
using System.IO.Compression;
using Intriguing.Data;

namespace Intriguing.Runtime.Tests.Data;

public class IdxReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Idx(byte type, int[] dims, byte[] values, byte zero0 = 0, byte zero1 = 0)
    {
        var bytes = new List<byte> { zero0, zero1, type, (byte)dims.Length };
        foreach (int d in dims)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            bytes.AddRange(b);
        }

        bytes.AddRange(values);
        return bytes.ToArray();
    }

    private string Write(string name, byte[] content, bool gzip = false)
    {
        string path = Path.Combine(_dir, name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(content);
        }
        else
        {
            File.WriteAllBytes(path, content);
        }

        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_raw_and_gzip_files(bool gzip)
    {
        byte[] values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        IdxArray a = IdxReader.Read(Write("x.idx", Idx(0x08, new[] { 2, 3, 4 }, values), gzip), 3);
        Assert.Equal(new[] { 2, 3, 4 }, a.Dimensions);
        Assert.Equal(values, a.Values);
    }

    [Fact]
    public void Wrong_magic_is_reported_with_the_file_name()
    {
        string path = Write("bad.idx", Idx(0x08, new[] { 1 }, new byte[1], zero0: 0x1f, zero1: 0x00));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path, 1));
        Assert.Contains(path, e.Message);
        Assert.Contains("wrong magic number 0x1f000801", e.Message);
    }

    [Fact]
    public void Wrong_value_type_and_rank_are_errors()
    {
        Assert.Contains("value type 0x0d is not supported", Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("f.idx", Idx(0x0d, new[] { 1 }, new byte[4])), 1)).Message);
        Assert.Contains("has 1 dimensions but 3 are expected", Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("r.idx", Idx(0x08, new[] { 5 }, new byte[5])), 3)).Message);
    }

    [Fact]
    public void Truncated_payload_is_an_error_not_a_hang()
    {
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("t.idx", Idx(0x08, new[] { 10, 28, 28 }, new byte[1000])), 3));
        Assert.Contains("is truncated: the header declares 7,840 values (10 × 28 × 28) but only 1,000 follow", e.Message);
    }

    [Fact]
    public void Truncated_header_is_an_error()
    {
        byte[] full = Idx(0x08, new[] { 10, 28, 28 }, Array.Empty<byte>());
        Assert.Contains("header is truncated", Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("h.idx", full[..9]), 3)).Message);
        Assert.Contains("shorter than an IDX header", Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("e.idx", Array.Empty<byte>()), 3)).Message);
    }

    [Fact]
    public void Extra_data_is_an_error()
    {
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("x.idx", Idx(0x08, new[] { 3 }, new byte[4])), 1));
        Assert.Contains("extra data after the 3 declared values", e.Message);
    }

    [Fact]
    public void Huge_dimensions_are_refused_before_allocating()
    {
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("big.idx", Idx(0x08, new[] { 60000, 28000, 28000 }, new byte[16])), 3));
        Assert.Contains("refusing to allocate", e.Message);
        Assert.Contains("not a valid size", Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("zero.idx", Idx(0x08, new[] { 0 }, Array.Empty<byte>())), 1)).Message);
        Assert.Contains("not a valid size", Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("neg.idx", Idx(0x08, new[] { -5 }, Array.Empty<byte>())), 1)).Message);
    }

    [Fact]
    public void Corrupt_gzip_is_an_error()
    {
        byte[] gz;
        using (var ms = new MemoryStream())
        {
            using (var z = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(Idx(0x08, new[] { 100 }, new byte[100]));
            gz = ms.ToArray();
        }

        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5a;
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(Write("c.gz", gz), 1));
        Assert.Contains("c.gz", e.Message);
    }

    [Fact]
    public void Loader_scales_pixels_and_checks_that_labels_match_images()
    {
        byte[] pixels = Enumerable.Range(0, 3 * 2 * 2).Select(i => (byte)(i * 20)).ToArray();
        string images = Write("img.idx", Idx(0x08, new[] { 3, 2, 2 }, pixels));
        string labels = Write("lab.idx", Idx(0x08, new[] { 3 }, new byte[] { 7, 0, 9 }));
        Dataset set = Mnist.LoadPair(images, labels, "tiny");
        Assert.Equal(3, set.Count);
        Assert.Equal(4, set.SampleLength);
        Assert.Equal(new[] { 7, 0, 9 }, set.Labels);
        Assert.Equal(pixels.Select(p => p / 255f), set.Samples);

        string fewLabels = Write("lab2.idx", Idx(0x08, new[] { 2 }, new byte[] { 1, 2 }));
        Assert.Contains("holds 2 labels but", Assert.Throws<IdxFormatException>(() => Mnist.LoadPair(images, fewLabels, "tiny")).Message);
        string badLabel = Write("lab3.idx", Idx(0x08, new[] { 3 }, new byte[] { 1, 12, 2 }));
        Assert.Contains("label 12 of item 1 is not a digit", Assert.Throws<IdxFormatException>(() => Mnist.LoadPair(images, badLabel, "tiny")).Message);
    }

    [Fact]
    public void Split_halves_are_disjoint_cover_everything_and_depend_on_the_seed()
    {
        var set = new Dataset("s", Enumerable.Range(0, 101).Select(i => (float)i).ToArray(), Enumerable.Range(0, 101).Select(i => i % 10).ToArray(), 1, 10);
        var (a, b) = set.SplitHalves(5, "P1", "P2");
        Assert.Equal(50, a.Count);
        Assert.Equal(51, b.Count);
        Assert.Empty(a.Samples.Intersect(b.Samples));
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (float)i), a.Samples.Concat(b.Samples).Order());
        Assert.Equal(a.Samples, set.SplitHalves(5, "P1", "P2").First.Samples);
        Assert.NotEqual(a.Samples, set.SplitHalves(6, "P1", "P2").First.Samples);
    }

    [Fact]
    public void Locate_explains_where_to_put_the_files()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => Mnist.Locate(_dir, download: false));
        Assert.Contains(_dir, e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
    }
}
