namespace Intriguing.Reporting;

/// <summary>
/// The paper's Fig. 5/7 layout for 28×28 images: per example the original (true label t), the difference magnified ten
/// times around grey, and the adversarial example (prediction p).
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
}
