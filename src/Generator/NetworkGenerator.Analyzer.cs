using System;
using System.Collections.Generic;
using Intriguing.Generator.Model;

namespace Intriguing.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>Shape inference, parameter layout and the checks that need the whole stack.</summary>
    internal static class Analyzer
    {
        /// <summary>Every parameter block starts on a multiple of 16 floats (64 bytes).</summary>
        public const int Alignment = 16;

        public static AnalysisResult Analyze(ParsedNetwork parsed)
        {
            var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
            bool ok = parsed.CanEmit;

            // Input: exactly one, before every layer, with positive sizes.
            ParsedInput? input = null;
            if (parsed.Inputs.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, parsed.ClassLocation, parsed.ClassName));
                ok = false;
            }
            else
            {
                input = parsed.Inputs[0];
                for (int i = 1; i < parsed.Inputs.Count; i++)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, parsed.Inputs[i].Location,
                        $"Network '{parsed.ClassName}' has more than one [Input]; declare the input once"));
                    ok = false;
                }

                if (parsed.FirstLayerPosition >= 0 && input.Position > parsed.FirstLayerPosition)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, input.Location,
                        $"[Input] of '{parsed.ClassName}' comes after a layer; move it before the first layer"));
                    ok = false;
                }

                if (input.IsImage)
                {
                    ok &= Positive(diagnostics, input.Channels, "Input channels", input.Location);
                    ok &= Positive(diagnostics, input.Height, "Input height", input.Location);
                    ok &= Positive(diagnostics, input.Width, "Input width", input.Location);
                }
                else
                {
                    ok &= Positive(diagnostics, input.Width, "Input length", input.Location);
                }
            }

            if (parsed.Layers.Count == 0)
            {
                if (input is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, parsed.ClassLocation, parsed.ClassName));
                }

                return new AnalysisResult(null, diagnostics.ToEquatableArray());
            }

            // Walk the stack: infer lengths, check order, place parameters.
            long inputLength = input is null ? 1 : Math.Max(1L, (long)input.Channels * input.Height * input.Width);
            long length = inputLength;
            long offset = 0;
            long parameterCount = 0;
            var layers = new List<LayerModel>();
            var counts = new Dictionary<LayerKind, int>();
            int softmaxIndex = -1;
            bool shapeKnown = true; // false after a size error, so that later shape checks do not cascade
            for (int i = 0; i < parsed.Layers.Count; i++)
            {
                ParsedLayer layer = parsed.Layers[i];
                int index = i + 1;
                counts.TryGetValue(layer.Kind, out int n);
                counts[layer.Kind] = ++n;
                string name = layer.Kind.ToString() + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

                if (softmaxIndex > 0 && softmaxIndex == index - 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotLast, layer.Location, index, Describe(layer), softmaxIndex));
                    ok = false;
                }

                if (IsActivation(layer.Kind) && i > 0 && IsActivation(parsed.Layers[i - 1].Kind) && parsed.Layers[i - 1].Kind != LayerKind.Softmax)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConsecutiveActivations, layer.Location, index, Describe(layer), parsed.Layers[i - 1].Kind, index - 1));
                }

                if (IsActivation(layer.Kind) && i == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationWithoutWeights, layer.Location, index, Describe(layer)));
                }

                long outLength = length;
                if (layer.Kind == LayerKind.Dense)
                {
                    if (!Positive(diagnostics, layer.Units, $"Units of layer {index} (Dense)", layer.UnitsLocation))
                    {
                        ok = false;
                        shapeKnown = false;
                        outLength = 1;
                    }
                    else
                    {
                        outLength = layer.Units;
                    }

                    if (double.IsNaN(layer.WeightDecay) || float.IsInfinity((float)layer.WeightDecay) || layer.WeightDecay < 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWeightDecay, layer.WeightDecayLocation, index, layer.WeightDecay.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                        ok = false;
                    }
                }
                else if (layer.Kind == LayerKind.Dropout)
                {
                    if (!(layer.Rate >= 0 && layer.Rate < 1 && (float)layer.Rate < 1f))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropout, layer.UnitsLocation, index, layer.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                        ok = false;
                    }
                }
                else if (layer.Kind == LayerKind.Softmax)
                {
                    softmaxIndex = index;
                    if (length == 1 && shapeKnown)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SingleUnitSoftmax, layer.Location, index));
                    }
                }

                int weightOffset = -1, biasOffset = -1;
                double initScale = 0;
                string initRule = "";
                if (layer.Kind == LayerKind.Dense)
                {
                    long weights = outLength * length;
                    weightOffset = (int)Math.Min(offset, int.MaxValue);
                    offset = Align(Saturate(offset + weights));
                    parameterCount += weights;
                    if (layer.Bias)
                    {
                        biasOffset = (int)Math.Min(offset, int.MaxValue);
                        offset = Align(Saturate(offset + outLength));
                        parameterCount += outLength;
                    }

                    bool relu = i + 1 < parsed.Layers.Count && parsed.Layers[i + 1].Kind == LayerKind.ReLU;
                    if (relu)
                    {
                        initScale = Math.Sqrt(6.0 / length);
                        initRule = $"He uniform: U(−a, a), a = √(6 / {length})";
                    }
                    else
                    {
                        initScale = Math.Sqrt(6.0 / (length + outLength));
                        initRule = $"Glorot uniform: U(−a, a), a = √(6 / ({length} + {outLength}))";
                    }
                }

                layers.Add(new LayerModel(index, name, layer.Kind, (int)Math.Min(length, int.MaxValue), (int)Math.Min(outLength, int.MaxValue),
                    layer.Kind == LayerKind.Dense && layer.Bias, layer.Kind == LayerKind.Dense ? layer.WeightDecay : 0,
                    weightOffset, biasOffset, initScale, initRule, layer.Kind == LayerKind.Dropout ? layer.Rate : 0));
                length = outLength;
            }

            // The flat buffer, every workspace row and every index must fit in an int.
            const long Limit = int.MaxValue - 64;
            if (offset > Limit || inputLength > Limit)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, parsed.ClassLocation,
                    string.Format(System.Globalization.CultureInfo.InvariantCulture,
                        "Network '{0}' needs {1:N0} parameter values, more than the {2:N0} a single buffer can hold; make its layers smaller",
                        parsed.ClassName, offset, Limit)));
                ok = false;
            }

            if (!ok || input is null)
            {
                return new AnalysisResult(null, diagnostics.ToEquatableArray());
            }

            var model = new NetworkModel(
                parsed.Namespace,
                parsed.ClassName,
                parsed.Accessibility,
                parsed.ContainingTypes,
                parsed.DisplayName,
                input.Channels,
                input.Height,
                input.Width,
                input.IsImage,
                layers.ToEquatableArray(),
                (int)parameterCount,
                (int)Math.Max(offset, Alignment),
                layers[layers.Count - 1].Kind == LayerKind.Softmax);
            return new AnalysisResult(model, diagnostics.ToEquatableArray());
        }

        /// <summary>Elementwise nonlinearities and the soft-max (not dropout, which is the identity outside training).</summary>
        private static bool IsActivation(LayerKind kind) => kind is LayerKind.Sigmoid or LayerKind.ReLU or LayerKind.Tanh or LayerKind.Softmax;

        private static long Saturate(long value) => Math.Min(value, 1L << 60);

        private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

        private static string Describe(ParsedLayer layer) => layer.Kind switch
        {
            LayerKind.Dense => "Dense(" + layer.Units.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")",
            LayerKind.Dropout => "Dropout(" + layer.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ")",
            _ => layer.Kind.ToString(),
        };

        private static bool Positive(List<DiagnosticInfo> diagnostics, int value, string what, LocationInfo? location)
        {
            if (value > 0) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, value));
            return false;
        }
    }
}
