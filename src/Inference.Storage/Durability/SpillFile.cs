using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace Inference.Storage.Durability;

/// <summary>
/// Rows that could not stay in memory (the queue full, or the service stopping while the database is down), as JSON
/// lines in a spill directory. Their writer imports them when the database answers and deletes each file once all its
/// rows are in; rows carry their ids, so a file read twice writes each row once.
/// </summary>
internal sealed partial class SpillFile<T>
{
    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly string _prefix;
    private readonly JsonTypeInfo<T> _type;
    private readonly string _what;
    private readonly ILogger _logger;
    private StreamWriter? _current;
    private long _pending;

    /// <param name="prefix">The files' name prefix ("audit", "events"), so several logs share a directory.</param>
    /// <param name="what">What a row is, for the log ("audit records").</param>
    public SpillFile(string directory, string prefix, JsonTypeInfo<T> type, string what, ILogger logger)
    {
        _directory = Path.GetFullPath(directory);
        _prefix = prefix;
        _type = type;
        _what = what;
        _logger = logger;
        // Rows left by an earlier run (a stop while the database was down) are pending from the start.
        _pending = Files().Sum(f => (long)File.ReadLines(f).Count(l => l.Length > 0));
    }

    public long Pending => Interlocked.Read(ref _pending);

    public void Append(IReadOnlyCollection<T> rows)
    {
        lock (_lock)
        {
            try
            {
                if (_current is null)
                {
                    Directory.CreateDirectory(_directory);
                    var path = Path.Combine(_directory, $"{_prefix}-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}.jsonl");
                    _current = new StreamWriter(path, append: true);
                }

                foreach (var row in rows)
                {
                    _current.WriteLine(JsonSerializer.Serialize(row, _type));
                }

                _current.Flush();
                Interlocked.Add(ref _pending, rows.Count);
                Log.Spilled(_logger, rows.Count, _what, _directory);
            }
            catch (IOException ex)
            {
                Log.SpillFailed(_logger, ex, rows.Count, _what, _directory);
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

    public IEnumerable<List<T>> Read(string file, int batchSize)
    {
        var batch = new List<T>(batchSize);
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                batch.Add(JsonSerializer.Deserialize(line, _type)!);
            }
            catch (JsonException)
            {
                continue; // a line cut short by a crash mid-write: the rest of the file is still good
            }

            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new List<T>(batchSize);
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
        Log.Imported(_logger, rows, _what, file);
    }

    private List<string> Files() =>
        Directory.Exists(_directory) ? [.. Directory.EnumerateFiles(_directory, $"{_prefix}-*.jsonl").Order(StringComparer.Ordinal)] : [];

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Spilled {Count} {What} to {Directory}; they are written to the database when it answers.")]
        public static partial void Spilled(ILogger logger, int count, string what, string directory);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Could not spill {Count} {What} to {Directory}: they are lost.")]
        public static partial void SpillFailed(ILogger logger, Exception exception, int count, string what, string directory);

        [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} spilled {What} from {File} to the database.")]
        public static partial void Imported(ILogger logger, long count, string what, string file);
    }
}
