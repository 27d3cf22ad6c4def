namespace Inference.Serving.Catalog;

/// <summary>Which output constraints a model's provider enforces, so that a request it cannot honour is refused, not ignored.</summary>
[Flags]
public enum OutputConstraints
{
    None = 0,

    /// <summary>response_format json_object and json_schema (Ollama's format).</summary>
    JsonSchema = 1,

    /// <summary>tools and tool_choice.</summary>
    Tools = 2,

    /// <summary>GBNF grammars.</summary>
    Grammar = 4,

    All = JsonSchema | Tools | Grammar,
}
