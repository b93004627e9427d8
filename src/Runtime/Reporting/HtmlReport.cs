using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Intriguing.Reporting;

/// <summary>
/// Turns the Markdown the reports are written in (headings, paragraphs, block quotes, lists, pipe tables, images,
/// inline code and bold) into one self-contained HTML page, with every image embedded as a data URI.
/// </summary>
public static partial class HtmlReport
{
    private const string Style = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}"
        + "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #ccc;padding:3px 7px}th{background:#f3f3f3}"
        + "td:not(:first-child){text-align:right}blockquote{border-left:4px solid #c90;margin:1em 0;padding:0.3em 1em;background:#fff8e6}"
        + "img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd;margin:0.3em 0}code{background:#f3f3f3;padding:0 3px}";

    /// <summary>Converts <paramref name="markdown"/>; images are read from <paramref name="imageDirectory"/> and embedded.</summary>
    public static string Convert(string markdown, string imageDirectory, string title)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title))
            .Append("</title><style>").Append(Style).Append("</style></head><body>\n");
        string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith('#'))
            {
                int level = line.TakeWhile(c => c == '#').Count();
                html.Append($"<h{level}>").Append(Inline(line[level..].Trim(), imageDirectory)).Append($"</h{level}>\n");
            }
            else if (line.StartsWith('|'))
            {
                var rows = new List<string>();
                while (i < lines.Length && lines[i].StartsWith('|')) rows.Add(lines[i++]);
                i--;
                html.Append("<table>\n");
                for (int r = 0; r < rows.Count; r++)
                {
                    if (r == 1 && rows[r].Replace("|", "").Replace("-", "").Replace(":", "").Trim().Length == 0) continue;
                    string cell = r == 0 ? "th" : "td";
                    html.Append("<tr>");
                    foreach (string c in rows[r].Trim().Trim('|').Split('|')) html.Append($"<{cell}>").Append(Inline(c.Trim(), imageDirectory)).Append($"</{cell}>");
                    html.Append("</tr>\n");
                }

                html.Append("</table>\n");
            }
            else if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                html.Append("<blockquote>").Append(Inline(line[2..], imageDirectory)).Append("</blockquote>\n");
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                html.Append("<ul>\n");
                while (i < lines.Length && lines[i].StartsWith("- ", StringComparison.Ordinal)) html.Append("<li>").Append(Inline(lines[i++][2..], imageDirectory)).Append("</li>\n");
                i--;
                html.Append("</ul>\n");
            }
            else if (line.Trim().Length > 0)
            {
                html.Append("<p>").Append(Inline(line, imageDirectory)).Append("</p>\n");
            }
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static string Inline(string text, string imageDirectory)
    {
        string encoded = WebUtility.HtmlEncode(text);
        encoded = ImagePattern().Replace(encoded, m =>
        {
            string file = WebUtility.HtmlDecode(m.Groups[2].Value);
            string path = Path.Combine(imageDirectory, file);
            string src = File.Exists(path) ? "data:image/png;base64," + System.Convert.ToBase64String(File.ReadAllBytes(path)) : m.Groups[2].Value;
            return $"<img alt=\"{m.Groups[1].Value}\" src=\"{src}\">";
        });
        encoded = BoldPattern().Replace(encoded, "<strong>$1</strong>");
        return CodePattern().Replace(encoded, "<code>$1</code>");
    }

    [GeneratedRegex(@"!\[([^\]]*)\]\(([^)]+)\)")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex BoldPattern();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodePattern();
}
