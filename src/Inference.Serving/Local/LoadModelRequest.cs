using System.Text.Json.Serialization;

namespace Inference.Serving.Local;

/// <summary><c>PUT /admin/models/{id}</c>: the folder or file to load (relative paths from the models directory).</summary>
public sealed record LoadModelRequest
{
    [JsonPropertyName("model_path")] public string? ModelPath { get; init; }

    /// <summary>chat, embedding or classification; detected from the files when left out.</summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    /// <summary>A chat template to use instead of the model's own.</summary>
    [JsonPropertyName("chat_template")] public string? ChatTemplate { get; init; }
}

/// <summary>A model loaded by <c>PUT /admin/models/{id}</c>: what it is and where it came from.</summary>
public sealed record LoadedModelInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("format")] string? Format,
    [property: JsonPropertyName("context_length")] int? ContextLength);
