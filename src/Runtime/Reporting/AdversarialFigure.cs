namespace Intriguing.Reporting;

/// <summary>
/// The paper's Fig. 5/7 layout: per example the original (true label t), the difference magnified ten times around
/// grey, and the adversarial example (prediction p); for 28×28 images, or for any shape (channels side by side, vectors
/// as bars).
/// </summary>
public static class AdversarialFigure
{
    /// <summary>Draws the examples, <paramref name="perRow"/> per row, and writes the PNG to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<(float[] Original, float[] Adversarial, int Label, int Predicted)> examples, int perRow = 4)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("There is no example to draw.", nameof(examples));
        perRow = Math.Min(perRow, examples.Count);
        var grid = new ImageGrid((examples.Count + perRow - 1) / perRow, 3 * perRow, 28, 28);
        for (int e = 0; e < examples.Count; e++)
        {
            var (x, a, label, predicted) = examples[e];
            float[] diff = new float[x.Length];
            for (int i = 0; i < diff.Length; i++) diff[i] = 0.5f + 10f * (a[i] - x[i]);
            int row = e / perRow, col = 3 * (e % perRow);
            grid.Tile(row, col, x, "t:" + label.ToString(System.Globalization.CultureInfo.InvariantCulture));
            grid.Tile(row, col + 1, diff, "x10");
            grid.Tile(row, col + 2, a, "p:" + predicted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        grid.SavePng(path);
    }

    /// <summary>
    /// Draws examples of any shape: C×H×W images with their channels side by side (C tiles of H×W in one strip), or
    /// vectors (<paramref name="shape"/> of one dimension) as bar charts. Values are shown on [<paramref name="low"/>,
    /// <paramref name="high"/>] (the data's range) and the difference is magnified ten times around the middle.
    /// </summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="examples">Original, adversarial example, true label and prediction of each.</param>
    /// <param name="shape">The shape of one example: (C, H, W), (H, W) or (n).</param>
    /// <param name="low">The value drawn white (the bottom of a bar).</param>
    /// <param name="high">The value drawn black (the top of a bar).</param>
    /// <param name="perRow">Examples per row.</param>
    public static void Save(string path, IReadOnlyList<(float[] Original, float[] Adversarial, int Label, int Predicted)> examples, IReadOnlyList<int> shape, float low, float high, int perRow = 4)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("There is no example to draw.", nameof(examples));
        var tiles = new ExampleTiles(shape, low, high);
        perRow = Math.Min(perRow, examples.Count);
        var grid = new ImageGrid((examples.Count + perRow - 1) / perRow, 3 * perRow, tiles.Width, tiles.Height);
        float[] Tile(float[] values, bool difference)
        {
            if (values.Length != tiles.Length) throw new ArgumentException($"An example has {values.Length} values; the shape holds {tiles.Length}.", nameof(examples));
            return tiles.Render(values, difference);
        }

        bool bars = tiles.Bars;
        for (int e = 0; e < examples.Count; e++)
        {
            var (x, a, label, predicted) = examples[e];
            if (a.Length != x.Length) throw new ArgumentException("An adversarial example differs in length from its original.", nameof(examples));
            float[] diff = new float[x.Length];
            for (int i = 0; i < diff.Length; i++) diff[i] = low + ((high - low) * (0.5f + (10f * (a[i] - x[i]) / (high - low))));
            int row = e / perRow, col = 3 * (e % perRow);
            grid.Tile(row, col, Tile(x, false), "t:" + label.ToString(System.Globalization.CultureInfo.InvariantCulture));
            grid.Tile(row, col + 1, Tile(diff, bars), "x10");
            grid.Tile(row, col + 2, Tile(a, false), "p:" + predicted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        grid.SavePng(path);
    }
}
