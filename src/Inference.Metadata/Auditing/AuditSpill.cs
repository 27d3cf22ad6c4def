using System.Text.Json;
using Inference.Metadata.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Metadata.Auditing;

/// <summary>
/// Audit rows that could not stay in memory (queue full, or the service stopping while the database is down), as JSON
/// lines in the spill directory. <see cref="AuditLogWriter"/> writes them to the database when it answers and deletes
/// each file once all its rows are in; rows carry their ids, so a file read twice writes each row once.
/// </summary>
internal sealed partial class AuditSpill
{
    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly ILogger<AuditSpill> _logger;
    private StreamWriter? _current;
    private long _pending;

    public AuditSpill(IOptions<MetadataOptions> options, ILogger<AuditSpill> logger)
    {
        _directory = Path.GetFullPath(options.Value.Audit.SpillDirectory);
        _logger = logger;
        // Rows left by an earlier run (a stop while the database was down) are pending from the start.
        _pending = Files().Sum(f => (long)File.ReadLines(f).Count(l => l.Length > 0));
    }

    public long Pending => Interlocked.Read(ref _pending);

    public void Append(IReadOnlyCollection<AuditRecord> records)
    {
        lock (_lock)
        {
            try
            {
                if (_current is null)
                {
                    Directory.CreateDirectory(_directory);
                    var path = Path.Combine(_directory, $"audit-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}.jsonl");
                    _current = new StreamWriter(path, append: true);
                }

                foreach (var record in records)
                {
                    _current.WriteLine(JsonSerializer.Serialize(record, MetadataJsonContext.Default.AuditRecord));
                }

                _current.Flush();
                Interlocked.Add(ref _pending, records.Count);
                Log.Spilled(_logger, records.Count, _directory);
            }
            catch (IOException ex)
            {
                Log.SpillFailed(_logger, ex, records.Count, _directory);
            }
        }
    }

    /// <summary>Closes the file being appended to and returns every spill file, oldest first, for import.</summary>
    public IReadOnlyList<string> Seal()
    {
        lock (_lock)
        {
            _current?.Dispose();
            _current = null;
            return Files();
        }
    }

    public static IEnumerable<List<AuditRecord>> Read(string file, int batchSize)
    {
        var batch = new List<AuditRecord>(batchSize);
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                batch.Add(JsonSerializer.Deserialize(line, MetadataJsonContext.Default.AuditRecord)!);
            }
            catch (JsonException)
            {
                continue; // a line cut short by a crash mid-write: the rest of the file is still good
            }

            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new List<AuditRecord>(batchSize);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    public void Imported(string file, long rows)
    {
        File.Delete(file);
        Interlocked.Add(ref _pending, -rows);
        Log.Imported(_logger, rows, file);
    }

    private List<string> Files() =>
        Directory.Exists(_directory) ? [.. Directory.EnumerateFiles(_directory, "audit-*.jsonl").Order(StringComparer.Ordinal)] : [];

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Spilled {Count} audit records to {Directory}; they are written to the database when it answers.")]
        public static partial void Spilled(ILogger logger, int count, string directory);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Could not spill {Count} audit records to {Directory}: they are lost.")]
        public static partial void SpillFailed(ILogger logger, Exception exception, int count, string directory);

        [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} spilled audit records from {File} to the database.")]
        public static partial void Imported(ILogger logger, long count, string file);
    }
}
