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

        /// <summary>The largest buffer (parameters, one sample's activation or im2col matrix) an int can index, with room for padding.</summary>
        private const long Limit = int.MaxValue - 64;

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

            // Walk the stack: infer shapes (channels × height × width; a flat vector of n values is n × 1 × 1),
            // check order and arguments, place parameters.
            long inputLength = input is null ? 1 : Math.Max(1L, (long)input.Channels * input.Height * input.Width);
            long length = inputLength;
            bool image = input?.IsImage ?? false;
            int c = image ? input!.Channels : (int)Math.Min(inputLength, int.MaxValue);
            int h = image ? input!.Height : 1;
            int wd = image ? input!.Width : 1;
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
                int oc = c, oh = h, ow = wd, kernel = 1, stride = 1, padding = 0, cover = 1;
                bool outImage = image;
                switch (layer.Kind)
                {
                    case LayerKind.Dense:
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

                        ok &= CheckWeightDecay(diagnostics, layer, index);
                        oc = (int)outLength;
                        oh = ow = 1;
                        outImage = false;
                        break;

                    case LayerKind.Conv:
                    case LayerKind.MaxPool:
                    {
                        bool conv = layer.Kind == LayerKind.Conv;
                        string what = conv ? "Conv" : "MaxPool";
                        bool sizes = true;
                        if (conv) sizes &= Positive(diagnostics, layer.Units, $"Filters of layer {index} (Conv)", layer.Argument(0));
                        sizes &= Positive(diagnostics, layer.Kernel, conv ? $"Kernel of layer {index} (Conv)" : $"Size of layer {index} (MaxPool)", layer.Argument(conv ? 1 : 0));
                        sizes &= Positive(diagnostics, layer.Stride, $"Stride of layer {index} ({what})", layer.Argument(conv ? 2 : 1));
                        if (conv && (layer.Padding < 0 || (sizes && layer.Padding >= layer.Kernel)))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPadding, layer.Argument(3), index, Math.Max(layer.Kernel - 1, 0), layer.Padding));
                            sizes = false;
                        }

                        if (conv) ok &= CheckWeightDecay(diagnostics, layer, index);
                        if (!sizes)
                        {
                            ok = false;
                            shapeKnown = false;
                        }
                        else if (shapeKnown && !image)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsImage, layer.Location, index, Describe(layer), length));
                            ok = false;
                            shapeKnown = false;
                        }
                        else if (shapeKnown)
                        {
                            padding = conv ? layer.Padding : 0;
                            long ph = (long)h + 2 * padding, pw = (long)wd + 2 * padding;
                            if (ph < layer.Kernel || pw < layer.Kernel)
                            {
                                string padded = padding > 0 ? $" ({h}×{wd} padded to {ph}×{pw})" : "";
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WindowTooLarge, layer.Location, index, Describe(layer), layer.Kernel, h + "×" + wd + padded));
                                ok = false;
                                shapeKnown = false;
                            }
                            else if (conv && ((ph - layer.Kernel) / layer.Stride + 1) * ((pw - layer.Kernel) / layer.Stride + 1) * (long)c * layer.Kernel * layer.Kernel > Limit)
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, layer.Location,
                                    $"Layer {index} ({Describe(layer)}) needs an im2col buffer of more than {Limit:N0} values for one sample; make its input or kernel smaller"));
                                ok = false;
                                shapeKnown = false;
                            }
                            else
                            {
                                kernel = layer.Kernel;
                                stride = layer.Stride;
                                oh = (int)Math.Min((ph - kernel) / stride + 1, Limit);
                                ow = (int)Math.Min((pw - kernel) / stride + 1, Limit);
                                oc = conv ? layer.Units : c;
                                long restH = (ph - kernel) % stride, restW = (pw - kernel) % stride;
                                if (restH != 0 || restW != 0)
                                {
                                    string unread = restH != 0 && restW != 0 ? $"the last {restH} row(s) and {restW} column(s)"
                                        : restH != 0 ? $"the last {restH} row(s)" : $"the last {restW} column(s)";
                                    string span = restH != 0 ? $"{ph} − {kernel} = {ph - kernel} (height{(padding > 0 ? " after padding" : "")})" : $"{pw} − {kernel} = {pw - kernel} (width{(padding > 0 ? " after padding" : "")})";
                                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StrideNotDividing, layer.Argument(conv ? 2 : 1), index, Describe(layer), stride, span, unread, oc + "×" + oh + "×" + ow));
                                }

                                cover = conv ? 1 : (int)Math.Min((long)Cover(kernel, stride, oh) * Cover(kernel, stride, ow), int.MaxValue);
                            }
                        }

                        if (!shapeKnown)
                        {
                            oc = oh = ow = 1;
                        }

                        outImage = true;
                        outLength = (long)oc * oh * ow;
                        if (outLength > Limit && shapeKnown)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, layer.Location,
                                $"Layer {index} ({Describe(layer)}) outputs {outLength:N0} values per sample, more than the {Limit:N0} a buffer can hold; make it smaller"));
                            ok = false;
                            shapeKnown = false;
                            outLength = 1;
                        }

                        break;
                    }

                    case LayerKind.Dropout:
                        if (!(layer.Rate >= 0 && layer.Rate < 1 && (float)layer.Rate < 1f))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropout, layer.UnitsLocation, index, layer.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                            ok = false;
                        }

                        break;

                    case LayerKind.ContrastNorm:
                        ok &= CheckParameter(diagnostics, layer.P1 > 0 && Finite(layer.P1) && (float)layer.P1 > 0, "Epsilon", index, layer, "positive and finite", layer.P1, 0);
                        ok &= CheckParameter(diagnostics, layer.P2 >= 0 && Finite(layer.P2), "Gamma", index, layer, "finite and non-negative", layer.P2, 1);
                        break;

                    case LayerKind.LocalResponseNorm:
                        if (layer.Kernel < 1 || layer.Kernel % 2 == 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidNormParameter, layer.Argument(0), "Size", index, "LocalResponseNorm", "odd and positive", layer.Kernel));
                            ok = false;
                        }

                        kernel = Math.Max(layer.Kernel, 1);
                        ok &= CheckParameter(diagnostics, layer.P1 > 0 && Finite(layer.P1) && (float)layer.P1 > 0, "K", index, layer, "positive and finite", layer.P1, 1);
                        ok &= CheckParameter(diagnostics, layer.P2 >= 0 && Finite(layer.P2), "Alpha", index, layer, "finite and non-negative", layer.P2, 2);
                        ok &= CheckParameter(diagnostics, layer.P3 >= 0 && Finite(layer.P3), "Beta", index, layer, "finite and non-negative", layer.P3, 3);
                        break;

                    case LayerKind.Softmax:
                        softmaxIndex = index;
                        if (length == 1 && shapeKnown)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SingleUnitSoftmax, layer.Location, index));
                        }

                        break;
                }

                int weightOffset = -1, biasOffset = -1;
                double initScale = 0;
                string initRule = "";
                if (layer.Kind is LayerKind.Dense or LayerKind.Conv)
                {
                    bool conv = layer.Kind == LayerKind.Conv;
                    long kk = (long)kernel * kernel;
                    long weights = conv ? (long)oc * c * kk : outLength * length;
                    long biases = conv ? oc : outLength;
                    long fanIn = conv ? c * kk : length, fanOut = conv ? oc * kk : outLength;
                    weightOffset = (int)Math.Min(offset, int.MaxValue);
                    offset = Align(Saturate(offset + weights));
                    parameterCount = Saturate(parameterCount + weights);
                    if (layer.Bias)
                    {
                        biasOffset = (int)Math.Min(offset, int.MaxValue);
                        offset = Align(Saturate(offset + biases));
                        parameterCount += biases;
                    }

                    bool relu = i + 1 < parsed.Layers.Count && parsed.Layers[i + 1].Kind == LayerKind.ReLU;
                    string fanInText = conv ? $"{c}·{kernel}·{kernel}" : fanIn.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    string fanOutText = conv ? $"{oc}·{kernel}·{kernel}" : fanOut.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (relu)
                    {
                        initScale = Math.Sqrt(6.0 / Math.Max(fanIn, 1));
                        initRule = $"He uniform: U(−a, a), a = √(6 / {fanInText})";
                    }
                    else
                    {
                        initScale = Math.Sqrt(6.0 / Math.Max(fanIn + fanOut, 1));
                        initRule = $"Glorot uniform: U(−a, a), a = √(6 / ({fanInText} + {fanOutText}))";
                    }
                }

                var shape = new LayerShape(c, h, wd, oc, oh, ow, outImage, kernel, stride, padding, layer.Circular, cover);
                layers.Add(new LayerModel(index, name, layer.Kind, (int)Math.Min(length, int.MaxValue), (int)Math.Min(outLength, int.MaxValue),
                    layer.Kind is LayerKind.Dense or LayerKind.Conv && layer.Bias, layer.Kind is LayerKind.Dense or LayerKind.Conv ? layer.WeightDecay : 0,
                    weightOffset, biasOffset, initScale, initRule, layer.Kind == LayerKind.Dropout ? layer.Rate : 0, shape,
                    layer.P1, layer.P2, layer.P3));
                length = outLength;
                c = oc;
                h = oh;
                wd = ow;
                image = outImage;
            }

            // The flat buffer, every workspace row and every index must fit in an int.
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

        private static bool Finite(double value) => !double.IsNaN(value) && !float.IsInfinity((float)value);

        private static bool CheckWeightDecay(List<DiagnosticInfo> diagnostics, ParsedLayer layer, int index)
        {
            if (double.IsNaN(layer.WeightDecay) || float.IsInfinity((float)layer.WeightDecay) || layer.WeightDecay < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidWeightDecay, layer.WeightDecayLocation, index, layer.WeightDecay.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                return false;
            }

            return true;
        }

        private static bool CheckParameter(List<DiagnosticInfo> diagnostics, bool valid, string what, int index, ParsedLayer layer, string requirement, double value, int argument)
        {
            if (valid) return true;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidNormParameter, layer.Argument(argument), what, index, layer.Kind.ToString(), requirement,
                value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            return false;
        }

        /// <summary>
        /// The largest number of windows (side <paramref name="k"/>, stride <paramref name="s"/>, <paramref name="count"/>
        /// of them) that contain one position: min(⌈k/s⌉, count). A position i lies in window o iff o·s ∈ (i − k, i], an
        /// interval of length k that holds at most ⌈k/s⌉ multiples of s; position (m − 1)·s, m = min(⌈k/s⌉, count), lies in
        /// windows 0 … m − 1.
        /// </summary>
        private static int Cover(int k, int s, int count) => (int)Math.Min(((long)k + s - 1) / s, count);

        /// <summary>Elementwise nonlinearities and the soft-max (not dropout, which is the identity outside training).</summary>
        private static bool IsActivation(LayerKind kind) => kind is LayerKind.Sigmoid or LayerKind.ReLU or LayerKind.Tanh or LayerKind.Softmax;

        private static long Saturate(long value) => Math.Min(value, 1L << 60);

        private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

        private static string Describe(ParsedLayer layer) => layer.Kind switch
        {
            LayerKind.Conv => string.Format(System.Globalization.CultureInfo.InvariantCulture, "Conv({0}, {1}, stride {2}, padding {3})", layer.Units, layer.Kernel, layer.Stride, layer.Padding),
            LayerKind.MaxPool => string.Format(System.Globalization.CultureInfo.InvariantCulture, "MaxPool({0}, stride {1})", layer.Kernel, layer.Stride),
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
