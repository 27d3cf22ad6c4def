namespace Inference.Engines.Grammars;

/// <summary>A grammar that does not parse, or that no decoder could run (an undefined rule, left recursion), with where.</summary>
public sealed class GrammarSyntaxException(string message, int line, int column)
    : ArgumentException($"{message} (line {line}, column {column})")
{
    /// <summary>One-based line of the error.</summary>
    public int Line { get; } = line;

    /// <summary>One-based column of the error.</summary>
    public int Column { get; } = column;

    /// <summary>The error without its position.</summary>
    public string Reason { get; } = message;
}
