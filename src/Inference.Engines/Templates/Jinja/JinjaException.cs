namespace Inference.Engines.Templates.Jinja;

/// <summary>A template that cannot be rendered: a syntax error (with its line), or an error while rendering.</summary>
public class JinjaException : Exception
{
    public JinjaException(string message, int line = 0)
        : base(line > 0 ? $"{message} (line {line})" : message)
    {
        Line = line;
    }

    public JinjaException()
    {
    }

    public JinjaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JinjaException(string message)
        : base(message)
    {
    }

    /// <summary>The template line the error is on; 0 when unknown.</summary>
    public int Line { get; }
}

/// <summary>
/// The template itself refused the request (<c>raise_exception('...')</c>): a system message where the model takes
/// none, roles out of order. The message is the template's own; the request is at fault, not the service.
/// </summary>
public sealed class JinjaRaisedException : JinjaException
{
    public JinjaRaisedException(string message)
        : base(message)
    {
    }

    public JinjaRaisedException()
    {
    }

    public JinjaRaisedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
