using System.Text;

namespace Inference.Onnx.Models;

/// <summary>The few protobuf wire-format reads <see cref="OnnxWeightsInspector"/> needs, over a seekable stream.</summary>
internal sealed class ProtobufReader(Stream stream)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    public long Position => stream.Position;

    public (int Field, int Wire) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new EndOfStreamException("the file ends inside a field");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint is longer than 64 bits");
    }

    /// <summary>Reads a length prefix and returns where that field ends.</summary>
    public long ReadEnd()
    {
        var length = (long)ReadVarint();
        var end = stream.Position + length;
        if (length < 0 || end > stream.Length)
        {
            throw new InvalidDataException("a field runs past the end of the file");
        }

        return end;
    }

    public string ReadString()
    {
        var end = ReadEnd();
        var bytes = new byte[end - stream.Position];
        stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                stream.Seek(8, SeekOrigin.Current);
                break;
            case LengthDelimited:
                stream.Seek(ReadEnd(), SeekOrigin.Begin);
                break;
            case Fixed32:
                stream.Seek(4, SeekOrigin.Current);
                break;
            default:
                throw new InvalidDataException($"unknown protobuf wire type {wire}");
        }
    }
}
