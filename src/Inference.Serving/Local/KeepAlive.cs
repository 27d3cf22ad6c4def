using System.Globalization;
using System.Text.Json;

namespace Inference.Serving.Local;

/// <summary>
/// Ollama's <c>keep_alive</c>: a duration string ("10m", "24h", "30s", "1h30m", "500ms"), a number of seconds, 0
/// (unload right after the request) or a negative value (keep loaded until unloaded by hand). Null means forever.
/// </summary>
public static class KeepAlive
{
    /// <summary>Keeps the model loaded until it is unloaded by hand.</summary>
    public static readonly TimeSpan Forever = TimeSpan.FromTicks(-1);

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = Forever;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = seconds < 0 ? Forever : TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (text.StartsWith('-'))
        {
            var valid = TryParse(text[1..], out _);
            value = Forever;
            return valid;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(text[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            total += text[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                _ => TimeSpan.MinValue,
            };
            if (total < TimeSpan.Zero)
            {
                return false;
            }
        }

        value = total;
        return true;
    }

    /// <summary>A request's keep_alive as Ollama sends it: a string, a number, or absent.</summary>
    public static bool TryRead(JsonElement? element, out TimeSpan? value)
    {
        value = null;
        switch (element?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                return true;
            case JsonValueKind.Number when element.Value.TryGetDouble(out var seconds):
                value = seconds < 0 ? Forever : TimeSpan.FromSeconds(seconds);
                return true;
            case JsonValueKind.String when TryParse(element.Value.GetString(), out var parsed):
                value = parsed;
                return true;
            default:
                return false;
        }
    }
}
