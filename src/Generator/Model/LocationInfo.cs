using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Intriguing.Generator.Model;

/// <summary>A source location as plain values, so that it can live in an equatable pipeline model.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>
    /// A location in the compilation's syntax tree of <see cref="FilePath"/>, so that <c>#pragma warning</c> and the
    /// tree's <c>.editorconfig</c> severities apply to it; an external-file location (which the compiler never
    /// suppresses) only when no single tree of the compilation has that path and span.
    /// </summary>
    public Location ToLocation(Compilation compilation)
    {
        SyntaxTree? match = null;
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (tree.FilePath != FilePath) continue;
            if (match is not null) return ToExternalLocation();
            match = tree;
        }

        return match is not null && Span.End <= match.Length ? Location.Create(match, Span) : ToExternalLocation();
    }

    private Location ToExternalLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(Location location)
    {
        if (location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}

/// <summary>A diagnostic to report, held as values: descriptor ID, location and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] arguments)
    {
        var args = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            args[i] = arguments[i] switch
            {
                null => "",
                System.IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                object o => o.ToString() ?? "",
            };
        }

        return new DiagnosticInfo(descriptor.Id, location, args.ToEquatableArray());
    }

    /// <summary>The diagnostic, located in <paramref name="compilation"/>'s syntax trees (see <see cref="LocationInfo.ToLocation"/>).</summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(Id);
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(descriptor, Location?.ToLocation(compilation), args);
    }
}
