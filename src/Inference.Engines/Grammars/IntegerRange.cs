using System.Globalization;

namespace Inference.Engines.Grammars;

/// <summary>
/// GBNF for the decimal integers (no leading zeros) in an inclusive range, either end open, built digit by digit; and
/// for numbers between whole-number bounds (integer part in range, fraction where the bound allows it).
/// </summary>
internal static class IntegerRange
{
    /// <summary>More digits than this are never written for an open upper end.</summary>
    private const int MaxDigits = 16;

    public static string Gbnf(long? min, long? max)
    {
        var parts = new List<string>();
        if (min is null || min < 0)
        {
            // Negatives in [min, min(max, -1)]: a minus sign and a magnitude in [max(-max, 1), -min].
            var upper = max is long m ? Math.Min(m, -1) : -1;
            if (min is null || min <= upper)
            {
                parts.Add("\"-\" " + NonNegative(-upper, min is long lo ? -lo : null));
            }
        }

        var low = Math.Max(min ?? 0, 0);
        if (max is null || max >= low)
        {
            parts.Add(NonNegative(low, max));
        }

        return Alternatives(parts);
    }

    /// <summary>Numbers in [min, max] for whole-number bounds; no exponent (the bounds would not hold through one).</summary>
    public static string NumberGbnf(long? min, long? max)
    {
        const string fraction = "(\".\" [0-9]{1,16})?";
        const string zeros = "(\".\" \"0\"{1,16})?";
        var parts = new List<string>();
        if (max is null || max >= 0)
        {
            var low = Math.Max(min ?? 0, 0);
            if (max is null)
            {
                parts.Add($"{NonNegative(low, null)} {fraction}");
            }
            else if (low <= max)
            {
                if (low <= max - 1)
                {
                    parts.Add($"{NonNegative(low, max - 1)} {fraction}");
                }

                parts.Add($"\"{Invariant(max.Value)}\" {zeros}");
            }
        }

        if (min is null || min < 0)
        {
            // x = -m with m in [-u, -min], u = min(max, 0): the integer part of m in [-u, -min - 1] with any fraction, or -min exactly.
            var u = max is long m ? Math.Min(m, 0) : 0;
            if (min is null)
            {
                parts.Add($"\"-\" {NonNegative(-u, null)} {fraction}");
            }
            else if (min <= u)
            {
                if (-u <= -min - 1)
                {
                    parts.Add($"\"-\" {NonNegative(-u, -min.Value - 1)} {fraction}");
                }

                parts.Add($"\"-{Invariant(-min.Value)}\" {zeros}");
            }
        }

        return Alternatives(parts);
    }

    /// <summary>Integers in [low, high] (high null: no upper end), low ≥ 0.</summary>
    private static string NonNegative(long low, long? high)
    {
        var lowText = Invariant(low);
        var parts = new List<string>();
        if (high is null)
        {
            parts.Add(Fixed(lowText, new string('9', lowText.Length)));
            if (lowText.Length < MaxDigits)
            {
                parts.Add($"[1-9] [0-9]{{{lowText.Length},{MaxDigits - 1}}}");
            }

            return Alternatives(parts);
        }

        var highText = Invariant(high.Value);
        for (var length = lowText.Length; length <= highText.Length; length++)
        {
            var a = length == lowText.Length ? lowText : "1" + new string('0', length - 1);
            var b = length == highText.Length ? highText : new string('9', length);
            parts.Add(Fixed(a, b));
        }

        return Alternatives(parts);
    }

    /// <summary>Digit strings of one length between <paramref name="a"/> and <paramref name="b"/> inclusive.</summary>
    private static string Fixed(string a, string b)
    {
        if (a.Length == 0)
        {
            return "";
        }

        if (a == b)
        {
            return $"\"{a}\"";
        }

        var rest = a.Length - 1;
        if (a[0] == b[0])
        {
            return Join($"\"{a[0]}\"", Fixed(a[1..], b[1..]));
        }

        var any = rest == 0 ? "" : $"[0-9]{{{rest}}}";
        if (a[1..].All(c => c == '0') && b[1..].All(c => c == '9'))
        {
            return Join($"[{a[0]}-{b[0]}]", any);
        }

        var parts = new List<string> { Join($"\"{a[0]}\"", Fixed(a[1..], new string('9', rest))) };
        if (a[0] + 1 <= b[0] - 1)
        {
            parts.Add(Join($"[{(char)(a[0] + 1)}-{(char)(b[0] - 1)}]", any));
        }

        parts.Add(Join($"\"{b[0]}\"", Fixed(new string('0', rest), b[1..])));
        return Alternatives(parts);
    }

    private static string Join(string first, string second) => second.Length == 0 ? first : $"{first} {second}";

    private static string Alternatives(List<string> parts) => parts.Count == 1 ? parts[0] : "(" + string.Join(" | ", parts) + ")";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
