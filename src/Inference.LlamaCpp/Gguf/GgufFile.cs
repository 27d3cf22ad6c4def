using System.Text;

namespace Inference.LlamaCpp.Gguf;

/// <summary>
/// The header of a GGUF file (versions 2 and 3): metadata and tensor entries, read without touching the weights, and
/// checked against the file's length, so a corrupt or truncated file is refused with the cause before llama.cpp
/// maps it. Arrays longer than <see cref="KeptArrayLength"/> (vocabularies, merges) are counted, not kept.
/// </summary>
public sealed class GgufFile
{
    public const int KeptArrayLength = 64;
    private const uint Magic = 0x46554747; // "GGUF"

    private GgufFile(string path, uint version, long length, Dictionary<string, object> metadata, List<GgufTensor> tensors, long dataOffset)
    {
        Path = path;
        Version = version;
        Length = length;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
    }

    public string Path { get; }

    public uint Version { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Length { get; }

    /// <summary>Every key with its value: numbers, bools, strings, arrays (kept as object[] when short, else <see cref="GgufArray"/>).</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }

    public IReadOnlyList<GgufTensor> Tensors { get; }

    /// <summary>Where the tensor data section starts.</summary>
    public long DataOffset { get; }

    public string? Architecture => String("general.architecture");

    public string? Name => String("general.name");

    /// <summary><c>general.type</c>: "model", or "mmproj" / "adapter" for files that are not a model on their own.</summary>
    public string? Type => String("general.type");

    public long ParameterCount => Tensors.Sum(t => t.Elements);

    public int? ContextLength => Architecture is { } a ? Int($"{a}.context_length") : null;

    public int? EmbeddingLength => Architecture is { } a ? Int($"{a}.embedding_length") : null;

    public string? ChatTemplate => String("tokenizer.chat_template");

    /// <summary>
    /// The quantization in llama.cpp's words (Q4_K_M, Q8_0, F32...): <c>general.file_type</c>, else the type most
    /// weights are stored in.
    /// </summary>
    public string Quantization =>
        (Metadata.TryGetValue("general.file_type", out var type) && Convert.ToInt64(type, System.Globalization.CultureInfo.InvariantCulture) is var t
            ? GgufFileTypes.Name(t) : null)
        ?? GgmlTypes.Name(Tensors.Where(x => x.Shape.Count >= 2).GroupBy(x => x.Type).MaxBy(g => g.Sum(x => x.Elements))?.Key ?? 0);

    public string? String(string key) => Metadata.GetValueOrDefault(key) as string;

    public int? Int(string key) => Metadata.GetValueOrDefault(key) switch
    {
        uint u => (int)Math.Min(u, int.MaxValue),
        int i => i,
        ulong ul => (int)Math.Min(ul, int.MaxValue),
        long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
        ushort us => us,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        _ => null,
    };

    /// <summary>Reads and checks the header; a file that is not a whole GGUF throws <see cref="ModelFolderException"/> saying why.</summary>
    public static GgufFile Read(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFolderException(path, $"cannot be read ({ex.Message})", ex);
        }

        using (stream)
        {
            var reader = new Reader(stream, path);
            try
            {
                return Parse(reader, path, stream.Length);
            }
            catch (EndOfStreamException ex)
            {
                throw new ModelFolderException(path, $"truncated: the file ends at byte {stream.Length:N0}, inside its GGUF header", ex);
            }
        }
    }

    private static GgufFile Parse(Reader reader, string path, long length)
    {
        if (length < 4 || reader.UInt32() != Magic)
        {
            throw new ModelFolderException(path, "not a GGUF file (it does not start with the GGUF magic)");
        }

        var version = reader.UInt32();
        if (version is not (2 or 3))
        {
            throw new ModelFolderException(path, $"GGUF version {version} is not supported (llama.cpp reads versions 2 and 3)");
        }

        var tensorCount = reader.Count("tensor count");
        var keyCount = reader.Count("metadata key count");
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (long i = 0; i < keyCount; i++)
        {
            var key = reader.String();
            metadata[key] = reader.Value(reader.UInt32(), key);
        }

        var tensors = new List<GgufTensor>((int)tensorCount);
        for (long i = 0; i < tensorCount; i++)
        {
            var name = reader.String();
            var dims = reader.UInt32();
            if (dims is 0 or > 4)
            {
                throw new ModelFolderException(path, $"corrupt: tensor '{name}' has {dims} dimensions");
            }

            var shape = new long[dims];
            for (var d = 0; d < dims; d++)
            {
                shape[d] = (long)reader.UInt64();
            }

            tensors.Add(new GgufTensor(name, shape, (int)reader.UInt32(), (long)reader.UInt64()));
        }

        if (tensors.Count == 0)
        {
            throw new ModelFolderException(path, "holds no tensors");
        }

        var alignment = metadata.GetValueOrDefault("general.alignment") is uint a and > 0 ? a : 32u;
        var dataOffset = (reader.Position + alignment - 1) / alignment * alignment;
        var needed = dataOffset + tensors.Max(t => t.Offset + (t.Bytes ?? 0));
        if (needed > length)
        {
            throw new ModelFolderException(path, $"truncated: its tensors need {needed:N0} bytes but the file has {length:N0}");
        }

        return new GgufFile(path, version, length, metadata, tensors, dataOffset);
    }

    /// <summary>Little-endian reads over a buffered stream, with GGUF's length-prefixed strings and typed values.</summary>
    private sealed class Reader(FileStream stream, string path)
    {
        private readonly BinaryReader _binary = new(stream, Encoding.UTF8, leaveOpen: true);
        private const ulong MaxEntries = 1UL << 32;
        private readonly long _length = stream.Length;

        public long Position => stream.Position;

        public uint UInt32() => _binary.ReadUInt32();

        public ulong UInt64() => _binary.ReadUInt64();

        /// <summary>A count of entries; one no GGUF could have is corruption, one beyond the file's end truncation.</summary>
        public long Count(string what)
        {
            var count = UInt64();
            if (count > MaxEntries)
            {
                throw new ModelFolderException(path, $"corrupt: its {what} is {count}");
            }

            // Every entry takes at least a byte.
            return count <= (ulong)(_length - stream.Position) ? (long)count : throw new EndOfStreamException();
        }

        public string String()
        {
            var length = Length();
            return Encoding.UTF8.GetString(_binary.ReadBytes(length) is { } bytes && bytes.Length == length ? bytes : throw new EndOfStreamException());
        }

        public object Value(uint type, string key) => type switch
        {
            0 => _binary.ReadByte(),
            1 => _binary.ReadSByte(),
            2 => _binary.ReadUInt16(),
            3 => _binary.ReadInt16(),
            4 => _binary.ReadUInt32(),
            5 => _binary.ReadInt32(),
            6 => _binary.ReadSingle(),
            7 => _binary.ReadByte() != 0,
            8 => String(),
            9 => Array(key),
            10 => _binary.ReadUInt64(),
            11 => _binary.ReadInt64(),
            12 => _binary.ReadDouble(),
            _ => throw new ModelFolderException(path, $"corrupt: metadata key '{key}' has the unknown value type {type}"),
        };

        private object Array(string key)
        {
            var type = UInt32();
            var count = Count($"length of array '{key}'");
            if (count <= KeptArrayLength)
            {
                var values = new object[count];
                for (var i = 0; i < count; i++)
                {
                    values[i] = Value(type, key);
                }

                return values;
            }

            for (long i = 0; i < count; i++)
            {
                Skip(type, key);
            }

            return new GgufArray(type, count);
        }

        private void Skip(uint type, string key)
        {
            var size = type switch
            {
                0 or 1 or 7 => 1,
                2 or 3 => 2,
                4 or 5 or 6 => 4,
                10 or 11 or 12 => 8,
                8 => Length(),
                9 => throw new ModelFolderException(path, $"corrupt: array '{key}' holds arrays"),
                _ => throw new ModelFolderException(path, $"corrupt: array '{key}' has the unknown element type {type}"),
            };
            if (stream.Position + size > _length)
            {
                throw new EndOfStreamException();
            }

            stream.Seek(size, SeekOrigin.Current);
        }

        private int Length()
        {
            var length = UInt64();
            return length <= (ulong)(_length - stream.Position) ? (int)length : throw new EndOfStreamException();
        }
    }
}
