using System.Text.Json.Serialization;

namespace Inference.Serving.Events;

/// <summary>
/// Something that happened to a service : it started, loaded a model, became ready, lost its
/// cache or its database and got it back, changed health. Kept in the metadata database where the service has one.
/// </summary>
/// <param name="Level">info, warning or error (<see cref="OperationalEventLevels"/>).</param>
/// <param name="Code">What happened (<see cref="OperationalEventCodes"/>): <c>model.loaded</c>, <c>cache.unavailable</c>...</param>
/// <param name="Service">The service it happened to (its application name).</param>
/// <param name="Model">The model it concerns, when it concerns one.</param>
/// <param name="DurationMs">How long it took, when it took time (a model's load).</param>
public sealed record OperationalEvent(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("model")] string? Model = null,
    [property: JsonPropertyName("duration_ms")] double? DurationMs = null);
