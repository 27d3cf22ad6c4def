using System.Text.Json.Serialization;

namespace Inference.Lifecycle.Downloads;

/// <summary>
/// <c>POST /api/models/download</c>: a hub repository (<c>repo</c>, <c>revision</c>, optional <c>files</c>
/// patterns) or a plain <c>url</c> (with its <c>sha256</c>, and the <c>file_name</c> to save it as), into a model folder
/// <c>name</c>, registered as <c>version</c> once verified.
/// </summary>
public sealed record DownloadRequest
{
    [JsonPropertyName("repo")] public string? Repo { get; init; }

    [JsonPropertyName("revision")] public string? Revision { get; init; }

    /// <summary>Which of the repository's files: names or patterns with <c>*</c> (all files when empty).</summary>
    [JsonPropertyName("files")] public List<string>? Files { get; init; }

    [JsonPropertyName("url")] public Uri? Url { get; init; }

    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }

    [JsonPropertyName("size")] public long? Size { get; init; }

    [JsonPropertyName("file_name")] public string? FileName { get; init; }

    /// <summary>The model it becomes (the folder's name); the repository's last segment by default.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>The version registered; the revision (or "1" for a URL) by default.</summary>
    [JsonPropertyName("version")] public string? Version { get; init; }

    /// <summary>Replace a model folder of that name.</summary>
    [JsonPropertyName("overwrite")] public bool? Overwrite { get; init; }
}

public sealed record DownloadStatus(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("revision")] string? Revision,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("total_bytes")] long? TotalBytes,
    [property: JsonPropertyName("downloaded_bytes")] long DownloadedBytes,
    [property: JsonPropertyName("percent")] double? Percent,
    [property: JsonPropertyName("bytes_per_second")] double? BytesPerSecond,
    [property: JsonPropertyName("resumed_bytes")] long ResumedBytes,
    [property: JsonPropertyName("files")] IReadOnlyList<DownloadFileStatus> Files,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("created_at")] DateTimeOffset Created,
    [property: JsonPropertyName("completed_at")] DateTimeOffset? Completed);

public sealed record DownloadFileStatus(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("size")] long? Size,
    [property: JsonPropertyName("downloaded")] long Downloaded,
    [property: JsonPropertyName("sha256")] string? Sha256,
    [property: JsonPropertyName("status")] string Status);

/// <summary>Ollama's <c>POST /api/pull</c>.</summary>
public sealed record PullRequest(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("stream")] bool? Stream,
    [property: JsonPropertyName("insecure")] bool? Insecure);

/// <summary>One line of Ollama's pull progress.</summary>
public sealed record PullProgress(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("digest"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Digest = null,
    [property: JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Total = null,
    [property: JsonPropertyName("completed"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Completed = null);
