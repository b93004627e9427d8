using System;

namespace Intriguing;

/// <summary>
/// Marks a <c>partial class</c> as a network declaration. The Intriguing source generator reads the
/// layer attributes applied to the class and writes the rest of the class: constants, the flat parameter
/// buffer, forward and backward passes, hidden-layer access and the compile-time summary.
/// </summary>
/// <remarks>
/// <para>The layer stack is the order in which the layer attributes are applied in source, top to bottom and
/// left to right: <c>[Input(784)]</c>, then <c>[Dense(100), Sigmoid]</c> is a dense layer followed by a sigmoid.
/// All layer attributes must be on one declaration of the partial class.</para>
/// <para>A stack that ends in <see cref="SoftmaxAttribute"/> is trained with soft-max cross-entropy against
/// integer labels; any other stack is trained with the squared error ½‖y − t‖² against target vectors.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>A display name for summaries and reports. Defaults to the class name.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// An ONNX model to compile instead of a layer stack: the path of an <c>AdditionalFiles</c> item of the project
    /// (matched by its end, e.g. <c>"models/net.onnx"</c>). The generator reads the graph at compile time and writes the
    /// same code as for the equivalent attributes, with the model's parameters embedded (<c>FromOnnx()</c>,
    /// <c>LoadOnnxParameters()</c>). The class then declares no layer attributes; an <c>[Input]</c> may give the input
    /// shape when the model leaves it symbolic. The operators are those of the run-time import.
    /// </summary>
    public string? Onnx { get; set; }
}

/// <summary>
/// The input of the network: the first attribute of the stack. <c>[Input(n)]</c> declares a vector of
/// <c>n</c> values; <c>[Input(channels, height, width)]</c> declares an image, stored channel-major
/// (channel, then row, then column).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>A vector input of <paramref name="length"/> values (for MNIST, 784).</summary>
    /// <param name="length">Number of input values; must be positive.</param>
    public InputAttribute(int length)
    {
        Channels = 1;
        Height = 1;
        Width = length;
    }

    /// <summary>An image input of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> values.</summary>
    /// <param name="channels">Number of channels; must be positive.</param>
    /// <param name="height">Image height in pixels; must be positive.</param>
    /// <param name="width">Image width in pixels; must be positive.</param>
    public InputAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Number of channels (1 for a vector input).</summary>
    public int Channels { get; }

    /// <summary>Height (1 for a vector input).</summary>
    public int Height { get; }

    /// <summary>Width (the length for a vector input).</summary>
    public int Width { get; }
}
