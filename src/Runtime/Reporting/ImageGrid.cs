using StbImageWriteSharp;

namespace Intriguing.Reporting;

/// <summary>
/// A grayscale picture made of tiles (images such as MNIST digits) with short captions drawn in a built-in 3×5 pixel
/// font, written as PNG. Used for the adversarial-example figures (original, magnified difference, adversarial).
/// </summary>
public sealed class ImageGrid
{
    private const int Glyph = 5;
    private static readonly Dictionary<char, string> s_font = new()
    {
        ['0'] = "111101101101111", ['1'] = "010110010010111", ['2'] = "111001111100111", ['3'] = "111001111001111",
        ['4'] = "101101111001001", ['5'] = "111100111001111", ['6'] = "111100111101111", ['7'] = "111001010010010",
        ['8'] = "111101111101111", ['9'] = "111101111001111", ['.'] = "000000000000010", ['-'] = "000000111000000",
        ['>'] = "100010001010100", [' '] = "000000000000000", ['x'] = "000101010101000", ['='] = "000111000111000",
        ['t'] = "010111010010011", ['p'] = "000111101111100", ['d'] = "001001111101111", [':'] = "000010000010000",
    };

    private readonly byte[] _pixels;

    /// <summary>Creates a white picture of <paramref name="rows"/> × <paramref name="columns"/> tiles of the given size, each with a caption line below it.</summary>
    public ImageGrid(int rows, int columns, int tileWidth, int tileHeight, int scale = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        Rows = rows;
        Columns = columns;
        TileWidth = tileWidth;
        TileHeight = tileHeight;
        Scale = scale;
        CellWidth = tileWidth * scale + 4;
        CellHeight = tileHeight * scale + 4 + Glyph * 2 + 4;
        Width = columns * CellWidth;
        Height = rows * CellHeight;
        _pixels = new byte[Width * Height];
        Array.Fill(_pixels, (byte)255);
    }

    /// <summary>Tile rows.</summary>
    public int Rows { get; }

    /// <summary>Tile columns.</summary>
    public int Columns { get; }

    /// <summary>Tile width in source pixels.</summary>
    public int TileWidth { get; }

    /// <summary>Tile height in source pixels.</summary>
    public int TileHeight { get; }

    /// <summary>Magnification of tiles.</summary>
    public int Scale { get; }

    private int CellWidth { get; }

    private int CellHeight { get; }

    /// <summary>Picture width in pixels.</summary>
    public int Width { get; }

    /// <summary>Picture height in pixels.</summary>
    public int Height { get; }

    /// <summary>
    /// Draws a tile from values in [<paramref name="low"/>, <paramref name="high"/>] (clipped), dark for high values like
    /// the paper's figures, with a caption below it.
    /// </summary>
    public void Tile(int row, int column, ReadOnlySpan<float> values, string caption, float low = 0, float high = 1)
    {
        if (values.Length != TileWidth * TileHeight) throw new ArgumentException($"A tile needs {TileWidth * TileHeight} values, got {values.Length}.", nameof(values));
        int x0 = column * CellWidth + 2, y0 = row * CellHeight + 2;
        for (int y = 0; y < TileHeight; y++)
        {
            for (int x = 0; x < TileWidth; x++)
            {
                float v = Math.Clamp((values[y * TileWidth + x] - low) / (high - low), 0f, 1f);
                byte gray = (byte)Math.Round(255 * (1 - v));
                for (int dy = 0; dy < Scale; dy++)
                {
                    for (int dx = 0; dx < Scale; dx++) _pixels[(y0 + y * Scale + dy) * Width + x0 + x * Scale + dx] = gray;
                }
            }
        }

        Text(x0, y0 + TileHeight * Scale + 3, caption);
    }

    private void Text(int x, int y, string text)
    {
        foreach (char ch in text.ToLowerInvariant())
        {
            if (!s_font.TryGetValue(ch, out string? glyph)) glyph = s_font[' '];
            for (int gy = 0; gy < 5; gy++)
            {
                for (int gx = 0; gx < 3; gx++)
                {
                    if (glyph[gy * 3 + gx] != '1') continue;
                    for (int d = 0; d < 4; d++)
                    {
                        int px = x + gx * 2 + (d & 1), py = y + gy * 2 + (d >> 1);
                        if (px < Width && py < Height) _pixels[py * Width + px] = 0;
                    }
                }
            }

            x += 8;
        }
    }

    /// <summary>Writes the picture as an 8-bit grayscale PNG (atomically: a temporary file, then a rename).</summary>
    public void SavePng(string path)
    {
        string temp = path + "." + Environment.ProcessId + ".tmp";
        using (FileStream file = File.Create(temp))
        {
            new ImageWriter().WritePng(_pixels, Width, Height, ColorComponents.Grey, file);
        }

        File.Move(temp, path, overwrite: true);
    }
}
