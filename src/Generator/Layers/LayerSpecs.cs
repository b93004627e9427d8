using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Intriguing.Generator.Layers;

/// <summary>
/// Names the attribute classes (metadata names) a <see cref="LayerSpec"/> type reads. The type must declare
/// <c>static LayerSpec? Read(LayerAttribute attribute)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
internal sealed class ReadsAttribute : Attribute
{
    public ReadsAttribute(string metadataName) => MetadataName = metadataName;

    public string MetadataName { get; }
}

/// <summary>An application of a layer attribute, as a spec's <c>Read</c> method sees it.</summary>
/// <param name="MetadataName">The attribute class, e.g. <c>Intriguing.DenseAttribute</c>.</param>
/// <param name="Arguments">The constructor arguments, in parameter order.</param>
/// <param name="Named">The named arguments as written.</param>
internal sealed record LayerAttribute(string MetadataName, ImmutableArray<TypedConstant> Arguments, ImmutableArray<KeyValuePair<string, TypedConstant>> Named)
{
    public int IntArgument(int i) => Arguments[i].Value is int v ? v : 0;

    public double DoubleArgument(int i) => Arguments[i].Value switch
    {
        double d => d,
        float f => f,
        int n => n,
        _ => double.NaN,
    };

    /// <summary>The named argument <paramref name="name"/> if it is written with a value of type <typeparamref name="T"/>, else <paramref name="fallback"/>.</summary>
    public T NamedValue<T>(string name, T fallback)
    {
        T result = fallback;
        foreach (KeyValuePair<string, TypedConstant> n in Named)
        {
            if (n.Key == name && n.Value.Value is T value) result = value;
        }

        return result;
    }
}

/// <summary>The layer kinds the generator knows: every <see cref="LayerSpec"/> type with a <see cref="ReadsAttribute"/>.</summary>
internal static class LayerSpecs
{
    private static readonly Dictionary<string, Func<LayerAttribute, LayerSpec?>> s_readers = Discover();

    /// <summary>Whether <paramref name="metadataName"/> is a layer attribute (one a spec reads).</summary>
    public static bool IsLayerAttribute(string metadataName) => s_readers.ContainsKey(metadataName);

    /// <summary>
    /// Reads a layer attribute into its spec. False when <paramref name="attribute"/> is not a layer attribute; true with a
    /// null spec when it is one whose arguments cannot be read (the compiler reports that error).
    /// </summary>
    public static bool TryRead(LayerAttribute attribute, out LayerSpec? spec)
    {
        spec = null;
        if (!s_readers.TryGetValue(attribute.MetadataName, out Func<LayerAttribute, LayerSpec?>? read)) return false;
        spec = read(attribute);
        return true;
    }

    private static Dictionary<string, Func<LayerAttribute, LayerSpec?>> Discover()
    {
        var readers = new Dictionary<string, Func<LayerAttribute, LayerSpec?>>(StringComparer.Ordinal);
        foreach (Type type in typeof(LayerSpec).Assembly.GetTypes().Where(t => !t.IsAbstract && typeof(LayerSpec).IsAssignableFrom(t)))
        {
            MethodInfo read = type.GetMethod("Read", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, null, new[] { typeof(LayerAttribute) }, null)
                ?? throw new InvalidOperationException(type.Name + " has no static Read(LayerAttribute) method.");
            var reader = (Func<LayerAttribute, LayerSpec?>)read.CreateDelegate(typeof(Func<LayerAttribute, LayerSpec?>));
            foreach (ReadsAttribute reads in type.GetCustomAttributes<ReadsAttribute>())
            {
                readers.Add(reads.MetadataName, reader);
            }
        }

        return readers;
    }
}
