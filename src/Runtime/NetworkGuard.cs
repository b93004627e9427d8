using System.ComponentModel;

namespace Intriguing.Generated;

/// <summary>For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense. Argument checks shared by generated networks, with messages that name the argument and the expected size.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class NetworkGuard
{
    /// <summary>Throws unless <paramref name="span"/> holds at least <paramref name="needed"/> values.</summary>
    public static void Length<T>(ReadOnlySpan<T> span, int needed, string name)
    {
        if (span.Length < needed)
        {
            throw new ArgumentException($"'{name}' holds {span.Length} values but {needed} are needed.", name);
        }
    }

    /// <summary>Throws unless <paramref name="span"/> holds at least <paramref name="needed"/> values.</summary>
    public static void Length<T>(Span<T> span, int needed, string name) => Length((ReadOnlySpan<T>)span, needed, name);

    /// <summary>Throws unless <paramref name="span"/> holds exactly <paramref name="needed"/> values (one sample, where more would be ignored).</summary>
    public static void ExactLength(ReadOnlySpan<float> span, int needed, string name)
    {
        if (span.Length != needed)
        {
            throw new ArgumentException($"'{name}' holds {span.Length} values but one sample has {needed}.", name);
        }
    }

    /// <summary>Throws unless <paramref name="span"/> is empty or holds at least <paramref name="needed"/> values.</summary>
    public static void OptionalLength(Span<float> span, int needed, string name)
    {
        if (!span.IsEmpty) Length((ReadOnlySpan<float>)span, needed, name);
    }

    /// <summary>Throws unless <paramref name="layer"/> is in <paramref name="min"/>…<paramref name="max"/>.</summary>
    public static void Layer(int layer, int min, int max, string name)
    {
        if (layer < min || layer > max)
        {
            throw new ArgumentOutOfRangeException(name, layer, $"The layer index must be between {min} and {max} (0 is the input).");
        }
    }

    /// <summary>Checks that a workspace buffer of <paramref name="length"/> values can be allocated and indexed.</summary>
    public static int BufferLength(long length)
    {
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The workspace would need a buffer larger than an array can hold; use a smaller maxBatch.");
        }

        return (int)length;
    }

    /// <summary>The exception for a workspace made by another network type.</summary>
    public static ArgumentException ForeignWorkspace(NetworkWorkspace? workspace, string network) => workspace is null
        ? new ArgumentNullException(nameof(workspace), $"A workspace is required; make one with {network}.CreateWorkspace().")
        : new ArgumentException($"The workspace was made by {workspace.GetType().DeclaringType?.Name ?? workspace.GetType().Name}, not by {network}; make one with {network}.CreateWorkspace().", nameof(workspace));
}
