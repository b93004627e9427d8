using System;
using System.Text;

namespace Intriguing.Generator;

/// <summary>An indented text writer for emitted C#: <see cref="OpenBlock"/> writes <c>{</c> and indents until disposed.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
    }

    public void Lines(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
    }

    public Block OpenBlock(string? header = null)
    {
        if (header is not null) Line(header);
        Line("{");
        _indent++;
        return new Block(this);
    }

    /// <summary>Indents the lines written until the result is disposed, without braces (a switch section's body).</summary>
    public Indentation Indent()
    {
        _indent++;
        return new Indentation(this);
    }

    public override string ToString() => _sb.ToString();

    internal readonly struct Indentation : IDisposable
    {
        private readonly SourceWriter _writer;

        public Indentation(SourceWriter writer) => _writer = writer;

        public void Dispose() => _writer._indent--;
    }

    internal readonly struct Block : IDisposable
    {
        private readonly SourceWriter _writer;

        public Block(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
