namespace Inference.Engines.Grammars;

/// <summary>A JSON schema that cannot be enforced while decoding: names the keyword and where it is.</summary>
public sealed class UnsupportedSchemaException(string keyword, string path, string reason)
    : ArgumentException($"The JSON schema's '{keyword}' at {path} cannot be enforced: {reason}.")
{
    public string Keyword { get; } = keyword;

    /// <summary>A JSON pointer into the schema.</summary>
    public string Path { get; } = path;
}
