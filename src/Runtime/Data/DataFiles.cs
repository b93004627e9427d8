using System.Globalization;
using nietras.SeparatedValues;

namespace Intriguing.Data;

/// <summary>A data file that cannot be used: malformed, truncated, of an unsupported type, or with invalid values. The message names the file and, where one is at fault, the row.</summary>
public sealed class DataFileException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="row">The 0-based sample (row) at fault, or null.</param>
    /// <param name="inner">The exception that revealed the fault, or null.</param>
    public DataFileException(string path, string problem, int? row = null, Exception? inner = null)
        : base($"{path}: {(row is int r ? $"row {r}: " : "")}{problem}.", inner)
    {
        Path = path;
        Problem = problem;
        Row = row;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }

    /// <summary>The 0-based sample (for CSV, the data row after any header) at fault, or null.</summary>
    public int? Row { get; }
}

/// <summary>How <see cref="DataFiles.Load"/> reads a data set.</summary>
public sealed record DataLoadOptions
{
    /// <summary><c>.npy</c> or IDX inputs: the file of integer labels (one per sample, <c>.npy</c> or IDX). Required for these inputs.</summary>
    public string? LabelsPath { get; init; }

    /// <summary><c>.npz</c>: the name of the inputs array; by default the first of x, X, inputs, images, data, x_test, x_train present.</summary>
    public string? InputsKey { get; init; }

    /// <summary><c>.npz</c>: the name of the labels array; by default the first of y, Y, labels, targets, y_test, y_train present.</summary>
    public string? LabelsKey { get; init; }

    /// <summary>CSV: the label column, a header name or a 0-based index; by default a column named label, labels, y, target or class, else the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>
    /// Every input value is multiplied by this after reading. By default uint8 NumPy inputs are divided by 255 (pixels to
    /// [0, 1]) and other inputs kept as they are.
    /// </summary>
    public float? Scale { get; init; }

    /// <summary>
    /// The range every input value (after scaling) lies in: a value outside it is an error, and attacks search inside it.
    /// By default [0, 1] for uint8 NumPy inputs, and none (unchecked, unbounded) otherwise.
    /// </summary>
    public ActivationBox? InputRange { get; init; }

    /// <summary>Number of classes; by default the largest label + 1. A label outside 0…Classes−1 is an error.</summary>
    public int? Classes { get; init; }

    /// <summary>The data set's name; by default the file name.</summary>
    public string? Name { get; init; }
}

/// <summary>
/// Loads labelled data sets from NumPy (<c>.npy</c> with a labels <c>.npy</c>, or <c>.npz</c>), CSV and IDX files (images
/// of any shape with a labels file, any number of classes), checking
/// every value: non-finite inputs, values outside the declared range, non-integer or negative labels and counts that
/// disagree are errors naming the file and the row, not a later "training diverged".
/// </summary>
public static class DataFiles
{
    private static readonly string[] s_inputKeys = ["x", "X", "inputs", "images", "data", "x_test", "x_train"];
    private static readonly string[] s_labelKeys = ["y", "Y", "labels", "targets", "y_test", "y_train"];
    private static readonly string[] s_labelColumns = ["label", "labels", "y", "target", "class"];

    /// <summary>Loads the data set in <paramref name="path"/>, its format chosen by the extension (<c>.npy</c>, <c>.npz</c>, <c>.csv</c>, <c>.tsv</c>, <c>.txt</c>).</summary>
    /// <param name="path">The data file.</param>
    /// <param name="options">Labels, scaling, range and class count.</param>
    /// <returns>The data set, one row of inputs per sample; its <see cref="Dataset.InputRange"/> is the declared range.</returns>
    /// <exception cref="DataFileException">The file is malformed or holds invalid values.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Dataset Load(string path, DataLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new DataLoadOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        string plain = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        if (plain.EndsWith("-ubyte", StringComparison.OrdinalIgnoreCase) || plain.EndsWith(".idx", StringComparison.OrdinalIgnoreCase)) return LoadIdx(path, options);
        return extension switch
        {
            ".npy" => LoadNpy(path, options),
            ".npz" => LoadNpz(path, options),
            ".csv" or ".tsv" or ".txt" => LoadCsv(path, options),
            _ => throw new DataFileException(path, $"the extension '{extension}' is not a data format read here (.npy, .npz, .csv, .tsv, .txt, IDX: *-ubyte, .idx, optionally .gz)"),
        };
    }

    private static Dataset LoadNpy(string path, DataLoadOptions options)
    {
        string labelsPath = options.LabelsPath ?? throw new DataFileException(path, "a .npy inputs file needs its labels in a second .npy file (DataLoadOptions.LabelsPath, the CLI's --labels)");
        NpyArray inputs = NumPy.Read(path);
        NpyArray labels = NumPy.Read(labelsPath);
        return Make(path, inputs, labelsPath, labels, options);
    }

    /// <summary>IDX images of any shape (N × …) with an IDX labels file of N bytes; pixels divided by 255 unless scaled.</summary>
    private static Dataset LoadIdx(string path, DataLoadOptions options)
    {
        string labelsPath = options.LabelsPath ?? throw new DataFileException(path, "an IDX inputs file needs its labels in a second IDX file (DataLoadOptions.LabelsPath, the CLI's --labels)");
        IdxArray images, labels;
        try
        {
            images = IdxReader.Read(path, 0);
            labels = IdxReader.Read(labelsPath, 1);
        }
        catch (IdxFormatException e)
        {
            throw new DataFileException(e.Path, e.Problem, inner: e);
        }

        int count = images.Dimensions[0];
        if (labels.Dimensions[0] != count) throw new DataFileException(labelsPath, $"holds {labels.Dimensions[0]} labels but {path} holds {count} samples");
        int length = images.Dimensions.Skip(1).Aggregate(1, (a, b) => checked(a * b));
        float[] x = new float[images.Values.Length];
        float scale = options.Scale ?? 1f;
        for (int i = 0; i < x.Length; i++) x[i] = options.Scale is null ? images.Values[i] / 255f : images.Values[i] * scale;
        ActivationBox? range = options.InputRange ?? (options.Scale is null ? new ActivationBox(0, 1) : null);
        Validate(path, x, length, range);
        int[] y = Labels(labelsPath, labels.Values.Select(v => (double)v).ToArray(), options.Classes, out int classes);
        int[] shape = images.Dimensions.Length > 1 ? images.Dimensions[1..] : [1];
        return new Dataset(options.Name ?? Path.GetFileName(path), x, y, length, classes) { InputRange = range, SampleShape = shape };
    }

    private static Dataset LoadNpz(string path, DataLoadOptions options)
    {
        IReadOnlyDictionary<string, NpyArray> arrays = NumPy.ReadArchive(path);
        string Pick(string? key, string[] defaults, string what)
        {
            if (key is not null) return arrays.ContainsKey(key) ? key : throw new DataFileException(path, $"holds no array '{key}' (it holds {string.Join(", ", arrays.Keys)})");
            return defaults.FirstOrDefault(arrays.ContainsKey)
                ?? throw new DataFileException(path, $"holds no {what} array under a usual name ({string.Join(", ", defaults)}); it holds {string.Join(", ", arrays.Keys)}: name it in the options");
        }

        string x = Pick(options.InputsKey, s_inputKeys, "inputs"), y = Pick(options.LabelsKey, s_labelKeys, "labels");
        return Make($"{path}:{x}", arrays[x], $"{path}:{y}", arrays[y], options with { Name = options.Name ?? Path.GetFileName(path) });
    }

    private static Dataset Make(string inputsName, NpyArray inputs, string labelsName, NpyArray labels, DataLoadOptions options)
    {
        if (inputs.Shape.Length == 0) throw new DataFileException(inputsName, "holds a scalar, not one sample per row");
        if (labels.Shape.Length != 1) throw new DataFileException(labelsName, $"labels must be one-dimensional, one per sample (shape is ({string.Join(", ", labels.Shape)}))");
        if (!labels.IsInteger) throw new DataFileException(labelsName, $"labels must be integers (the array is {labels.DType})");
        int count = inputs.Shape[0];
        if (labels.Shape[0] != count) throw new DataFileException(labelsName, $"holds {labels.Shape[0]} labels but {inputsName} holds {count} samples");
        int sampleLength = inputs.Shape.Skip(1).Aggregate(1, (a, b) => checked(a * b));
        bool bytes = inputs.DType == "|u1";
        ActivationBox? range = options.InputRange ?? (bytes && options.Scale is null ? new ActivationBox(0, 1) : null);
        float[] x = inputs.Values;
        if (options.Scale is float scale) System.Numerics.Tensors.TensorPrimitives.Multiply(x, scale, x);
        else if (bytes) System.Numerics.Tensors.TensorPrimitives.Divide(x, 255f, x); // as the MNIST loader scales pixels
        Validate(inputsName, x, sampleLength, range);
        int[] y = Labels(labelsName, labels.Values.Select(v => (double)v).ToArray(), options.Classes, out int classes);
        return new Dataset(options.Name ?? Path.GetFileName(inputsName), x, y, sampleLength, classes) { InputRange = range, SampleShape = inputs.Shape.Length > 1 ? inputs.Shape[1..] : [1] };
    }

    private static Dataset LoadCsv(string path, DataLoadOptions options)
    {
        var rows = new List<string[]>();
        try
        {
            using SepReader reader = Sep.Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = true, Trim = SepTrim.All }).FromFile(path);
            foreach (SepReader.Row row in reader)
            {
                string[] cells = new string[row.ColCount];
                for (int c = 0; c < cells.Length; c++) cells[c] = row[c].ToString();
                if (cells.Length == 1 && cells[0].Length == 0) continue;
                rows.Add(cells);
            }
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException)
        {
            throw new DataFileException(path, $"is not a readable CSV file: {e.Message}", inner: e);
        }

        if (rows.Count == 0) throw new DataFileException(path, "is empty");
        string[]? header = rows[0].Any(c => !double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) ? rows[0] : null;
        int first = header is null ? 0 : 1;
        int columns = rows[0].Length;
        if (columns < 2) throw new DataFileException(path, "needs at least two columns: the inputs and a label");
        int label = LabelColumn(path, header, columns, options.LabelColumn);
        int count = rows.Count - first;
        if (count == 0) throw new DataFileException(path, "has a header but no data rows");
        int length = columns - 1;
        float scale = options.Scale ?? 1f;
        float[] x = new float[(long)count * length];
        double[] labels = new double[count];
        for (int r = 0; r < count; r++)
        {
            string[] cells = rows[first + r];
            if (cells.Length != columns) throw new DataFileException(path, $"has {cells.Length} columns but the first row has {columns}", r);
            int k = 0;
            for (int c = 0; c < columns; c++)
            {
                if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                {
                    throw new DataFileException(path, $"column {c} holds '{cells[c]}', which is not a number", r);
                }

                if (c == label) labels[r] = v;
                else x[(r * length) + k++] = (float)v * scale;
            }
        }

        Validate(path, x, length, options.InputRange);
        int[] y = Labels(path, labels, options.Classes, out int classes);
        return new Dataset(options.Name ?? Path.GetFileName(path), x, y, length, classes) { InputRange = options.InputRange, SampleShape = [length] };
    }

    private static int LabelColumn(string path, string[]? header, int columns, string? given)
    {
        if (given is null)
        {
            int named = header is null ? -1 : Array.FindIndex(header, h => s_labelColumns.Contains(h.ToLowerInvariant()));
            return named >= 0 ? named : columns - 1;
        }

        if (header is not null && Array.IndexOf(header, given) is int at and >= 0) return at;
        if (int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < columns) return index;
        throw new DataFileException(path, $"has no label column '{given}' ({(header is null ? "no header; give an index" : "columns: " + string.Join(", ", header))}, {columns} columns)");
    }

    private static void Validate(string name, float[] x, int length, ActivationBox? range)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (!float.IsFinite(v)) throw new DataFileException(name, string.Create(CultureInfo.InvariantCulture, $"input {i % length} is {v} (not finite)"), i / length);
            if (range is not null && (v < range.Lower || v > range.Upper))
            {
                throw new DataFileException(name, string.Create(CultureInfo.InvariantCulture, $"input {i % length} is {v}, outside the declared range [{range.Lower}, {range.Upper}]"), i / length);
            }
        }
    }

    private static int[] Labels(string name, double[] values, int? classes, out int classCount)
    {
        int[] y = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (v != Math.Floor(v) || v < 0 || v > 1 << 24) throw new DataFileException(name, string.Create(CultureInfo.InvariantCulture, $"label {v} is not a class index (a non-negative integer)"), i);
            y[i] = (int)v;
        }

        classCount = classes ?? (y.Length == 0 ? 1 : y.Max() + 1);
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] >= classCount) throw new DataFileException(name, $"label {y[i]} is outside 0..{classCount - 1}", i);
        }

        return y;
    }
}
