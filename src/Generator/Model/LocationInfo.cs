using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Intriguing.Generator.Model;

/// <summary>A source location as plain values, so that it can live in an equatable pipeline model.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

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

    public Diagnostic ToDiagnostic()
    {
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(Id);
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(descriptor, Location?.ToLocation(), args);
    }
}
