using System.Text.Json;

namespace Inference.Protocols.Platform;

/// <summary>Inference requests and responses in their wire form (snake_case), for services that store or queue them.</summary>
public static class InferJson
{
    /// <exception cref="JsonException">The text is not an inference request.</exception>
    public static InferRequest ParseRequest(string json) =>
        JsonSerializer.Deserialize(json, PlatformJsonContext.Default.InferRequest) ?? throw new JsonException("null is not an inference request.");

    public static string Serialize(InferRequest request) => JsonSerializer.Serialize(request, PlatformJsonContext.Default.InferRequest);

    public static string Serialize(InferResponse response) => JsonSerializer.Serialize(response, PlatformJsonContext.Default.InferResponse);
}
