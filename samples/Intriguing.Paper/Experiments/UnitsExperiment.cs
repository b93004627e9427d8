using System.Globalization;
using Intriguing.Analysis;
using Intriguing.Data;

namespace Intriguing.Paper;

/// <summary>One unit analysis: its figures and purity statistics.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Layer">Activation analysed.</param>
/// <param name="NaturalFigure">File of the single-unit grid (relative to the output folder).</param>
/// <param name="RandomFigure">File of the random-direction grid.</param>
/// <param name="NaturalPurity">Mean label purity of the single-unit rows, averaged over seeds.</param>
/// <param name="NaturalPuritySd">Its standard deviation over seeds.</param>
/// <param name="RandomPurity">Mean label purity of the random-direction rows.</param>
/// <param name="RandomPuritySd">Its standard deviation over seeds.</param>
/// <param name="Rows">Rows per grid.</param>
/// <param name="Count">Images per row.</param>
/// <param name="Seeds">Seeds.</param>
/// <param name="Summary">One line for the console.</param>
public sealed record UnitsSection(string Model, int Layer, string NaturalFigure, string RandomFigure, double NaturalPurity, double NaturalPuritySd, double RandomPurity, double RandomPuritySd, int Rows, int Count, int Seeds, string Summary);

/// <summary>The paper's Sec. 3 experiment on a trained network and the MNIST test set.</summary>
public static class UnitsExperiment
{
    /// <summary>Runs the analysis and writes the two grids into <paramref name="outputDirectory"/>.</summary>
    /// <remarks>
    /// 784-value samples without a declared shape are drawn as 28×28 MNIST digits; others by their
    /// <see cref="Dataset.SampleShape"/> (or as vectors), on the data's declared range, else on the range of their values.
    /// </remarks>
    public static UnitsSection Run(INetwork net, string name, Dataset heldOut, int layer, int rows, int count, int seeds, ulong seed, string outputDirectory)
    {
        UnitsResult result = Units.Analyze(net, heldOut, layer, rows, count, seeds, seed);
        Directory.CreateDirectory(outputDirectory);
        string stem = $"units-{Catalog.FileName(name)}-layer{layer}";
        IReadOnlyList<int> shape = heldOut.SampleShape ?? [heldOut.SampleLength];
        bool mnist = heldOut.SampleShape is null ? heldOut.SampleLength == 28 * 28 : shape.SequenceEqual([28, 28]) || shape.SequenceEqual([1, 28, 28]);
        if (mnist)
        {
            Units.SaveGrid(Path.Combine(outputDirectory, stem + "-natural.png"), result.NaturalRows, heldOut);
            Units.SaveGrid(Path.Combine(outputDirectory, stem + "-random.png"), result.RandomRows, heldOut);
        }
        else
        {
            float low = heldOut.InputRange is { } r0 && double.IsFinite(r0.Lower) ? (float)r0.Lower : heldOut.Samples.Min();
            float high = heldOut.InputRange is { } r1 && double.IsFinite(r1.Upper) ? (float)r1.Upper : heldOut.Samples.Max();
            if (!(low < high)) high = low + 1;
            Units.SaveGrid(Path.Combine(outputDirectory, stem + "-natural.png"), result.NaturalRows, heldOut, shape, low, high);
            Units.SaveGrid(Path.Combine(outputDirectory, stem + "-random.png"), result.RandomRows, heldOut, shape, low, high);
        }

        var (n, nsd) = result.Natural;
        var (r, rsd) = result.Random;
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{name}, activation {layer}: label purity of the top {count} test images, single units {n:P1} ± {nsd:P1}, random directions {r:P1} ± {rsd:P1} ({rows} rows each, {seeds} seeds); grids {stem}-natural.png and {stem}-random.png");
        return new UnitsSection(name, layer, stem + "-natural.png", stem + "-random.png", n, nsd, r, rsd, rows, count, seeds, summary);
    }
}
