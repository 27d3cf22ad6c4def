namespace Inference.Engines.Grammars;

/// <summary>
/// A UTF-8 decoder's state between bytes: the bits read of a character not yet complete, how many continuation bytes
/// it still needs, and its length. Overlong forms, surrogates and code points past U+10FFFF are refused as early as
/// their bytes show them, so a grammar never lets a token start a character that could not be decoded.
/// </summary>
internal readonly record struct Utf8Partial(int Value, int Remaining, int Length)
{
    public bool IsPending => Remaining > 0;

    /// <summary>Feeds one byte; false when it cannot come here. A completed character is in <paramref name="codePoint"/> (else -1).</summary>
    public static bool Step(Utf8Partial state, byte b, out Utf8Partial next, out int codePoint)
    {
        codePoint = -1;
        next = default;
        if (state.Remaining == 0)
        {
            switch (b)
            {
                case < 0x80:
                    codePoint = b;
                    return true;
                case >= 0xC2 and <= 0xDF:
                    next = new Utf8Partial(b & 0x1F, 1, 2);
                    return true;
                case >= 0xE0 and <= 0xEF:
                    next = new Utf8Partial(b & 0x0F, 2, 3);
                    return true;
                case >= 0xF0 and <= 0xF4:
                    next = new Utf8Partial(b & 0x07, 3, 4);
                    return true;
                default:
                    return false;
            }
        }

        if ((b & 0xC0) != 0x80)
        {
            return false;
        }

        var candidate = new Utf8Partial((state.Value << 6) | (b & 0x3F), state.Remaining - 1, state.Length);
        var (low, high) = candidate.Span();
        if (low > high)
        {
            return false;
        }

        if (candidate.Remaining == 0)
        {
            codePoint = candidate.Value;
            return true;
        }

        next = candidate;
        return true;
    }

    /// <summary>The code points this partial character may still become (empty when low &gt; high).</summary>
    public (int Low, int High) Span()
    {
        var shift = 6 * Remaining;
        var low = Math.Max(Value << shift, Length switch { 2 => 0x80, 3 => 0x800, 4 => 0x10000, _ => 0 });
        var high = Math.Min((Value << shift) | ((1 << shift) - 1), 0x10FFFF);
        if (Remaining == 0 && low is >= 0xD800 and <= 0xDFFF)
        {
            return (1, 0);
        }

        return (low, high);
    }
}
