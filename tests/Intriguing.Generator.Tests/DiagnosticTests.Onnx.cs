namespace Intriguing.Generator.Tests;

// The ONNX diagnostics: their cases live with the other ONNX tests (OnnxCompileTests), which make the model files.
public partial class DiagnosticTests
{
    [Fact]
    public void INT026_onnx_model_not_among_additional_files()
    {
        using var onnx = new OnnxCompileTests();
        onnx.A_model_missing_from_AdditionalFiles_is_INT026_naming_the_path();
        onnx.Two_items_ending_with_the_path_are_INT026();
    }

    [Fact]
    public void INT027_onnx_model_cannot_be_compiled()
    {
        using var onnx = new OnnxCompileTests();
        onnx.An_unsupported_operator_is_INT027_naming_the_node_and_operator();
    }

    [Fact]
    public void INT028_layer_attributes_beside_an_onnx_model()
    {
        using var onnx = new OnnxCompileTests();
        onnx.Layer_attributes_beside_a_model_are_INT028();
    }
}
