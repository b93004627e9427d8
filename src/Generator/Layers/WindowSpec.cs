using System;
using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary>
/// The shape inference shared by the layers that slide a square window over an image (convolution and pooling):
/// output side (side + 2·padding − window) / stride + 1 per axis, with the checks that go with it.
/// </summary>
internal abstract record WindowSpec : LayerSpec
{
    /// <summary>Window (kernel) side.</summary>
    public abstract int Window { get; }

    /// <summary>Step between windows.</summary>
    public abstract int Step { get; }

    /// <summary>Rows and columns of padding on each side.</summary>
    public virtual int Pad => 0;

    /// <summary>Circular rather than zero padding.</summary>
    public virtual bool CircularPadding => false;

    public override bool HasGeometry => true;

    /// <summary>What the window argument is called in diagnostics, e.g. <c>Kernel of layer 3 (Conv)</c>.</summary>
    protected abstract string WindowWhat(int index);

    /// <summary>Which constructor argument is the window side.</summary>
    protected abstract int WindowArgument { get; }

    /// <summary>Where the stride is written (the window argument when the attribute leaves the stride implicit).</summary>
    protected abstract LocationInfo? StrideLocation(ParsedLayer layer);

    /// <summary>Output channels for <paramref name="inputChannels"/> input channels.</summary>
    protected abstract int OutputChannels(int inputChannels);

    /// <summary>Checks of the kind's own arguments, before the window arithmetic: false stops shape inference.</summary>
    protected virtual bool CheckSizes(ShapeContext context) => true;

    /// <summary>Checks that do not stop shape inference (e.g. weight decay): false prevents emission.</summary>
    protected virtual bool CheckOther(ShapeContext context) => true;

    /// <summary>Whether one sample's im2col matrix must fit a buffer (convolution).</summary>
    protected virtual bool NeedsColumns => false;

    /// <summary>Whether to count the windows covering one input (pooling's Lipschitz bound).</summary>
    protected virtual bool CountsCover => false;

    public override LayerOutput Infer(ShapeContext context)
    {
        int index = context.Index;
        bool ok = true, known = context.ShapeKnown;
        bool sizes = CheckSizes(context);
        sizes &= context.Positive(Window, WindowWhat(index), context.Layer.Argument(WindowArgument));
        sizes &= context.Positive(Step, $"Stride of layer {index} ({Kind})", StrideLocation(context.Layer));
        sizes &= CheckPadding(context, sizes);
        ok &= CheckOther(context);

        int c = context.C, h = context.H, w = context.W;
        int oc = 1, oh = 1, ow = 1, kernel = 1, stride = 1, padding = 0, cover = 1;
        if (!sizes)
        {
            ok = false;
            known = false;
        }
        else if (known && !context.Image)
        {
            context.Report(DiagnosticDescriptors.NeedsImage, context.Layer.Location, index, Written, context.Length);
            ok = false;
            known = false;
        }
        else if (known)
        {
            padding = Pad;
            long ph = (long)h + 2 * padding, pw = (long)w + 2 * padding;
            if (ph < Window || pw < Window)
            {
                string padded = padding > 0 ? $" ({h}×{w} padded to {ph}×{pw})" : "";
                context.Report(DiagnosticDescriptors.WindowTooLarge, context.Layer.Location, index, Written, Window, h + "×" + w + padded);
                ok = false;
                known = false;
            }
            else if (NeedsColumns && ((ph - Window) / Step + 1) * ((pw - Window) / Step + 1) * (long)c * Window * Window > ShapeContext.Limit)
            {
                context.Report(DiagnosticDescriptors.ColumnsTooLarge, context.Layer.Location, index, Written, N0(ShapeContext.Limit));
                ok = false;
                known = false;
            }
            else
            {
                kernel = Window;
                stride = Step;
                oh = (int)Math.Min((ph - kernel) / stride + 1, ShapeContext.Limit);
                ow = (int)Math.Min((pw - kernel) / stride + 1, ShapeContext.Limit);
                oc = OutputChannels(c);
                long restH = (ph - kernel) % stride, restW = (pw - kernel) % stride;
                if (restH != 0 || restW != 0)
                {
                    string unread = restH != 0 && restW != 0 ? $"the last {restH} row(s) and {restW} column(s)"
                        : restH != 0 ? $"the last {restH} row(s)" : $"the last {restW} column(s)";
                    string span = restH != 0 ? $"{ph} − {kernel} = {ph - kernel} (height{(padding > 0 ? " after padding" : "")})" : $"{pw} − {kernel} = {pw - kernel} (width{(padding > 0 ? " after padding" : "")})";
                    context.Report(DiagnosticDescriptors.StrideNotDividing, StrideLocation(context.Layer), index, Written, stride, span, unread, oc + "×" + oh + "×" + ow);
                }

                if (CountsCover) cover = (int)Math.Min((long)Cover(kernel, stride, oh) * Cover(kernel, stride, ow), int.MaxValue);
            }
        }

        long length = (long)oc * oh * ow;
        if (length > ShapeContext.Limit && known)
        {
            context.Report(DiagnosticDescriptors.ActivationTooLarge, context.Layer.Location, index, Written, N0(length), N0(ShapeContext.Limit));
            ok = false;
            known = false;
            length = 1;
        }

        return new LayerOutput(ok, known, oc, oh, ow, true, length, kernel, stride, padding, CircularPadding, cover);
    }

    private static string N0(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Checks the padding against the window (convolution); true for layers without padding.</summary>
    protected virtual bool CheckPadding(ShapeContext context, bool sizes) => true;

    /// <summary>The largest number of windows along one axis that contain one position (the runtime's formula).</summary>
    protected static int Cover(int k, int s, int count) => global::Intriguing.Layers.MaxPooling.AxisCover(k, s, count);

    /// <summary>The input row (or column) read at output position <paramref name="i"/>: "4i − 2", "i − 1" or "i".</summary>
    protected static string Index(LayerModel l, string i) =>
        (l.Shape.Stride == 1 ? i : I(l.Shape.Stride) + i) + (l.Shape.Padding == 0 ? "" : " − " + I(l.Shape.Padding));

    /// <summary>The summary's geometry argument.</summary>
    public override string SummaryArguments(LayerModel layer) => ", Geometry: " + Geometry(layer);
}
