using System.Buffers.Binary;
using Intriguing.Reporting;

namespace Intriguing.Runtime.Tests.Reporting;

/// <summary>Figures of adversarial examples of any shape.</summary>
public sealed class AdversarialFigureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-figure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Width, int Height) PngSize(string path)
    {
        byte[] png = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    private static List<(float[], float[], int, int)> Examples(int count, int length)
    {
        var random = new Random(length);
        return Enumerable.Range(0, count).Select(i =>
        {
            float[] x = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
            float[] a = x.Select(v => Math.Clamp(v + 0.05f, 0f, 1f)).ToArray();
            return (x, a, i, i + 1);
        }).ToList();
    }

    [Theory]
    [InlineData(new[] { 3, 4, 5 }, 3 * 5 + 2, 4)]   // channels side by side, one white column between them
    [InlineData(new[] { 6, 9 }, 9, 6)]
    [InlineData(new[] { 7 }, 7, 32)]                // a vector as bars 32 pixels high
    public void Examples_of_any_shape_make_tiles_of_that_shape(int[] shape, int tileWidth, int tileHeight)
    {
        string path = Path.Combine(_dir, "f.png");
        int length = shape.Aggregate(1, (a, b) => a * b);
        AdversarialFigure.Save(path, Examples(5, length), shape, 0f, 1f, perRow: 2);
        var expected = new ImageGrid(3, 6, tileWidth, tileHeight);
        Assert.Equal((expected.Width, expected.Height), PngSize(path));
    }

    [Fact]
    public void Wrong_lengths_and_empty_ranges_are_refused()
    {
        string path = Path.Combine(_dir, "f.png");
        Assert.Throws<ArgumentException>(() => AdversarialFigure.Save(path, Examples(1, 10), [3, 4], 0f, 1f));
        Assert.Throws<ArgumentException>(() => AdversarialFigure.Save(path, Examples(1, 12), [3, 4], 1f, 1f));
        Assert.Throws<ArgumentException>(() => AdversarialFigure.Save(path, Examples(1, 12), [3, 0, 4], 0f, 1f));
        Assert.False(File.Exists(path));
    }
}
