using ScottPlot;

namespace Intriguing.Paper;

/// <summary>One series of a grouped bar chart: a value per category, optional error bars and per-seed points.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">One value per category (NaN leaves the bar out).</param>
/// <param name="Errors">Error-bar half-lengths per category, or null.</param>
/// <param name="Points">Individual observations per category (e.g. one per seed) drawn as dots on the bar, or null.</param>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values, IReadOnlyList<double>? Errors = null, IReadOnlyList<IReadOnlyList<double>>? Points = null);

/// <summary>One line of a line chart.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates, one per abscissa.</param>
/// <param name="Dashed">Draw dashed (e.g. an empirical bound beside a certified one).</param>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed);

/// <summary>One series of an x-y panel: a line with markers through (X, Y), and optional single observations (e.g. one per seed) as dots of the same colour.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Abscissae of the line (e.g. means per setting).</param>
/// <param name="Y">Ordinates of the line.</param>
/// <param name="PointsX">Abscissae of the single observations, or null.</param>
/// <param name="PointsY">Their ordinates.</param>
public sealed record XySeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double>? PointsX = null, IReadOnlyList<double>? PointsY = null);

/// <summary>One panel of <see cref="Charts.XyPanels"/>.</summary>
/// <param name="Title">Panel title.</param>
/// <param name="XLabel">Label of the horizontal axis.</param>
/// <param name="YLabel">Label of the vertical axis.</param>
/// <param name="Series">The series.</param>
/// <param name="LogX">Plot log10 of the abscissae (tick labels show the values).</param>
/// <param name="Lines">Join each series' points by lines (in the given order); otherwise markers only.</param>
public sealed record XyPanel(string Title, string XLabel, string YLabel, IReadOnlyList<XySeries> Series, bool LogX, bool Lines = false);

/// <summary>The report's charts (PNG, rendered by ScottPlot), written atomically.</summary>
public static class Charts
{
    private static readonly MarkerShape[] s_shapes = { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown };

    private static readonly Color[] s_palette =
    {
        Color.FromHex("#4C72B0"), Color.FromHex("#DD8452"), Color.FromHex("#55A868"), Color.FromHex("#C44E52"),
        Color.FromHex("#8172B3"), Color.FromHex("#937860"),
    };

    /// <summary>
    /// A grouped bar chart: one group per category, one bar per series, with a legend when there is more than one series.
    /// </summary>
    /// <param name="path">The PNG to write (replaced atomically).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="yLabel">Label of the value axis.</param>
    /// <param name="categories">Category labels along the horizontal axis.</param>
    /// <param name="series">The series, each with one value per category.</param>
    /// <param name="logarithmic">Plot log10 of the values (tick labels show the values).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="legendOutside">Put the legend to the right of the plot area, where it cannot hide a bar.</param>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series, bool logarithmic = false, int width = 900, int height = 420, bool legendOutside = false)
        => Save(Build(title, yLabel, categories, series, logarithmic, legendOutside), path, width, height);

    /// <summary>Several single-series bar charts side by side in one PNG (e.g. error and robustness per variant).</summary>
    /// <param name="path">The PNG to write (replaced atomically).</param>
    /// <param name="categories">Category labels, shared by the panels.</param>
    /// <param name="panels">Per panel: title, value-axis label and its series.</param>
    /// <param name="panelWidth">Width of one panel in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void Panels(string path, IReadOnlyList<string> categories, IReadOnlyList<(string Title, string YLabel, BarSeries Series)> panels, int panelWidth = 520, int height = 380)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("At least one panel is needed.", nameof(panels));
        var multiplot = new Multiplot();
        for (int i = 0; i < panels.Count; i++)
        {
            var panel = panels[i];
            Plot plot = Build(panel.Title, panel.YLabel, categories, new[] { panel.Series }, false, false);
            if (i == 0) multiplot.Reset(plot); // a new multiplot holds one empty plot
            else multiplot.AddPlot(plot);
        }

        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        string temporary = path + ".tmp.png";
        multiplot.SavePng(temporary, panelWidth * panels.Count, height);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A line chart; a dashed series takes the colour of the solid series before it.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series, int width = 1000, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("A chart needs at least one series.", nameof(series));
        var plot = new Plot();
        int colour = -1;
        foreach (LineSeries s in series)
        {
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} abscissae and {s.Y.Count} ordinates.", nameof(series));
            if (!s.Dashed || colour < 0) colour++;
            var line = plot.Add.ScatterLine(s.X.ToArray(), s.Y.ToArray());
            line.Color = s_palette[colour % s_palette.Length];
            line.LineWidth = 2;
            line.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            line.LegendText = s.Name;
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        Save(plot, path, width, height);
    }

    /// <summary>Panels side by side, each with markers (joined by lines if the panel asks) for the means and small dots of the same shape for the single observations; legends below.</summary>
    /// <param name="path">The PNG to write (replaced atomically).</param>
    /// <param name="panels">The panels.</param>
    /// <param name="panelWidth">Width of one panel in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void XyPanels(string path, IReadOnlyList<XyPanel> panels, int panelWidth = 560, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("At least one panel is needed.", nameof(panels));
        var multiplot = new Multiplot();
        for (int i = 0; i < panels.Count; i++)
        {
            XyPanel panel = panels[i];
            var plot = new Plot();
            double Scale(double x) => panel.LogX ? Math.Log10(x) : x;
            for (int si = 0; si < panel.Series.Count; si++)
            {
                XySeries s = panel.Series[si];
                if (s.X.Count != s.Y.Count || (s.PointsX?.Count ?? 0) != (s.PointsY?.Count ?? 0)) throw new ArgumentException($"Series '{s.Name}' has unequal abscissae and ordinates.", nameof(panels));
                Color color = s_palette[si % s_palette.Length];
                int[] keep = Enumerable.Range(0, s.X.Count).Where(k => double.IsFinite(s.Y[k]) && double.IsFinite(Scale(s.X[k]))).ToArray();
                var line = plot.Add.Scatter(keep.Select(k => Scale(s.X[k])).ToArray(), keep.Select(k => s.Y[k]).ToArray());
                line.Color = color;
                line.LineWidth = panel.Lines ? 2 : 0;
                line.MarkerSize = 9;
                line.MarkerShape = s_shapes[si % s_shapes.Length];
                line.LegendText = s.Name;
                if (s.PointsX is { Count: > 0 } px && s.PointsY is { } py)
                {
                    int[] finite = Enumerable.Range(0, px.Count).Where(k => double.IsFinite(py[k]) && double.IsFinite(Scale(px[k]))).ToArray();
                    var dots = plot.Add.ScatterPoints(finite.Select(k => Scale(px[k])).ToArray(), finite.Select(k => py[k]).ToArray());
                    dots.Color = color.WithAlpha(0.5);
                    dots.MarkerSize = 5;
                    dots.MarkerShape = s_shapes[si % s_shapes.Length];
                }
            }

            if (panel.LogX)
            {
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                {
                    MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                    IntegerTicksOnly = true,
                    LabelFormatter = x => Math.Abs(x) >= 4 ? "1e" + x.ToString("0", System.Globalization.CultureInfo.InvariantCulture) : Math.Pow(10, x).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
                };
            }

            plot.Title(panel.Title);
            plot.XLabel(panel.XLabel);
            plot.YLabel(panel.YLabel);
            plot.ShowLegend(Edge.Bottom);
            if (i == 0) multiplot.Reset(plot);
            else multiplot.AddPlot(plot);
        }

        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        string temporary = path + ".tmp.png";
        multiplot.SavePng(temporary, panelWidth * panels.Count, height);
        File.Move(temporary, path, overwrite: true);
    }

    private static Plot Build(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series, bool logarithmic, bool legendOutside)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("A chart needs at least one series.", nameof(series));
        foreach (var s in series)
        {
            if (s.Values.Count != categories.Count) throw new ArgumentException($"Series '{s.Name}' has {s.Values.Count} values for {categories.Count} categories.", nameof(series));
        }

        // On a log axis every bar starts at the power of ten below the smallest value.
        double logBase = logarithmic
            ? Math.Floor(series.SelectMany(s => s.Values).Where(v => v > 0).DefaultIfEmpty(1).Min(Math.Log10))
            : 0;
        var plot = new Plot();
        double groupWidth = 0.8, barWidth = groupWidth / series.Count;
        for (int si = 0; si < series.Count; si++)
        {
            BarSeries s = series[si];
            Color color = s_palette[si % s_palette.Length];
            var bars = new List<Bar>();
            for (int c = 0; c < categories.Count; c++)
            {
                double v = s.Values[c];
                if (double.IsNaN(v) || (logarithmic && v <= 0)) continue;
                double x = c - groupWidth / 2 + barWidth * (si + 0.5);
                bars.Add(new Bar
                {
                    Position = x,
                    Value = Scale(v, logarithmic),
                    ValueBase = logBase,
                    Size = barWidth * 0.9,
                    FillColor = color,
                    Error = s.Errors is { } e && !logarithmic ? e[c] : 0,
                });
                if (s.Points?[c] is { Count: > 0 } points)
                {
                    double[] xs = points.Select(_ => x).ToArray();
                    double[] ys = points.Select(p => Scale(p, logarithmic)).ToArray();
                    var dots = plot.Add.ScatterPoints(xs, ys);
                    dots.Color = Colors.Black;
                    dots.MarkerSize = 5;
                }
            }

            var barPlot = plot.Add.Bars(bars);
            if (series.Count > 1) barPlot.LegendText = s.Name;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        if (logarithmic)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        if (series.Count > 1 && legendOutside) plot.ShowLegend(Edge.Right);
        else if (series.Count > 1) plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static double Scale(double v, bool logarithmic) => logarithmic ? Math.Log10(v) : v;

    private static void Save(Plot plot, string path, int width, int height)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        string temporary = path + ".tmp.png";
        plot.SavePng(temporary, width, height);
        File.Move(temporary, path, overwrite: true);
    }
}
