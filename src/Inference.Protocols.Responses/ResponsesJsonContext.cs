using System.Text.Json.Serialization;

namespace Inference.Protocols.Responses;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ResponseRequest))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseEvent))]
[JsonSerializable(typeof(ResponseDeleted))]
[JsonSerializable(typeof(ResponseItemList))]
[JsonSerializable(typeof(List<ResponseItem>))]
public sealed partial class ResponsesJsonContext : JsonSerializerContext;
