using System.IO.Compression;
using System.Text;
using Intriguing.Data;

namespace Intriguing.Runtime.Tests.Data;

/// <summary>NumPy and CSV loaders: files NumPy wrote, round trips through files the tests write, and malformed files.</summary>
public sealed class DataFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "NumPy", name);

    private string Temp(string name) => Path.Combine(_dir, name);

    // The formulas of bench/reference/data/make_numpy_fixtures.py.
    private static float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (i / 4f) - 1f).ToArray();

    private static int[] Labels(int n) => Enumerable.Range(0, n).Select(i => i % 3).ToArray();

    [Theory]
    [InlineData("x_f4.npy", "<f4")]
    [InlineData("x_f8.npy", "<f8")]
    public void Reads_float_arrays_NumPy_wrote(string file, string dtype)
    {
        NpyArray a = NumPy.Read(Fixture(file));
        Assert.Equal(dtype, a.DType);
        Assert.Equal([4, 2, 3], a.Shape);
        Assert.Equal(Ramp(24), a.Values);
        Assert.False(a.IsInteger);
    }

    [Fact]
    public void Loads_uint8_inputs_scaled_to_the_unit_box_with_integer_labels()
    {
        Dataset d = DataFiles.Load(Fixture("x_u1.npy"), new DataLoadOptions { LabelsPath = Fixture("y_i8.npy") });
        Assert.Equal(4, d.Count);
        Assert.Equal(6, d.SampleLength);
        Assert.Equal([2, 3], d.SampleShape!);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (i * 7 % 256) / 255f), d.Samples);
        Assert.Equal(Labels(4), d.Labels);
        Assert.Equal(3, d.Classes);
        Assert.Equal(new ActivationBox(0, 1), d.InputRange);
    }

    [Fact]
    public void Loads_an_npz_archive_NumPy_compressed()
    {
        Dataset d = DataFiles.Load(Fixture("set.npz"));
        Assert.Equal(Ramp(24), d.Samples);
        Assert.Equal(Labels(4), d.Labels);
        Assert.Null(d.InputRange);
        Assert.Equal("set.npz", d.Name);
    }

    [Fact]
    public void Fortran_order_is_refused_with_the_fix()
    {
        var e = Assert.Throws<DataFileException>(() => NumPy.Read(Fixture("x_f4_fortran.npy")));
        Assert.Contains("Fortran order", e.Message);
        Assert.Contains("x_f4_fortran.npy", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    public void Npy_and_npz_written_here_read_back_identically(int count)
    {
        var random = new Random(count);
        float[] x = Enumerable.Range(0, count * 5).Select(_ => (float)random.NextDouble()).ToArray();
        int[] y = Enumerable.Range(0, count).Select(_ => random.Next(4)).ToArray();
        NumPy.Write(Temp("x.npy"), x, count, 5);
        NumPy.WriteLabels(Temp("y.npy"), y);
        NpyArray back = NumPy.Read(Temp("x.npy"));
        Assert.Equal([count, 5], back.Shape);
        Assert.Equal(x, back.Values);
        Assert.Equal(0, (new FileInfo(Temp("x.npy")).Length - (x.Length * 4)) % 64);

        using (ZipArchive zip = ZipFile.Open(Temp("d.npz"), ZipArchiveMode.Create))
        {
            using (Stream s = zip.CreateEntry("inputs.npy").Open()) NumPy.Write(s, x, count, 5);
            using (Stream s = zip.CreateEntry("labels.npy").Open()) NumPy.WriteLabels(s, y);
        }

        if (count == 0)
        {
            Dataset empty = DataFiles.Load(Temp("d.npz"), new DataLoadOptions { Classes = 4 });
            Assert.Equal(0, empty.Count);
            return;
        }

        Dataset d = DataFiles.Load(Temp("d.npz"), new DataLoadOptions { Classes = 4, InputRange = new ActivationBox(0, 1) });
        Assert.Equal(x, d.Samples);
        Assert.Equal(y, d.Labels);
        Assert.Equal(4, d.Classes);
    }

    [Fact]
    public void Csv_round_trip_with_header_and_named_label_column()
    {
        var random = new Random(3);
        float[] x = Enumerable.Range(0, 6 * 3).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        int[] y = [2, 0, 1, 1, 0, 2];
        var csv = new StringBuilder("a,label,b,c\n");
        for (int r = 0; r < 6; r++)
        {
            csv.Append(x[r * 3].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',').Append(y[r]).Append(',')
               .Append(x[(r * 3) + 1].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
               .Append(x[(r * 3) + 2].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        File.WriteAllText(Temp("d.csv"), csv.ToString());
        Dataset d = DataFiles.Load(Temp("d.csv"));
        Assert.Equal(x, d.Samples);
        Assert.Equal(y, d.Labels);
        Assert.Equal(3, d.SampleLength);

        // Without a header the last column is the label unless told; scaling applies to the inputs only.
        File.WriteAllText(Temp("n.csv"), "1,2,0\n3,4,1\n");
        Dataset n = DataFiles.Load(Temp("n.csv"), new DataLoadOptions { Scale = 0.5f });
        Assert.Equal([0.5f, 1f, 1.5f, 2f], n.Samples);
        Assert.Equal([0, 1], n.Labels);
        Dataset first = DataFiles.Load(Temp("n.csv"), new DataLoadOptions { LabelColumn = "0", Classes = 5 });
        Assert.Equal([2f, 0f, 4f, 1f], first.Samples);
        Assert.Equal([1, 3], first.Labels);
    }

    [Theory]
    [InlineData("1,2,0\n3,4\n", "row 1: has 2 columns but the first row has 3")]
    [InlineData("1,2,0\n3,NaN,1\n", "row 1: input 1 is NaN (not finite)")]
    [InlineData("1,2,0\n3,abc,1\n", "row 1: column 1 holds 'abc', which is not a number")]
    [InlineData("1,2,0\n3,4,1.5\n", "row 1: label 1.5 is not a class index")]
    [InlineData("1,2,0\n3,4,-1\n", "row 1: label -1 is not a class index")]
    [InlineData("x,y\n", "has a header but no data rows")]
    [InlineData("", "is empty")]
    public void Malformed_csv_is_refused_naming_the_file_and_row(string text, string message)
    {
        File.WriteAllText(Temp("bad.csv"), text);
        var e = Assert.Throws<DataFileException>(() => DataFiles.Load(Temp("bad.csv")));
        Assert.StartsWith(Temp("bad.csv") + ": ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Labels_beyond_the_class_count_and_inputs_outside_the_range_are_refused()
    {
        File.WriteAllText(Temp("d.csv"), "0.5,0.25,0\n0.5,2,3\n");
        var e = Assert.Throws<DataFileException>(() => DataFiles.Load(Temp("d.csv"), new DataLoadOptions { Classes = 3 }));
        Assert.Equal(1, e.Row);
        Assert.Contains("label 3 is outside 0..2", e.Message);
        e = Assert.Throws<DataFileException>(() => DataFiles.Load(Temp("d.csv"), new DataLoadOptions { InputRange = new ActivationBox(0, 1) }));
        Assert.Contains("row 1: input 1 is 2, outside the declared range [0, 1]", e.Message);
    }

    [Fact]
    public void Truncated_npy_is_refused_with_the_byte_counts()
    {
        byte[] bytes = File.ReadAllBytes(Fixture("x_f4.npy"));
        File.WriteAllBytes(Temp("cut.npy"), bytes[..^10]);
        var e = Assert.Throws<DataFileException>(() => NumPy.Read(Temp("cut.npy")));
        Assert.Contains("is truncated: its shape (4, 2, 3) needs 96 bytes of data but only 86 follow the header", e.Message);

        File.WriteAllBytes(Temp("short.npy"), bytes[..5]);
        e = Assert.Throws<DataFileException>(() => NumPy.Read(Temp("short.npy")));
        Assert.Contains("not a NumPy .npy file", e.Message);
    }

    [Fact]
    public void Unsupported_dtype_non_integer_labels_and_count_mismatch_are_refused()
    {
        byte[] bytes = File.ReadAllBytes(Fixture("x_f4.npy"));
        string text = Encoding.Latin1.GetString(bytes).Replace("'<f4'", "'<c8'");
        File.WriteAllBytes(Temp("c.npy"), Encoding.Latin1.GetBytes(text));
        var e = Assert.Throws<DataFileException>(() => NumPy.Read(Temp("c.npy")));
        Assert.Contains("element type '<c8' is not supported", e.Message);

        e = Assert.Throws<DataFileException>(() => DataFiles.Load(Fixture("x_f4.npy"), new DataLoadOptions { LabelsPath = Fixture("x_f8.npy") }));
        Assert.Contains("labels must be one-dimensional", e.Message);

        NumPy.Write(Temp("yf.npy"), [0f, 1f, 2f, 0f], 4);
        e = Assert.Throws<DataFileException>(() => DataFiles.Load(Fixture("x_f4.npy"), new DataLoadOptions { LabelsPath = Temp("yf.npy") }));
        Assert.Contains("labels must be integers (the array is <f4)", e.Message);

        NumPy.WriteLabels(Temp("y3.npy"), [0, 1, 2]);
        e = Assert.Throws<DataFileException>(() => DataFiles.Load(Fixture("x_f4.npy"), new DataLoadOptions { LabelsPath = Temp("y3.npy") }));
        Assert.Contains("holds 3 labels but", e.Message);

        e = Assert.Throws<DataFileException>(() => DataFiles.Load(Fixture("x_f4.npy")));
        Assert.Contains("needs its labels in a second .npy file", e.Message);
    }

    [Fact]
    public void Npy_with_NaN_is_refused_naming_the_sample()
    {
        float[] x = Ramp(24);
        x[13] = float.PositiveInfinity;
        NumPy.Write(Temp("inf.npy"), x, 4, 6);
        var e = Assert.Throws<DataFileException>(() => DataFiles.Load(Temp("inf.npy"), new DataLoadOptions { LabelsPath = Fixture("y_u1.npy") }));
        Assert.Equal(2, e.Row);
        Assert.Contains("input 1 is Infinity (not finite)", e.Message);
    }

    [Fact]
    public void Npz_without_usual_names_asks_for_them()
    {
        using (ZipArchive zip = ZipFile.Open(Temp("odd.npz"), ZipArchiveMode.Create))
        {
            using Stream s = zip.CreateEntry("pixels.npy").Open();
            NumPy.Write(s, [1f, 2f], 2, 1);
        }

        var e = Assert.Throws<DataFileException>(() => DataFiles.Load(Temp("odd.npz")));
        Assert.Contains("holds no inputs array under a usual name", e.Message);
        Assert.Contains("it holds pixels", e.Message);

        File.WriteAllText(Temp("notzip.npz"), "hello");
        e = Assert.Throws<DataFileException>(() => DataFiles.Load(Temp("notzip.npz")));
        Assert.Contains("not a readable .npz (zip) archive", e.Message);
    }
}

public sealed class IdxDataFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Idx(byte[] values, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, 8, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(values);
        return bytes.ToArray();
    }

    [Fact]
    public void Idx_images_of_any_shape_and_labels_beyond_nine_load()
    {
        const int Count = 5;
        byte[] pixels = Enumerable.Range(0, Count * 3 * 2 * 2).Select(i => (byte)(i * 11 % 256)).ToArray();
        byte[] labels = [0, 11, 4, 7, 10];
        string images = Path.Combine(_dir, "images-idx4-ubyte"), labelFile = Path.Combine(_dir, "labels-idx1-ubyte");
        File.WriteAllBytes(images, Idx(pixels, Count, 3, 2, 2));
        File.WriteAllBytes(labelFile, Idx(labels, Count));
        Dataset d = DataFiles.Load(images, new DataLoadOptions { LabelsPath = labelFile });
        Assert.Equal(12, d.SampleLength);
        Assert.Equal([3, 2, 2], d.SampleShape!);
        Assert.Equal(12, d.Classes);
        Assert.Equal(labels.Select(b => (int)b), d.Labels);
        Assert.Equal(pixels.Select(b => b / 255f), d.Samples);
        Assert.Equal(new ActivationBox(0, 1), d.InputRange);

        File.WriteAllBytes(labelFile, Idx(labels[..4], 4));
        var e = Assert.Throws<DataFileException>(() => DataFiles.Load(images, new DataLoadOptions { LabelsPath = labelFile }));
        Assert.Contains("holds 4 labels but", e.Message);
        File.WriteAllBytes(labelFile, Idx(labels, Count)[..^2]);
        e = Assert.Throws<DataFileException>(() => DataFiles.Load(images, new DataLoadOptions { LabelsPath = labelFile }));
        Assert.Contains("is truncated", e.Message);
    }
}
