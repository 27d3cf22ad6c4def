namespace Inference.Engines.Text;

/// <summary>Text that may still become a marker (a stop sequence, a closing tag) once more of it streams in.</summary>
public static class PartialMatch
{
    /// <summary>The length of the longest end of <paramref name="text"/> that begins <paramref name="marker"/> (shorter than the marker itself).</summary>
    public static int Suffix(ReadOnlySpan<char> text, string marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        for (var length = Math.Min(marker.Length - 1, text.Length); length > 0; length--)
        {
            if (text[^length..].SequenceEqual(marker.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
