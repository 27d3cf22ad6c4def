namespace Inference.Lifecycle.Downloads;

/// <summary>A download in this process: its files and how far each has come, read by the progress routes as it runs.</summary>
internal sealed class DownloadJob(string id, string model, string source, string? revision, DownloadRequest request, DateTimeOffset created)
{
    private readonly Lock _lock = new();
    private readonly Queue<(long Timestamp, long Bytes)> _samples = new();

    public string Id { get; } = id;

    public string Model { get; } = model;

    public string Source { get; } = source;

    public string? Revision { get; } = revision;

    public DownloadRequest Request { get; } = request;

    public DateTimeOffset Created { get; } = created;

    public string Status { get; set; } = DownloadStates.Queued;

    public string? Error { get; set; }

    public string? Version { get; set; }

    public DateTimeOffset? Completed { get; set; }

    public List<FileProgress> Files { get; } = [];

    /// <summary>Bytes that were already on disk from an earlier, interrupted attempt.</summary>
    public long ResumedBytes { get; set; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Downloaded
    {
        get
        {
            lock (_lock)
            {
                return Files.Sum(f => f.Downloaded);
            }
        }
    }

    public long? Total => Files.Count > 0 && Files.All(f => f.File.Size is not null) ? Files.Sum(f => f.File.Size!.Value) : null;

    public void Progress(FileProgress file, long downloaded, long timestamp)
    {
        lock (_lock)
        {
            file.Downloaded = downloaded;
            _samples.Enqueue((timestamp, Files.Sum(f => f.Downloaded)));
            while (_samples.Count > 50)
            {
                _samples.Dequeue();
            }
        }
    }

    /// <summary>Bytes per second over the recent samples.</summary>
    public double? Rate(TimeProvider time)
    {
        lock (_lock)
        {
            if (_samples.Count < 2)
            {
                return null;
            }

            var (firstAt, firstBytes) = _samples.Peek();
            var (lastAt, lastBytes) = _samples.Last();
            var seconds = time.GetElapsedTime(firstAt, lastAt).TotalSeconds;
            return seconds <= 0 ? null : (lastBytes - firstBytes) / seconds;
        }
    }

    public DownloadStatus Snapshot(TimeProvider time)
    {
        var total = Total;
        var downloaded = Downloaded;
        return new DownloadStatus(
            Id, Model, Source, Revision, Status, total, downloaded,
            total is > 0 ? Math.Round(100.0 * downloaded / total.Value, 2) : null,
            Status == DownloadStates.Downloading ? Rate(time) : null,
            ResumedBytes,
            [.. Files.Select(f => new DownloadFileStatus(f.File.Path, f.File.Size, f.Downloaded, f.File.Sha256, f.Status))],
            Version, Error, Created, Completed);
    }

    internal sealed class FileProgress(HubFile file)
    {
        public HubFile File { get; } = file;

        public long Downloaded { get; set; }

        public string Status { get; set; } = DownloadStates.Queued;
    }
}

/// <summary>A download's states.</summary>
public static class DownloadStates
{
    public const string Queued = "queued";
    public const string Listing = "listing";
    public const string Downloading = "downloading";
    public const string Verifying = "verifying";
    public const string Registering = "registering";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";
}
