using System.Text.Json;

namespace Inference.Protocols.OpenAI.Contracts;

public sealed record EmbeddingRequest
{
    public string? Model { get; init; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Input { get; init; }

    public string? EncodingFormat { get; init; }

    public int? Dimensions { get; init; }

    public string? User { get; init; }

    /// <summary>Not in OpenAI's API: false keeps the request on its model even when it fails.</summary>
    public bool? UseFallbacks { get; init; }
}
