using System.Text;
using Inference.Onnx.Models;

namespace Inference.Onnx.Tests;

public sealed class OnnxWeightsTests
{
    [Fact]
    public void Counts_the_wordnet_models_parameters_as_its_provenance_states()
    {
        var weights = OnnxWeightsInspector.Inspect(Path.Combine(TestModels.Folder(TestModels.WordnetChat), "onnx", "model.onnx"));

        // PROVENANCE.md: 984,192 parameters, float32.
        Assert.Equal(984_192, weights.ParameterCount);
        Assert.Equal("F32", weights.Quantization);
    }

    [Fact]
    public void Counts_4_bit_packed_MatMulNBits_weights_unpacked_and_leaves_out_their_scales()
    {
        // A graph with a float32 bias of 10, and a MatMulNBits whose packed B (uint8, 8 x 2 x 8 = 128 bytes) stands
        // for 256 4-bit weights, with 16 float scales that are quantization metadata, not parameters.
        var graph = Concat(
            Message(1, Concat(String(1, "x"), String(1, "B"), String(1, "scales"), String(4, "MatMulNBits"),
                Message(5, Concat(String(1, "bits"), Varint(3, 4))))),
            Message(5, Tensor("bias", 1, 10)),
            Message(5, Tensor("B", 2, 8, 2, 8)),
            Message(5, Tensor("scales", 1, 16)),
            Message(5, Tensor("shape", 7, 4)));
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Concat(Varint(1, 8), Message(7, graph)));

            var weights = OnnxWeightsInspector.Inspect(path);

            Assert.Equal(266, weights.ParameterCount);
            Assert.Equal("Q4", weights.Quantization);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_that_is_not_ONNX_is_a_model_folder_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x3A, 0xFF, 0xFF, 0xFF, 0x0F]);
            Assert.Throws<ModelFolderException>(() => OnnxWeightsInspector.Inspect(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Tensor(string name, int dataType, params long[] dims) =>
        Concat([.. dims.Select(d => Varint(1, (ulong)d)), Varint(2, (ulong)dataType), String(8, name), Message(9, new byte[64])]);

    private static byte[] Varint(int field, ulong value) => Concat(Raw((ulong)(field << 3)), Raw(value));

    private static byte[] String(int field, string text) => Message(field, Encoding.UTF8.GetBytes(text));

    private static byte[] Message(int field, byte[] body) => Concat(Raw((ulong)((field << 3) | 2)), Raw((ulong)body.Length), body);

    private static byte[] Raw(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
