using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Inference.Engines;
using Inference.Storage.Data;
using Inference.Lifecycle;
using Inference.Serving.Local;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Lifecycle.Downloads;

/// <summary>
/// Downloads models from a Hugging Face-style hub or a plain URL into the download directory, one at a time in the
/// background: each file is streamed to a <c>.partial</c> file, resumed with an HTTP range after a broken transfer (and
/// on a later request for the same model after a failure or restart), checked against its size and SHA-256 (or git
/// blob id), and the finished folder is moved into place in one rename, then registered, so it is served without a
/// restart. A corrupt file is deleted and the download fails naming it.
/// </summary>
internal sealed partial class ModelDownloads(
    HubClient hub,
    IDbContextFactory<MetadataDbContext> contexts,
    ModelLifecycle lifecycle,
    MetadataState state,
    IOptions<HubOptions> options,
    IOptions<LocalModelsOptions> localOptions,
    TimeProvider time,
    ILogger<ModelDownloads> logger) : BackgroundService
{
    private const int BufferSize = 1 << 16;

    private readonly Channel<DownloadJob> _queue = Channel.CreateBounded<DownloadJob>(new BoundedChannelOptions(Math.Max(1, options.Value.MaxQueued)) { SingleReader = true });
    private readonly ConcurrentDictionary<string, DownloadJob> _jobs = new(StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")]
    private static partial Regex RepoPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex NamePattern();

    /// <summary>The folder downloads go to: the configured one, else the models directory when it is writable, else local app data.</summary>
    public string Root => Path.GetFullPath(options.Value.DownloadDirectory is { Length: > 0 } configured
        ? configured
        : localOptions.Value.ResolvedModelsDirectory is { } directory && IsWritable(directory) ? directory
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "InferenceAspire", "models"));

    public DownloadJob? Find(string id) => _jobs.GetValueOrDefault(id);

    public async Task<DownloadJob> StartAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Repo is null) == (request.Url is null))
        {
            throw ControlPlaneException.BadRequest("Give either repo (a hub repository, org/name) or url (one file).");
        }

        if (request.Repo is { } repo && !RepoPattern().IsMatch(repo))
        {
            throw ControlPlaneException.BadRequest($"repo must be org/name (letters, digits, '.', '_', '-'), not '{repo}'.");
        }

        if (request.Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            throw ControlPlaneException.BadRequest("url must be an absolute http or https URL.");
        }

        if (request.Sha256 is { } digest && (digest.Length != 64 || !digest.All(char.IsAsciiHexDigit)))
        {
            throw ControlPlaneException.BadRequest("sha256 must be 64 hexadecimal digits.");
        }

        var name = request.Name ?? (request.Repo is { } r ? r[(r.IndexOf('/', StringComparison.Ordinal) + 1)..] : null)
            ?? throw ControlPlaneException.BadRequest("name is required for a url download: the model folder to create.");
        if (!NamePattern().IsMatch(name))
        {
            throw ControlPlaneException.BadRequest($"name must be letters, digits, '.', '_' and '-', not '{name}'.");
        }

        var fileName = request.FileName ?? (request.Url is { } u ? Path.GetFileName(u.AbsolutePath) : null);
        if (request.Url is not null && (string.IsNullOrEmpty(fileName) || !SafeRelative(fileName)))
        {
            throw ControlPlaneException.BadRequest("file_name is required when the url does not end in a file name, and must be a plain relative name.");
        }

        if (Directory.Exists(Path.Combine(Root, name)) && request.Overwrite != true)
        {
            throw ControlPlaneException.Conflict($"A model folder '{name}' exists in {Root}; send overwrite: true to replace it.");
        }

        if (_jobs.Values.Any(j => j.Model == name && j.Completed is null))
        {
            throw ControlPlaneException.Conflict($"A download of '{name}' is already running.");
        }

        var now = time.GetUtcNow();
        var source = request.Repo ?? request.Url!.ToString();
        var revision = request.Repo is null ? null : request.Revision ?? "main";
        var job = new DownloadJob("dl-" + Guid.CreateVersion7(now).ToString("N"), name, source, revision, request with { FileName = fileName }, now);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.Downloads.Add(new DownloadRecord { Id = job.Id, Model = name, Source = source, Revision = revision, Status = job.Status, Created = now });
            await db.SaveChangesAsync(cancellationToken);
        }

        if (!_queue.Writer.TryWrite(job))
        {
            throw new ControlPlaneException(429, "Too many downloads", $"{options.Value.MaxQueued} downloads are waiting; try again later.");
        }

        _jobs[job.Id] = job;
        return job;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await state.WhenMigrated(stoppingToken);
        await MarkInterruptedAsync(stoppingToken);
        await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(job, stoppingToken);
                job.Status = DownloadStates.Completed;
                Log.Completed(logger, job.Id, job.Model, job.Downloaded);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                job.Status = DownloadStates.Interrupted;
                job.Error = "The service stopped; request the download again to resume it.";
            }
            catch (Exception ex) when (ex is DownloadException or ControlPlaneException or HttpRequestException or IOException or UnauthorizedAccessException)
            {
                job.Status = DownloadStates.Failed;
                job.Error = ex.Message;
                Log.Failed(logger, job.Id, job.Model, ex.Message);
            }

            job.Completed = time.GetUtcNow();
            await RecordAsync(job, CancellationToken.None);
            job.Done.TrySetResult();
        }
    }

    private async Task RunAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        job.Status = DownloadStates.Listing;
        var files = job.Request.Url is { } url
            ? [new HubFile(job.Request.FileName!, url, job.Request.Size, job.Request.Sha256?.ToLowerInvariant(), null)]
            : Select(await hub.ListAsync(job.Source, job.Revision!, cancellationToken), job.Request.Files);
        if (files.Count == 0)
        {
            throw new DownloadException($"'{job.Source}' at '{job.Revision}' has no files matching {string.Join(", ", job.Request.Files ?? [])}.");
        }

        if (files.FirstOrDefault(f => !SafeRelative(f.Path)) is { } unsafePath)
        {
            throw new DownloadException($"The hub listed a file outside the model folder: '{unsafePath.Path}'.");
        }

        job.Files.AddRange(files.Select(f => new DownloadJob.FileProgress(f)));
        var staging = Path.Combine(Root, ".downloads", job.Model);
        Directory.CreateDirectory(staging);
        job.Status = DownloadStates.Downloading;
        await RecordAsync(job, cancellationToken);
        foreach (var file in job.Files)
        {
            await DownloadFileAsync(job, file, Path.Combine(staging, file.File.Path), cancellationToken);
        }

        // Every file is verified: the folder takes its place in one rename.
        var target = Path.Combine(Root, job.Model);
        if (Directory.Exists(target))
        {
            var replaced = Path.Combine(Root, ".downloads", $"{job.Model}.replaced-{job.Id}");
            Directory.Move(target, replaced);
            Directory.Move(staging, target);
            Directory.Delete(replaced, recursive: true);
        }
        else
        {
            Directory.Move(staging, target);
        }

        job.Status = DownloadStates.Registering;
        var version = job.Request.Version ?? job.Revision ?? "1";
        var registered = await lifecycle.RegisterAsync(
            new RegisterModelRequest { Name = job.Model, Version = version, ModelPath = target, Description = $"Downloaded from {job.Source}" + (job.Revision is null ? "" : $" at {job.Revision}") },
            "download",
            cancellationToken);
        job.Version = registered.Version;
    }

    private async Task DownloadFileAsync(DownloadJob job, DownloadJob.FileProgress progress, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = destination + ".partial";
        var file = progress.File;
        progress.Status = DownloadStates.Downloading;
        var http = hub.Client();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                if (file.Size is { } expected && offset > expected)
                {
                    File.Delete(partial);
                    offset = 0;
                }

                if (attempt == 0)
                {
                    job.ResumedBytes += offset;
                }

                job.Progress(progress, offset, time.GetTimestamp());
                if (file.Size is { } size && offset == size)
                {
                    break;
                }

                try
                {
                    using var request = hub.Authorized(new HttpRequestMessage(HttpMethod.Get, file.Source));
                    if (offset > 0)
                    {
                        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, null);
                    }

                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    if ((int)response.StatusCode is >= 400 and < 500)
                    {
                        throw new DownloadException($"{file.Source} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                    }

                    response.EnsureSuccessStatusCode();
                    var append = offset > 0 && response.StatusCode == System.Net.HttpStatusCode.PartialContent;
                    offset = append ? offset : 0;
                    await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
                    await using var input = await response.Content.ReadAsStreamAsync(cancellationToken);
                    int read;
                    while ((read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        offset += read;
                        job.Progress(progress, offset, time.GetTimestamp());
                    }

                    break;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested && attempt < options.Value.MaxRetries)
                {
                    // A broken transfer: what arrived stays, the rest is asked for from there.
                    Log.Resuming(logger, file.Path, new FileInfo(partial) is { Exists: true } f ? f.Length : 0, ex.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << Math.Min(attempt, 5))), time, cancellationToken);
                }
            }

            progress.Status = DownloadStates.Verifying;
            await VerifyAsync(file, partial, cancellationToken);
            File.Move(partial, destination, overwrite: true);
            progress.Status = DownloadStates.Completed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks the size and digest; a file that does not match is deleted, so the next attempt starts clean.</summary>
    private static async Task VerifyAsync(HubFile file, string partial, CancellationToken cancellationToken)
    {
        var length = new FileInfo(partial).Length;
        string? problem = null;
        if (file.Size is { } size && length != size)
        {
            problem = $"{length} bytes arrived, {size} were expected";
        }
        else if (file.Sha256 is { } sha256)
        {
            await using var stream = File.OpenRead(partial);
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            problem = actual == sha256.ToLowerInvariant() ? null : $"its SHA-256 is {actual}, {sha256} was expected";
        }
        else if (file.GitBlobSha1 is { } oid)
        {
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha1.AppendData(Encoding.ASCII.GetBytes($"blob {length}\0"));
            await using var stream = File.OpenRead(partial);
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha1.AppendData(buffer, 0, read);
            }

            var actual = Convert.ToHexStringLower(sha1.GetHashAndReset());
            problem = actual == oid.ToLowerInvariant() ? null : $"its git blob id is {actual}, {oid} was expected";
        }

        if (problem is not null)
        {
            File.Delete(partial);
            throw new DownloadException($"{file.Path} is corrupt and was refused: {problem}.");
        }
    }

    private static List<HubFile> Select(List<HubFile> files, List<string>? patterns) =>
        patterns is not { Count: > 0 }
            ? files
            : [.. files.Where(f => patterns.Any(p => Regex.IsMatch(f.Path, "^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase)))];

    private static bool SafeRelative(string path) =>
        !Path.IsPathRooted(path) && path.Split('/', '\\').All(s => s.Length > 0 && s is not "." and not "..");

    private static bool IsWritable(string directory)
    {
        try
        {
            var probe = Path.Combine(directory, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task RecordAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Downloads.Where(d => d.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, job.Status)
                .SetProperty(d => d.TotalBytes, job.Total)
                .SetProperty(d => d.DownloadedBytes, job.Downloaded)
                .SetProperty(d => d.Error, job.Error)
                .SetProperty(d => d.Version, job.Version)
                .SetProperty(d => d.Completed, job.Completed), cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            // The download itself is what matters; its record catches up on the next change.
            Log.NotRecorded(logger, job.Id, ex.Message);
        }
    }

    /// <summary>Downloads a previous run left unfinished are marked interrupted; their partial files wait to be resumed.</summary>
    private async Task MarkInterruptedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            string[] running = [DownloadStates.Queued, DownloadStates.Listing, DownloadStates.Downloading, DownloadStates.Verifying, DownloadStates.Registering];
            await db.Downloads.Where(d => running.Contains(d.Status)).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DownloadStates.Interrupted)
                .SetProperty(d => d.Error, "The service stopped during the download; request it again to resume."), cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            Log.NotRecorded(logger, "(earlier downloads)", ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Download {Id} of model {Model} completed: {Bytes} bytes.")]
        public static partial void Completed(ILogger logger, string id, string model, long bytes);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Download {Id} of model {Model} failed: {Reason}")]
        public static partial void Failed(ILogger logger, string id, string model, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Transfer of {File} broke at {Bytes} bytes ({Reason}); resuming from there.")]
        public static partial void Resuming(ILogger logger, string file, long bytes, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record download {Id}: {Reason}")]
        public static partial void NotRecorded(ILogger logger, string id, string reason);
    }
}
