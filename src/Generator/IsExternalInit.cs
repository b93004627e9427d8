namespace System.Runtime.CompilerServices;

/// <summary>Polyfill that lets netstandard2.0 code declare records and init-only setters.</summary>
internal static class IsExternalInit
{
}
