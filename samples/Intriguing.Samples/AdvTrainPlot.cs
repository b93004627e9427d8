using System.Globalization;
using StbImageWriteSharp;

namespace Intriguing.Samples;

/// <summary>
/// The adversarial-training plot: two bar panels (error and robustness per variant), a bar per variant at its mean with
/// a dot per seed, axis ticks labelled, drawn into an RGB PNG with a built-in 3×5 pixel font (no plotting package).
/// </summary>
internal static class AdvTrainPlot
{
    private const int PanelWidth = 420, PanelHeight = 300, Left = 60, Bottom = 40, Top = 30, Right = 16, Zoom = 2;

    private static readonly Dictionary<char, string> s_font = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001010010010",
        ['8'] = "111101111101111", ['9'] = "111101111001111", ['.'] = "000000000000010", ['-'] = "000000111000000",
        [' '] = "000000000000000", ['%'] = "101001010100101", ['('] = "010100100100010", [')'] = "010001001001010",
        ['a'] = "000011101101011", ['b'] = "100110101101110", ['c'] = "000011100100011", ['d'] = "001011101101011",
        ['e'] = "000111111100011", ['f'] = "011100110100100", ['g'] = "011101011001110", ['h'] = "100110101101101",
        ['i'] = "010000010010010", ['l'] = "110010010010111", ['m'] = "000111111101101", ['n'] = "000110101101101",
        ['o'] = "000010101101010", ['p'] = "000110101110100", ['r'] = "000101110100100", ['s'] = "000011110011110",
        ['t'] = "010111010010011", ['u'] = "000101101101011", ['v'] = "000101101101010", ['w'] = "000101101111111",
        ['x'] = "000101010101101", ['y'] = "000101011001110", ['k'] = "100101110110101", [':'] = "000010000010000",
    };

    private static readonly (byte R, byte G, byte B)[] s_colors =
    {
        (120, 120, 120), (90, 140, 200), (70, 170, 110), (230, 150, 50), (200, 80, 80), (130, 90, 180), (60, 60, 60),
    };

    /// <summary>Draws the two panels and writes the PNG atomically.</summary>
    public static void Save(string path, IReadOnlyList<AdvTrainSummary> summaries, IReadOnlyList<AdvTrainRun> runs, string errorTitle)
    {
        int width = 2 * PanelWidth, height = PanelHeight;
        byte[] rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);
        var canvas = new Canvas(rgb, width, height);
        Panel(canvas, 0, errorTitle, summaries, runs, s => 100 * s.TestError, r => 100 * r.TestError, "F2");
        Panel(canvas, PanelWidth, "robustness: min distortion", summaries, runs, s => s.Robustness, r => r.Robustness, "F3");
        string temp = path + "." + Environment.ProcessId + ".tmp";
        using (FileStream file = File.Create(temp))
        {
            new ImageWriter().WritePng(rgb, width, height, ColorComponents.RedGreenBlue, file);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static void Panel(Canvas c, int x0, string title, IReadOnlyList<AdvTrainSummary> summaries, IReadOnlyList<AdvTrainRun> runs, Func<AdvTrainSummary, double> mean, Func<AdvTrainRun, double> value, string format)
    {
        int plotLeft = x0 + Left, plotRight = x0 + PanelWidth - Right, plotTop = Top, plotBottom = PanelHeight - Bottom;
        double[] all = summaries.Select(mean).Concat(runs.Select(value)).Where(double.IsFinite).ToArray();
        double hi = all.Length == 0 ? 1 : all.Max(), lo = all.Length == 0 ? 0 : all.Min();
        // The axis starts a little below the smallest value so that differences show; it is labelled.
        double span = Math.Max(hi - lo, 1e-6);
        double axisLow = Math.Max(0, lo - 0.6 * span), axisHigh = hi + 0.15 * span;
        int Y(double v) => plotBottom - (int)Math.Round((v - axisLow) / (axisHigh - axisLow) * (plotBottom - plotTop));

        c.Text(x0 + Left, 8, title);
        c.Line(plotLeft, plotTop, plotLeft, plotBottom, 0);
        c.Line(plotLeft, plotBottom, plotRight, plotBottom, 0);
        for (int t = 0; t <= 4; t++)
        {
            double v = axisLow + t * (axisHigh - axisLow) / 4;
            int y = Y(v);
            c.Line(plotLeft - 4, y, plotLeft, y, 0);
            for (int x = plotLeft + 1; x < plotRight; x += 4) c.Set(x, y, 220, 220, 220);
            c.Text(x0 + 4, y - 5, v.ToString(format, CultureInfo.InvariantCulture));
        }

        int n = Math.Max(1, summaries.Count);
        int slot = (plotRight - plotLeft) / n;
        for (int i = 0; i < summaries.Count; i++)
        {
            AdvTrainSummary s = summaries[i];
            var (r, g, b) = s_colors[i % s_colors.Length];
            int left = plotLeft + i * slot + slot / 5, right = plotLeft + (i + 1) * slot - slot / 5;
            double m = mean(s);
            if (double.IsFinite(m))
            {
                for (int y = Y(m); y < plotBottom; y++)
                {
                    for (int x = left; x <= right; x++) c.Set(x, y, r, g, b);
                }
            }

            int k = 0;
            foreach (AdvTrainRun run in runs.Where(run => run.Variant == s.Variant))
            {
                double v = value(run);
                if (!double.IsFinite(v)) continue;
                int cx = left + (right - left) * (k + 1) / (s.Seeds + 1), cy = Y(v);
                for (int dy = -2; dy <= 2; dy++)
                {
                    for (int dx = -2; dx <= 2; dx++) c.Set(cx + dx, cy + dy, 0, 0, 0);
                }

                k++;
            }

            c.Text((left + right) / 2 - 8, plotBottom + 8, "(" + s.Letter + ")");
            string label = s.Variant.Length > 6 ? s.Variant[..6] : s.Variant;
            c.Text((left + right) / 2 - 4 * label.Length, plotBottom + 22, label);
        }
    }

    private sealed class Canvas(byte[] rgb, int width, int height)
    {
        public void Set(int x, int y, byte r, byte g, byte b)
        {
            if ((uint)x >= (uint)width || (uint)y >= (uint)height) return;
            int i = 3 * (y * width + x);
            rgb[i] = r;
            rgb[i + 1] = g;
            rgb[i + 2] = b;
        }

        public void Line(int x1, int y1, int x2, int y2, byte gray)
        {
            for (int x = Math.Min(x1, x2); x <= Math.Max(x1, x2); x++)
            {
                for (int y = Math.Min(y1, y2); y <= Math.Max(y1, y2); y++) Set(x, y, gray, gray, gray);
            }
        }

        public void Text(int x, int y, string text)
        {
            foreach (char ch in text.ToLowerInvariant())
            {
                if (!s_font.TryGetValue(ch, out string? glyph)) glyph = s_font[' '];
                for (int gy = 0; gy < 5; gy++)
                {
                    for (int gx = 0; gx < 3; gx++)
                    {
                        if (glyph[gy * 3 + gx] != '1') continue;
                        for (int d = 0; d < Zoom * Zoom; d++) Set(x + gx * Zoom + d % Zoom, y + gy * Zoom + d / Zoom, 0, 0, 0);
                    }
                }

                x += 4 * Zoom;
            }
        }
    }
}
