using System.Globalization;
using System.Text;

namespace Inference.Engines.Templates.Jinja;

/// <summary>
/// The globals a chat template sees, as transformers gives them: <c>range</c>, <c>namespace</c>, <c>dict</c>,
/// <c>raise_exception</c> (which refuses the request with the template's own message) and <c>strftime_now</c> (the
/// local time, from <see cref="TimeProvider"/>).
/// </summary>
internal sealed class JinjaEnvironment
{
    public JinjaEnvironment(TimeProvider time)
    {
        Globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["range"] = new JinjaCallable("range", (args, _) => Range(args)),
            ["namespace"] = new JinjaCallable("namespace", (args, kwargs) =>
            {
                var ns = new JinjaNamespace();
                if (args.Count > 0 && args[0] is JinjaDict initial)
                {
                    foreach (var (key, value) in initial)
                    {
                        ns.Attributes[PythonText.Str(key)] = value;
                    }
                }

                foreach (var (key, value) in kwargs)
                {
                    ns.Attributes[key] = value;
                }

                return ns;
            }),
            ["dict"] = new JinjaCallable("dict", (args, kwargs) =>
            {
                var dict = new JinjaDict();
                if (args.Count > 0 && args[0] is JinjaDict initial)
                {
                    foreach (var (key, value) in initial)
                    {
                        dict[key] = value;
                    }
                }

                foreach (var (key, value) in kwargs)
                {
                    dict[key] = value;
                }

                return dict;
            }),
            ["raise_exception"] = new JinjaCallable("raise_exception", (args, _) =>
                throw new JinjaRaisedException(args.Count > 0 ? PythonText.Str(args[0]) : "the chat template refused the request")),
            ["strftime_now"] = new JinjaCallable("strftime_now", (args, _) =>
                Strftime(time.GetLocalNow(), args.Count > 0 ? PythonText.Str(args[0]) : "%Y-%m-%d")),
        };
    }

    public Dictionary<string, object?> Globals { get; }

    private static List<object?> Range(IReadOnlyList<object?> args)
    {
        long Int(int i) => args[i] is long l ? l : throw new JinjaException("range() takes integers");
        var (start, stop, step) = args.Count switch
        {
            1 => (0L, Int(0), 1L),
            2 => (Int(0), Int(1), 1L),
            3 => (Int(0), Int(1), Int(2)),
            _ => throw new JinjaException("range() takes 1 to 3 arguments"),
        };
        if (step == 0)
        {
            throw new JinjaException("range() step must not be zero");
        }

        var values = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            values.Add(i);
            if (values.Count > 100_000)
            {
                throw new JinjaException("range() is too large");
            }
        }

        return values;
    }

    /// <summary>Python's strftime for the directives templates use.</summary>
    internal static string Strftime(DateTimeOffset now, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var output = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                output.Append(format[i]);
                continue;
            }

            var directive = format[++i];
            output.Append(directive switch
            {
                'Y' => now.Year.ToString("0000", culture),
                'y' => (now.Year % 100).ToString("00", culture),
                'm' => now.Month.ToString("00", culture),
                'd' => now.Day.ToString("00", culture),
                '-' when i + 1 < format.Length && format[i + 1] == 'd' => now.Day.ToString(culture) + Skip(ref i),
                'e' => now.Day.ToString(culture).PadLeft(2),
                'B' => now.ToString("MMMM", culture),
                'b' or 'h' => now.ToString("MMM", culture),
                'A' => now.ToString("dddd", culture),
                'a' => now.ToString("ddd", culture),
                'H' => now.Hour.ToString("00", culture),
                'I' => ((now.Hour + 11) % 12 + 1).ToString("00", culture),
                'M' => now.Minute.ToString("00", culture),
                'S' => now.Second.ToString("00", culture),
                'p' => now.Hour < 12 ? "AM" : "PM",
                'j' => now.DayOfYear.ToString("000", culture),
                'Z' => "",
                'z' => now.ToString("zzz", culture).Replace(":", "", StringComparison.Ordinal),
                '%' => "%",
                _ => "%" + directive,
            });
        }

        return output.ToString();
    }

    private static string Skip(ref int i)
    {
        i++;
        return "";
    }
}
