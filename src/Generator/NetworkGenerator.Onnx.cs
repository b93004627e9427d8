using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Intriguing.Generator.Layers;
using Intriguing.Generator.Model;
using Intriguing.Interop;
using Intriguing.Interop.Onnx.Proto;
using Microsoft.CodeAnalysis;

namespace Intriguing.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>
    /// <c>[Network(Onnx = "...")]</c>: finds the model among the AdditionalFiles, reads its graph with the runtime's ONNX
    /// reader and turns it into the layer stack the attributes would declare, with the parameters to embed.
    /// </summary>
    /// <remarks>
    /// Roslyn gives AdditionalFiles as text, and the compiler reports a binary file read as text as an error (CS2015); so
    /// an ONNX file's bytes are read from <see cref="AdditionalText.Path"/> (the one file access of this generator, RS1035
    /// suppressed here), once per run of the file step, with their SHA-256 kept for the pipeline's equality: a changed
    /// file re-runs the import when Roslyn hands the generator the file again.
    /// </remarks>
    internal static class OnnxImport
    {
        /// <summary>The ONNX files among the AdditionalFiles.</summary>
        public static bool IsOnnx(AdditionalText text) => text.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

        /// <summary>The file's path, bytes and checksum.</summary>
        public static OnnxFileRef Reference(AdditionalText text, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
#pragma warning disable RS1035 // The documented exception: a binary AdditionalFile is read from its path (see the remarks).
                byte[] bytes = File.ReadAllBytes(text.Path);
#pragma warning restore RS1035
                using var sha = System.Security.Cryptography.SHA256.Create();
                string checksum = string.Concat(sha.ComputeHash(bytes).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
                return new OnnxFileRef(text.Path, bytes, checksum, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                return new OnnxFileRef(text.Path, null, "", e.Message);
            }
        }

        /// <summary>The parsed network with its layers read from its ONNX model, or with the diagnostic that says why not.</summary>
        public static ParsedNetwork Resolve(ParsedNetwork parsed, EquatableArray<OnnxFileRef> files, CancellationToken cancellationToken)
        {
            if (parsed.Onnx is not { } onnx || !parsed.CanEmit) return parsed;
            string wanted = Normalize(onnx.Path);
            OnnxFileRef[] matches = wanted.Trim().Length == 0 ? Array.Empty<OnnxFileRef>() : files.Where(f => Matches(Normalize(f.Path), wanted)).OrderBy(f => f.Path, StringComparer.Ordinal).ToArray();
            if (matches.Length != 1)
            {
                string note = matches.Length == 0 ? "" : " only once (" + matches.Length.ToString(CultureInfo.InvariantCulture) + " items end with it)";
                return Failed(parsed, DiagnosticInfo.Create(DiagnosticDescriptors.OnnxFileNotFound, onnx.Location, parsed.ClassName, onnx.Path, note));
            }

            string fileName = Path.GetFileName(matches[0].Path);
            if (matches[0].Bytes is not { } bytes)
            {
                return Failed(parsed, DiagnosticInfo.Create(DiagnosticDescriptors.OnnxNotImported, onnx.Location, parsed.ClassName, fileName + ": " + matches[0].Error));
            }

            cancellationToken.ThrowIfCancellationRequested();
            OnnxGraph graph;
            try
            {
                ModelProto model = ModelProto.Parser.ParseFrom(bytes);
                ParsedInput? given = parsed.Inputs.Count == 1 ? parsed.Inputs[0] : null;
                IReadOnlyList<int>? shape = given is null ? null : given.IsImage ? new[] { given.Channels, given.Height, given.Width } : new[] { given.Width };
                graph = OnnxGraphReader.Read(model, fileName, shape);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException e)
            {
                return Failed(parsed, DiagnosticInfo.Create(DiagnosticDescriptors.OnnxNotImported, onnx.Location, parsed.ClassName,
                    fileName + ": not a valid ONNX model (the protobuf data is truncated or malformed: " + e.Message + ")"));
            }
            catch (OnnxGraphException e)
            {
                return Failed(parsed, DiagnosticInfo.Create(DiagnosticDescriptors.OnnxNotImported, onnx.Location, parsed.ClassName, e.Message));
            }

            return Build(parsed, onnx, fileName, graph);
        }

        private static ParsedNetwork Build(ParsedNetwork parsed, OnnxSource onnx, string fileName, OnnxGraph graph)
        {
            // The input: the [Input] the user gives, else the graph's, as the first layer reads it (a leading Reshape of a
            // vector to C×H×W makes an image input).
            OnnxShape first = graph.Layers.Count > 0 ? graph.Layers[0].Input : graph.Input;
            EquatableArray<ParsedInput> inputs = parsed.Inputs.Count > 0
                ? parsed.Inputs
                : new[] { new ParsedInput(first.C, first.H, first.W, !first.Flat, -1, onnx.Location) }.ToEquatableArray();

            var layers = new List<ParsedLayer>();
            var parameters = new List<byte>();
            for (int i = 0; i < graph.Layers.Count; i++)
            {
                OnnxLayer l = graph.Layers[i];
                if (i > 0 && !l.Input.Flat)
                {
                    OnnxShape before = graph.Layers[i - 1].Output;
                    if (before.Flat || before.C != l.Input.C || before.H != l.Input.H || before.W != l.Input.W)
                    {
                        return Failed(parsed, DiagnosticInfo.Create(DiagnosticDescriptors.OnnxNotImported, onnx.Location, parsed.ClassName,
                            fileName + ": layer " + (i + 1).ToString(CultureInfo.InvariantCulture) + " (" + l.Kind + ") reads its input reshaped from " + before
                            + " to " + l.Input + "; a reshape between layers is compiled only to a vector (use the run-time import, OnnxModel.Import, for this model)"));
                    }
                }

                LayerSpec spec = l.Kind switch
                {
                    LayerKind.Dense => new DenseSpec(l.Output.Length, 0, l.Bias is not null),
                    LayerKind.Conv => new ConvSpec(l.Output.C, l.Kernel, l.Stride, l.Pad, false, 0, l.Bias is not null),
                    LayerKind.ReLU or LayerKind.Sigmoid or LayerKind.Tanh => new ActivationSpec(l.Kind),
                    LayerKind.MaxPool => new MaxPoolSpec(l.Kernel, l.Stride),
                    LayerKind.AvgPool => new AvgPoolSpec(l.Kernel, l.Stride),
                    LayerKind.Softmax => new SoftmaxSpec(),
                    LayerKind.Dropout => new DropoutSpec(l.DropoutRate),
                    LayerKind.LocalResponseNorm => new LocalResponseNormSpec(l.Kernel, l.NormK, l.NormAlpha, l.NormBeta),
                    LayerKind.ContrastNorm => new ContrastNormSpec(l.NormEpsilon, l.NormGamma),
                    _ => throw new InvalidOperationException("The ONNX reader produced a layer kind the generator does not map: " + l.Kind),
                };
                layers.Add(new ParsedLayer(spec, onnx.Location, EquatableArray<LocationInfo>.Empty, EquatableArray<NamedLocation>.Empty));
                if (l.Weights is not null) Append(parameters, l.Weights);
                if (l.Bias is not null) Append(parameters, l.Bias);
            }

            return parsed with
            {
                Inputs = inputs,
                Layers = layers.ToEquatableArray(),
                FirstLayerPosition = 0,
                Onnx = onnx with { FileName = fileName, Parameters = parameters.ToEquatableArray(), Imported = true },
            };
        }

        private static void Append(List<byte> bytes, float[] values)
        {
            foreach (float v in values)
            {
                byte[] b = BitConverter.GetBytes(v);
                if (!BitConverter.IsLittleEndian) Array.Reverse(b);
                bytes.AddRange(b);
            }
        }

        private static ParsedNetwork Failed(ParsedNetwork parsed, DiagnosticInfo diagnostic)
            => parsed with { Diagnostics = parsed.Diagnostics.Concat(new[] { diagnostic }).ToEquatableArray(), CanEmit = false };

        private static string Normalize(string path) => path.Replace('\\', '/');

        /// <summary>Whether <paramref name="full"/> is <paramref name="wanted"/> or ends with it after a '/'.</summary>
        private static bool Matches(string full, string wanted)
        {
            wanted = wanted.StartsWith("./", StringComparison.Ordinal) ? wanted.Substring(2) : wanted;
            return full == wanted || full.EndsWith("/" + wanted, StringComparison.Ordinal);
        }
    }
}
