namespace Inference.Onnx.Models;

/// <summary>
/// Counts the weights of an ONNX file by reading the protobuf of its graph's initializers (shapes and types only:
/// tensor data, inline or external, is skipped with a seek, so a 600 MB file is read in milliseconds). ONNX Runtime
/// does not expose initializers, and a count from config.json would only be an estimate.
/// </summary>
public static class OnnxWeightsInspector
{
    // onnx.proto field numbers: ModelProto.graph, GraphProto.node / initializer, NodeProto.input / op_type /
    // attribute, AttributeProto.name / i, TensorProto.dims / data_type / name.
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeInput = 1;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeInt = 3;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;

    public static OnnxWeights Inspect(string onnxPath)
    {
        using var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var reader = new ProtobufReader(stream);
        var initializers = new Dictionary<string, (long Elements, int DataType)>(StringComparer.Ordinal);
        var packedBits = new Dictionary<string, int>(StringComparer.Ordinal);
        var auxiliary = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (reader.Position < stream.Length)
            {
                var (field, wire) = reader.ReadTag();
                if (field == ModelGraph && wire == ProtobufReader.LengthDelimited)
                {
                    ReadGraph(reader, reader.ReadEnd(), initializers, packedBits, auxiliary);
                }
                else
                {
                    reader.Skip(wire);
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            throw new ModelFolderException(Path.GetDirectoryName(onnxPath) ?? onnxPath, $"{Path.GetFileName(onnxPath)} is not a readable ONNX file ({ex.Message})", ex);
        }

        long parameters = 0;
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, (elements, dataType)) in initializers)
        {
            if (auxiliary.Contains(name))
            {
                continue;
            }

            var (count, label) = packedBits.TryGetValue(name, out var bits)
                ? (elements * 8 / bits, $"Q{bits}")
                : (elements, Label(dataType));
            if (label is null)
            {
                continue; // shapes, indices and other integer constants are not weights
            }

            parameters += count;
            byType[label] = byType.GetValueOrDefault(label) + count;
        }

        var dominant = byType.Count == 0 ? "F32" : byType.MaxBy(p => p.Value).Key;
        return new OnnxWeights(parameters, dominant);
    }

    private static string? Label(int dataType) => dataType switch
    {
        1 => "F32",
        10 => "F16",
        16 => "BF16",
        2 or 3 => "Q8",
        21 or 22 => "Q4",
        _ => null,
    };

    private static void ReadGraph(ProtobufReader reader, long end, Dictionary<string, (long, int)> initializers, Dictionary<string, int> packedBits, HashSet<string> auxiliary)
    {
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == GraphInitializer && wire == ProtobufReader.LengthDelimited)
            {
                var (name, elements, dataType) = ReadTensor(reader, reader.ReadEnd());
                initializers[name] = (elements, dataType);
            }
            else if (field == GraphNode && wire == ProtobufReader.LengthDelimited)
            {
                ReadNode(reader, reader.ReadEnd(), packedBits, auxiliary);
            }
            else
            {
                reader.Skip(wire);
            }
        }
    }

    private static (string Name, long Elements, int DataType) ReadTensor(ProtobufReader reader, long end)
    {
        string name = "";
        long elements = 1;
        var dataType = 0;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (TensorDims, ProtobufReader.Varint):
                    elements *= (long)reader.ReadVarint();
                    break;
                case (TensorDims, ProtobufReader.LengthDelimited):
                    var dimsEnd = reader.ReadEnd();
                    while (reader.Position < dimsEnd)
                    {
                        elements *= (long)reader.ReadVarint();
                    }

                    break;
                case (TensorDataType, ProtobufReader.Varint):
                    dataType = (int)reader.ReadVarint();
                    break;
                case (TensorName, ProtobufReader.LengthDelimited):
                    name = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return (name, elements, dataType);
    }

    /// <summary>
    /// MatMulNBits (ONNX Runtime's block quantization) stores its weight input packed, <c>bits</c> per value, with
    /// scales and zero points beside it: the weight counts as its unpacked size, the rest as quantization metadata.
    /// </summary>
    private static void ReadNode(ProtobufReader reader, long end, Dictionary<string, int> packedBits, HashSet<string> auxiliary)
    {
        List<string> inputs = [];
        var opType = "";
        var bits = 4;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (NodeInput, ProtobufReader.LengthDelimited):
                    inputs.Add(reader.ReadString());
                    break;
                case (NodeOpType, ProtobufReader.LengthDelimited):
                    opType = reader.ReadString();
                    break;
                case (NodeAttribute, ProtobufReader.LengthDelimited):
                    if (ReadIntAttribute(reader, reader.ReadEnd()) is ("bits", var value))
                    {
                        bits = (int)value;
                    }

                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (opType == "MatMulNBits" && inputs.Count > 1 && bits is > 0 and <= 8)
        {
            packedBits[inputs[1]] = bits;
            auxiliary.UnionWith(inputs.Skip(2));
        }
    }

    private static (string Name, long Value) ReadIntAttribute(ProtobufReader reader, long end)
    {
        var name = "";
        long value = 0;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (AttributeName, ProtobufReader.LengthDelimited):
                    name = reader.ReadString();
                    break;
                case (AttributeInt, ProtobufReader.Varint):
                    value = (long)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return (name, value);
    }
}
