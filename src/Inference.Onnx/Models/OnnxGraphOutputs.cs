namespace Inference.Onnx.Models;

/// <summary>
/// The names of an ONNX graph's outputs, read from the protobuf without loading the model (nodes and weights are
/// skipped with seeks): what kind of model a graph is, where its configuration does not say.
/// </summary>
public static class OnnxGraphOutputs
{
    // onnx.proto: ModelProto.graph = 7, GraphProto.output = 12, ValueInfoProto.name = 1.
    private const int ModelGraph = 7;
    private const int GraphOutput = 12;
    private const int ValueInfoName = 1;

    public static IReadOnlyList<string> Read(string onnxPath)
    {
        using var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var reader = new ProtobufReader(stream);
        List<string> outputs = [];
        try
        {
            while (reader.Position < stream.Length)
            {
                var (field, wire) = reader.ReadTag();
                if (field != ModelGraph || wire != ProtobufReader.LengthDelimited)
                {
                    reader.Skip(wire);
                    continue;
                }

                var graphEnd = reader.ReadEnd();
                while (reader.Position < graphEnd)
                {
                    var (graphField, graphWire) = reader.ReadTag();
                    if (graphField == GraphOutput && graphWire == ProtobufReader.LengthDelimited)
                    {
                        outputs.Add(ReadName(reader, reader.ReadEnd()));
                    }
                    else
                    {
                        reader.Skip(graphWire);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            throw new ModelFolderException(Path.GetDirectoryName(onnxPath) ?? onnxPath, $"{Path.GetFileName(onnxPath)} is not a readable ONNX file ({ex.Message})", ex);
        }

        return outputs;
    }

    private static string ReadName(ProtobufReader reader, long end)
    {
        var name = "";
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == ValueInfoName && wire == ProtobufReader.LengthDelimited)
            {
                name = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return name;
    }
}
