using System.Globalization;

namespace Intriguing.Generator;

/// <summary>C# literals for emitted code, invariant-culture and round-trip, shared by the emitter and the layer specs.</summary>
internal static class Literals
{
    /// <summary>An int literal.</summary>
    public static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double in round-trip digits, for comments and messages.</summary>
    public static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float literal: the value rounded to float, round-trip digits, with <c>f</c>.</summary>
    public static string Flt(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary>A double literal that always reads as a double.</summary>
    public static string Dbl(double value)
    {
        string s = R(value);
        return s.Contains(".") || s.Contains("E") ? s : s + ".0";
    }
}
