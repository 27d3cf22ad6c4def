using System.Text.Json;
using System.Text.Json.Serialization;

namespace Inference.Jobs.Batches;

/// <summary>OpenAI's file object.</summary>
public sealed record FileObject(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("filename")] string FileName,
    [property: JsonPropertyName("purpose")] string Purpose)
{
    [JsonPropertyName("object")]
    public string Object => "file";

    [JsonPropertyName("status")]
    public string Status => "processed";
}

public sealed record FileList([property: JsonPropertyName("data")] IReadOnlyList<FileObject> Data)
{
    [JsonPropertyName("object")]
    public string Object => "list";
}

public sealed record FileDeleted([property: JsonPropertyName("id")] string Id)
{
    [JsonPropertyName("object")]
    public string Object => "file";

    [JsonPropertyName("deleted")]
    public bool Deleted => true;
}

/// <summary>OpenAI's batch object.</summary>
public sealed record BatchObject(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("input_file_id")] string InputFileId,
    [property: JsonPropertyName("completion_window")] string CompletionWindow,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("output_file_id")] string? OutputFileId,
    [property: JsonPropertyName("error_file_id")] string? ErrorFileId,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("in_progress_at")] long? InProgressAt,
    [property: JsonPropertyName("expires_at")] long ExpiresAt,
    [property: JsonPropertyName("completed_at")] long? CompletedAt,
    [property: JsonPropertyName("cancelled_at")] long? CancelledAt,
    [property: JsonPropertyName("request_counts")] BatchRequestCounts RequestCounts,
    [property: JsonPropertyName("metadata")] JsonElement? Metadata)
{
    [JsonPropertyName("object")]
    public string Object => "batch";

    [JsonPropertyName("errors")]
    public object? Errors => null;

    [JsonPropertyName("finalizing_at")]
    public long? FinalizingAt => CompletedAt;

    [JsonPropertyName("failed_at")]
    public long? FailedAt => null;

    [JsonPropertyName("expired_at")]
    public long? ExpiredAt => null;

    [JsonPropertyName("cancelling_at")]
    public long? CancellingAt => CancelledAt;
}

public sealed record BatchRequestCounts(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("completed")] int Completed,
    [property: JsonPropertyName("failed")] int Failed);

public sealed record BatchList(
    [property: JsonPropertyName("data")] IReadOnlyList<BatchObject> Data,
    [property: JsonPropertyName("first_id")] string? FirstId,
    [property: JsonPropertyName("last_id")] string? LastId,
    [property: JsonPropertyName("has_more")] bool HasMore)
{
    [JsonPropertyName("object")]
    public string Object => "list";
}

/// <summary>The multipart form of <c>POST /v1/files</c> (for its documentation): the purpose ("batch") and the JSONL file.</summary>
public sealed record FileUpload([property: JsonPropertyName("purpose")] string Purpose, [property: JsonPropertyName("file")] byte[] File);

/// <summary><c>POST /v1/batches</c>'s body (OpenAI's), for its documentation.</summary>
public sealed record BatchCreateRequest(
    [property: JsonPropertyName("input_file_id")] string InputFileId,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("completion_window")] string CompletionWindow,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata = null);
