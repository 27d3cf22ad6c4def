using System.Text.Json.Serialization;

namespace Inference.Engines.Templates;

/// <summary>The text put around one message of a role.</summary>
public sealed record RoleFormat(
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("suffix")] string Suffix);
