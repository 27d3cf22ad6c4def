namespace Inference.Onnx.Tokenization;

/// <summary>GPT-2's byte-to-unicode table: byte-level BPE vocabularies spell every byte as one printable char.</summary>
internal static class ByteLevelAlphabet
{
    private static readonly Dictionary<char, byte> CharToByte = Build();

    public static byte[] ToBytes(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i]))
            {
                // Not a byte-level spelling (e.g. an added token): fall back to its UTF-8 text.
                return System.Text.Encoding.UTF8.GetBytes(token);
            }
        }

        return bytes;
    }

    private static Dictionary<char, byte> Build()
    {
        var map = new Dictionary<char, byte>(256);
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[printable ? (char)b : (char)next++] = (byte)b;
        }

        return map;
    }
}
