using Intriguing.Data;
using Intriguing.Reporting;

namespace Intriguing.Analysis;

/// <summary>The held-out images that maximise ⟨φ(x), v⟩ for one direction v of a layer's activation space.</summary>
/// <param name="Direction">"unit 17" for a basis vector e_17, "random 3" for a random direction.</param>
/// <param name="Indices">The top images' indices in the data set, best first.</param>
/// <param name="Values">⟨φ(x), v⟩ of each.</param>
/// <param name="Labels">Their labels.</param>
/// <param name="Purity">Fraction of them that share the most common label.</param>
public sealed record UnitRow(string Direction, int[] Indices, float[] Values, int[] Labels, double Purity);

/// <summary>Mean label purity of natural-basis and random-direction rows, for one seed.</summary>
/// <param name="Seed">Seed of the unit choice and of the random directions.</param>
/// <param name="Natural">Mean purity over the natural-basis rows.</param>
/// <param name="Random">Mean purity over the random-direction rows.</param>
public sealed record PurityPair(ulong Seed, double Natural, double Random);

/// <summary>The outcome of a unit analysis (Szegedy et al., Sec. 3; Fig. 1 and 2).</summary>
/// <param name="Layer">The activation analysed.</param>
/// <param name="NaturalRows">Rows for single units e_i (first seed).</param>
/// <param name="RandomRows">Rows for random unit-norm directions v (first seed).</param>
/// <param name="Seeds">Purity per seed.</param>
public sealed record UnitsResult(int Layer, List<UnitRow> NaturalRows, List<UnitRow> RandomRows, List<PurityPair> Seeds)
{
    /// <summary>Mean and standard deviation over seeds of the natural-basis purity.</summary>
    public (double Mean, double Sd) Natural => Stats(Seeds.Select(s => s.Natural));

    /// <summary>Mean and standard deviation over seeds of the random-direction purity.</summary>
    public (double Mean, double Sd) Random => Stats(Seeds.Select(s => s.Random));

    private static (double, double) Stats(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        double mean = v.Average();
        return (mean, v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0);
    }
}

/// <summary>
/// "Units of φ(x)": for a layer of a trained network and a held-out set, the images that maximise ⟨φ(x), e_i⟩ for
/// single units and ⟨φ(x), v⟩ for random directions v (seeded Gaussian, unit norm), and a measurable answer to "is the
/// natural basis special?": the label purity of each row's top images, natural basis against random directions.
/// </summary>
public static class Units
{
    /// <summary>Activation <paramref name="layer"/> of every sample (row-major, samples × length), computed in parallel batches.</summary>
    public static float[] Activations(INetwork network, Dataset data, int layer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        int length = network.ActivationLength(layer);
        const int Batch = 256;
        float[] result = new float[data.Count * length];
        int chunks = (data.Count + Batch - 1) / Batch;
        Parallel.For(0, chunks, () => network.CreateWorkspace(Batch), (c, _, ws) =>
        {
            int start = c * Batch, count = Math.Min(Batch, data.Count - start);
            network.ForwardTo(ws, layer, data.Samples.AsSpan(start * data.SampleLength, count * data.SampleLength), result.AsSpan(start * length, count * length), count);
            return ws;
        }, _ => { });
        return result;
    }

    /// <summary>The <paramref name="count"/> samples with the largest ⟨φ(x), v⟩, best first.</summary>
    public static UnitRow Top(float[] activations, int length, ReadOnlySpan<float> v, int count, Dataset data, string direction)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(data);
        int n = activations.Length / length;
        var scores = new float[n];
        for (int s = 0; s < n; s++) scores[s] = System.Numerics.Tensors.TensorPrimitives.Dot(activations.AsSpan(s * length, length), v);
        int[] top = Enumerable.Range(0, n).OrderByDescending(s => scores[s]).ThenBy(s => s).Take(count).ToArray();
        int[] labels = top.Select(s => data.Labels[s]).ToArray();
        int majority = labels.GroupBy(l => l).Max(g => g.Count());
        return new UnitRow(direction, top, top.Select(s => scores[s]).ToArray(), labels, (double)majority / top.Length);
    }

    /// <summary>
    /// Rows for <paramref name="rows"/> seeded distinct units and <paramref name="rows"/> random directions, each with its
    /// <paramref name="count"/> top images of <paramref name="data"/>; repeated for <paramref name="seeds"/> seeds.
    /// </summary>
    public static UnitsResult Analyze(INetwork network, Dataset data, int layer, int rows, int count, int seeds, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        NetworkGuard.Layer(layer, 1, network.LayerCount, nameof(layer));
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        int length = network.ActivationLength(layer);
        float[] acts = Activations(network, data, layer);
        var pairs = new List<PurityPair>();
        List<UnitRow>? firstNatural = null, firstRandom = null;
        for (int k = 0; k < seeds; k++)
        {
            ulong s = SeededRandom.Derive(seed, (ulong)k);
            var random = new SeededRandom(s);
            int[] units = Enumerable.Range(0, length).ToArray();
            random.Shuffle(units.AsSpan());
            var natural = new List<UnitRow>();
            var directions = new List<UnitRow>();
            float[] v = new float[length];
            for (int r = 0; r < Math.Min(rows, length); r++)
            {
                Array.Clear(v);
                v[units[r]] = 1;
                natural.Add(Top(acts, length, v, count, data, $"unit {units[r]}"));
            }

            for (int r = 0; r < rows; r++)
            {
                double norm = 0;
                for (int i = 0; i < length; i++)
                {
                    v[i] = (float)random.NextGaussian();
                    norm += (double)v[i] * v[i];
                }

                for (int i = 0; i < length; i++) v[i] = (float)(v[i] / Math.Sqrt(norm));
                directions.Add(Top(acts, length, v, count, data, $"random {r}"));
            }

            pairs.Add(new PurityPair(s, natural.Average(x => x.Purity), directions.Average(x => x.Purity)));
            firstNatural ??= natural;
            firstRandom ??= directions;
        }

        return new UnitsResult(layer, firstNatural!, firstRandom!, pairs);
    }

    /// <summary>Writes one grid per kind of direction: a row per direction, its top images left to right, the value under each (Fig. 1/2).</summary>
    public static void SaveGrid(string path, IReadOnlyList<UnitRow> rows, Dataset data, int width = 28, int height = 28)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(data);
        int columns = rows.Max(r => r.Indices.Length);
        var grid = new ImageGrid(rows.Count, columns, width, height);
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Indices.Length; c++)
            {
                grid.Tile(r, c, data.Sample(rows[r].Indices[c]), rows[r].Values[c].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        grid.SavePng(path);
    }

    /// <summary>
    /// Writes the rows as a PNG grid of examples of any shape: C×H×W images with their channels side by side, (H, W)
    /// images, or vectors (a shape of one dimension) as bar charts; values shown on [<paramref name="low"/>, <paramref name="high"/>].
    /// </summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="rows">The rows to draw (each row's top examples, best first).</param>
    /// <param name="data">The data set the rows index.</param>
    /// <param name="shape">The shape of one example: (C, H, W), (H, W) or (n).</param>
    /// <param name="low">The value drawn white.</param>
    /// <param name="high">The value drawn black.</param>
    /// <exception cref="ArgumentException">The shape does not hold the data's samples, or the range is empty.</exception>
    public static void SaveGrid(string path, IReadOnlyList<UnitRow> rows, Dataset data, IReadOnlyList<int> shape, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(data);
        var tiles = new Reporting.ExampleTiles(shape, low, high);
        if (tiles.Length != data.SampleLength) throw new ArgumentException($"The shape holds {tiles.Length} values; the data's samples have {data.SampleLength}.", nameof(shape));
        int columns = rows.Max(r => r.Indices.Length);
        var grid = new ImageGrid(rows.Count, columns, tiles.Width, tiles.Height);
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Indices.Length; c++)
            {
                grid.Tile(r, c, tiles.Render(data.Sample(rows[r].Indices[c])), rows[r].Values[c].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        grid.SavePng(path);
    }
}
