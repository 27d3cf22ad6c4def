namespace Inference.Storage.Data;

/// <summary>One operational event of a service (time, level, code, message), kept for <c>/api/operational-events</c>.</summary>
public sealed class OperationalEventRecord : Durability.IDurableRow
{
    /// <summary>Time-ordered (version 7), made where the event happened: a row written twice is written once.</summary>
    public Guid Id { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    /// <summary>info, warning or error.</summary>
    public required string Level { get; set; }

    public required string Code { get; set; }

    public required string Message { get; set; }

    /// <summary>The service it happened to.</summary>
    public required string Service { get; set; }

    public string? Model { get; set; }

    public double? DurationMs { get; set; }
}
