using System.Collections.Generic;
using System.Globalization;
using Intriguing.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Intriguing.Generator.Layers;

/// <summary>
/// What a layer's <see cref="LayerSpec.Infer"/> sees: its position, where its arguments are written, the shape of its
/// input, and the list its diagnostics go to. Made by the analyzer for one layer at a time; not part of the model.
/// </summary>
internal sealed class ShapeContext
{
    /// <summary>The largest buffer (parameters, one sample's activation or im2col matrix) an int can index, with room for padding.</summary>
    public const long Limit = int.MaxValue - 64;

    private readonly List<DiagnosticInfo> _diagnostics;

    public ShapeContext(List<DiagnosticInfo> diagnostics, int index, ParsedLayer layer, int c, int h, int w, bool image, long length, bool shapeKnown)
    {
        _diagnostics = diagnostics;
        Index = index;
        Layer = layer;
        C = c;
        H = h;
        W = w;
        Image = image;
        Length = length;
        ShapeKnown = shapeKnown;
    }

    /// <summary>1-based position of the layer in the stack.</summary>
    public int Index { get; }

    /// <summary>The layer as parsed, with the locations of its arguments.</summary>
    public ParsedLayer Layer { get; }

    /// <summary>Input channels (a flat input of n values is n × 1 × 1).</summary>
    public int C { get; }

    /// <summary>Input height.</summary>
    public int H { get; }

    /// <summary>Input width.</summary>
    public int W { get; }

    /// <summary>Whether the input is an image.</summary>
    public bool Image { get; }

    /// <summary>Values per sample of the input.</summary>
    public long Length { get; }

    /// <summary>False after a size error further down the stack: shape checks are skipped so errors do not cascade.</summary>
    public bool ShapeKnown { get; }

    /// <summary>Reports a diagnostic.</summary>
    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] arguments)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    /// <summary>The output of a layer that keeps its input's shape.</summary>
    public LayerOutput Same(bool ok = true) => new(ok, ShapeKnown, C, H, W, Image, Length);

    /// <summary>Reports INT004 unless <paramref name="value"/> is positive.</summary>
    public bool Positive(int value, string what, LocationInfo? location)
    {
        if (value > 0) return true;
        Report(DiagnosticDescriptors.NonPositiveSize, location, what, value);
        return false;
    }

    /// <summary>Reports INT009 unless <paramref name="decay"/> is finite (as a float) and non-negative.</summary>
    public bool CheckWeightDecay(double decay)
    {
        if (double.IsNaN(decay) || float.IsInfinity((float)decay) || decay < 0)
        {
            Report(DiagnosticDescriptors.InvalidWeightDecay, Layer.Named("WeightDecay"), Index, decay.ToString("R", CultureInfo.InvariantCulture));
            return false;
        }

        return true;
    }

    /// <summary>Reports INT019 for constructor argument <paramref name="argument"/> unless <paramref name="valid"/>.</summary>
    public bool CheckParameter(bool valid, string what, string requirement, double value, int argument)
    {
        if (valid) return true;
        Report(DiagnosticDescriptors.InvalidNormParameter, Layer.Argument(argument), what, Index, Layer.Spec.Kind.ToString(), requirement,
            value.ToString("R", CultureInfo.InvariantCulture));
        return false;
    }

    /// <summary>Whether <paramref name="value"/> is not NaN and finite as a float.</summary>
    public static bool Finite(double value) => !double.IsNaN(value) && !float.IsInfinity((float)value);
}
