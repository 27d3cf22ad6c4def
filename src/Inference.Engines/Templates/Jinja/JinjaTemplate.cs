namespace Inference.Engines.Templates.Jinja;

/// <summary>
/// A Jinja template parsed once (a model's chat template, at load) and rendered per request, with the semantics of
/// transformers' <c>apply_chat_template</c>: Jinja2 with <c>trim_blocks</c> and <c>lstrip_blocks</c>, the loop controls,
/// Python's values and methods, and transformers' globals and <c>tojson</c>.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly List<Node> _nodes;

    private JinjaTemplate(string source, List<Node> nodes)
    {
        Source = source;
        _nodes = nodes;
    }

    public string Source { get; }

    /// <summary>Parses <paramref name="source"/>; a syntax error is a <see cref="JinjaException"/> with its line.</summary>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>
    /// Renders with <paramref name="variables"/> (values as <see cref="JinjaValue.From(object?)"/> makes them). A
    /// <c>raise_exception</c> of the template is a <see cref="JinjaRaisedException"/>; any other failure a
    /// <see cref="JinjaException"/>.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var converted = variables.ToDictionary(v => v.Key, v => JinjaValue.From(v.Value), StringComparer.Ordinal);
        return new JinjaRenderer(new JinjaEnvironment(time ?? TimeProvider.System), converted).Render(_nodes);
    }
}
