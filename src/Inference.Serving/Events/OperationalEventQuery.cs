using System.Text.Json.Serialization;

namespace Inference.Serving.Events;

/// <summary>A page of <c>GET /api/operational-events</c>: the filters, then <paramref name="Offset"/> and <paramref name="Limit"/> of the matches, newest first.</summary>
public sealed record OperationalEventQuery(string? Level, string? Code, string? Model, DateTimeOffset? Since, int Offset, int Limit)
{
    /// <summary>The events a page holds when it does not say.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The events a page may hold at most.</summary>
    public const int MaxLimit = 500;

    public bool Matches(OperationalEvent e) =>
        (Level is null || e.Level == Level) && (Code is null || e.Code == Code) && (Model is null || e.Model == Model) && (Since is null || e.Timestamp >= Since);

    /// <summary>This query's page of events held in memory (newest first), answered from <paramref name="source"/>.</summary>
    public OperationalEventPage PageOf(IEnumerable<OperationalEvent> events, string source)
    {
        var matches = events.Where(Matches).ToList();
        return new OperationalEventPage([.. matches.Skip(Offset).Take(Limit)], matches.Count, Offset, Limit, source);
    }
}

/// <summary>The events of a page, newest first, and how many match in all.</summary>
public sealed record OperationalEventPage(
    [property: JsonPropertyName("events")] IReadOnlyList<OperationalEvent> Events,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("offset")] int Offset,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("source")] string Source);
