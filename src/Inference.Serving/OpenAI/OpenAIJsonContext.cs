using System.Text.Json.Serialization;
using Inference.Serving.Generate;
using Inference.Serving.OpenAI.Contracts;

namespace Inference.Serving.OpenAI;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(TextCompletion))]
[JsonSerializable(typeof(InputCompletion))]
[JsonSerializable(typeof(EmbeddingList))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(OpenAIErrorResponse))]
[JsonSerializable(typeof(GenerateRequest))]
[JsonSerializable(typeof(Infer.InferRequest))]
[JsonSerializable(typeof(Infer.InferBatchRequest))]
[JsonSerializable(typeof(Infer.InferResponse))]
[JsonSerializable(typeof(Infer.InferBatchResponse))]
[JsonSerializable(typeof(Infer.InferClassification))]
[JsonSerializable(typeof(Infer.TextInferenceResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(StructuredGenerateRequest))]
[JsonSerializable(typeof(GenerateResponse))]
[JsonSerializable(typeof(StructuredGenerateResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(string))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
