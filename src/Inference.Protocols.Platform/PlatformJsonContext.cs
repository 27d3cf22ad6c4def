using System.Text.Json.Serialization;

namespace Inference.Protocols.Platform;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(GenerateRequest))]
[JsonSerializable(typeof(GenerateResponse))]
[JsonSerializable(typeof(StructuredGenerateRequest))]
[JsonSerializable(typeof(StructuredGenerateResponse))]
[JsonSerializable(typeof(InferRequest))]
[JsonSerializable(typeof(InferBatchRequest))]
[JsonSerializable(typeof(InferResponse))]
[JsonSerializable(typeof(InferBatchResponse))]
[JsonSerializable(typeof(InferClassification))]
[JsonSerializable(typeof(TextInferenceResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(string))]
internal sealed partial class PlatformJsonContext : JsonSerializerContext;
