namespace Intriguing.Paper;

/// <summary>
/// The adversarial-training plot: two panels (test error and robustness per variant), a bar per variant at its mean with
/// the standard deviation over seeds as an error bar and a dot per seed.
/// </summary>
internal static class AdvTrainPlot
{
    /// <summary>Draws the two panels and writes the PNG atomically.</summary>
    public static void Save(string path, IReadOnlyList<AdvTrainSummary> summaries, IReadOnlyList<AdvTrainRun> runs, string errorTitle)
    {
        string[] categories = summaries.Select(s => $"({s.Letter}) {s.Variant}").ToArray();
        IReadOnlyList<double>[] Points(Func<AdvTrainRun, double> value) =>
            summaries.Select(s => (IReadOnlyList<double>)runs.Where(r => r.Variant == s.Variant).Select(value).Where(double.IsFinite).ToArray()).ToArray();

        var error = new BarSeries(errorTitle, summaries.Select(s => 100 * s.TestError).ToArray(), summaries.Select(s => 100 * s.TestErrorSd).ToArray(), Points(r => 100 * r.TestError));
        var robustness = new BarSeries("robustness", summaries.Select(s => s.Robustness).ToArray(), summaries.Select(s => s.RobustnessSd).ToArray(), Points(r => r.Robustness));
        Charts.Panels(path, categories, new[]
        {
            (errorTitle + ", mean ± sd", errorTitle, error),
            ("robustness (min. input distortion)", "RMS distortion", robustness),
        });
    }
}
