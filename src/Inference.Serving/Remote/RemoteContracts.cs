using System.Text.Json.Serialization;
using Inference.Serving.Catalog;

namespace Inference.Serving.Remote;

// What the gateway reads from our Worker and Embeddings services: their model list (with the capabilities each
// service reports) and their classification answers (with the labels, logits and tokens they add), and their errors.

/// <summary>A service's <c>GET /v1/models</c>, as far as the gateway reads it.</summary>
internal sealed record RemoteModelList(IReadOnlyList<RemoteModelInfo> Data);

internal sealed record RemoteModelInfo(string Id, ModelCapabilities? Capabilities = null);

/// <summary>A <c>POST /v1/classify</c> body.</summary>
internal sealed record RemoteClassifyRequest(string Model, IReadOnlyList<string> Input);

/// <summary>A classification service's answer, with the labels, and each input's logits and tokens.</summary>
internal sealed record RemoteClassifyResponse(string Model, long Created, IReadOnlyList<RemoteClassification> Data, RemoteClassifyUsage Usage, IReadOnlyList<string>? Labels = null);

internal sealed record RemoteClassification(int Index, IReadOnlyList<float>? Logits = null, int? Tokens = null);

internal sealed record RemoteClassifyUsage(int PromptTokens, int TotalTokens);

/// <summary>An OpenAI-style error body.</summary>
internal sealed record RemoteErrorResponse(RemoteError Error);

internal sealed record RemoteError(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RemoteModelList))]
[JsonSerializable(typeof(RemoteClassifyRequest))]
[JsonSerializable(typeof(RemoteClassifyResponse))]
[JsonSerializable(typeof(RemoteErrorResponse))]
internal sealed partial class RemoteJsonContext : JsonSerializerContext;
