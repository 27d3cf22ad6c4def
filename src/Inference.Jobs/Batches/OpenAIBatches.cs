using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Storage.Data;
using Inference.Jobs;
using Inference.Lifecycle;
using Inference.Protocols.OpenAI;
using Inference.Serving;
using Inference.Serving.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Inference.Jobs.Batches;

/// <summary>
/// The OpenAI Files and Batch APIs over the jobs: an uploaded JSONL file's lines become a job's items (each its
/// <c>custom_id</c>, <c>url</c> and <c>body</c>), run by the job processors through this service's own <c>/v1</c> route
/// (<see cref="OpenAIRequestRunner"/>), each recorded once; a finished batch's answers are written as its output
/// file, its failed and cancelled lines as its error file, once, by whichever replica reads it first.
/// </summary>
internal sealed class OpenAIBatches(IDbContextFactory<MetadataDbContext> contexts, InferenceJobs jobs, OpenAIRequestRunner runner, IOptions<JobOptions> options, TimeProvider time)
{
    public const string BatchPurpose = "batch";
    public const string OutputPurpose = "batch_output";
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public async Task<FileObject> UploadAsync(string fileName, string purpose, byte[] content, string? tenant, CancellationToken cancellationToken)
    {
        if (purpose != BatchPurpose)
        {
            throw ControlPlaneException.BadRequest($"purpose must be '{BatchPurpose}': files here are batch inputs.");
        }

        if (content.Length == 0)
        {
            throw ControlPlaneException.BadRequest("The file is empty.");
        }

        var file = new StoredFile { Id = "file-" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N"), Purpose = purpose, FileName = fileName, Bytes = content.Length, Created = time.GetUtcNow(), Content = content, Tenant = tenant };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Files.Add(file);
        await db.SaveChangesAsync(cancellationToken);
        return Describe(file);
    }

    /// <param name="tenant">Whose files the caller sees (null: everyone's); another tenant's file is not found.</param>
    public async Task<FileObject> GetFileAsync(string id, string? tenant, CancellationToken cancellationToken) => Describe(await FileAsync(id, tenant, cancellationToken));

    public async Task<StoredFile> FileAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Files.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && (tenant == null || f.Tenant == tenant), cancellationToken)
            ?? throw ControlPlaneException.NotFound($"No file '{id}'.");
    }

    public async Task<FileList> ListFilesAsync(string? purpose, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var files = await db.Files.AsNoTracking().Where(f => (purpose == null || f.Purpose == purpose) && (tenant == null || f.Tenant == tenant))
            .Select(f => new { f.Id, f.Bytes, f.Created, f.FileName, f.Purpose }).ToListAsync(cancellationToken);
        return new FileList([.. files.OrderByDescending(f => f.Created).Select(f => new FileObject(f.Id, f.Bytes, f.Created.ToUnixTimeSeconds(), f.FileName, f.Purpose))]);
    }

    public async Task<FileDeleted> DeleteFileAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Files.Where(f => f.Id == id && (tenant == null || f.Tenant == tenant)).ExecuteDeleteAsync(cancellationToken) == 1
            ? new FileDeleted(id)
            : throw ControlPlaneException.NotFound($"No file '{id}'.");
    }

    /// <summary>Checks every line of the input file and writes the batch as a job; nothing runs until it is written.</summary>
    public async Task<BatchObject> CreateAsync(string? inputFileId, string? endpoint, string? completionWindow, JsonElement? metadata, string? caller, InferenceCaller? owner, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(inputFileId))
        {
            throw ControlPlaneException.BadRequest("input_file_id is required.");
        }

        if (endpoint is null || !OpenAIRequestRunner.BatchableRoutes.Contains(endpoint))
        {
            throw ControlPlaneException.BadRequest($"endpoint must be one of {string.Join(", ", OpenAIRequestRunner.BatchableRoutes)}.");
        }

        if (completionWindow != "24h")
        {
            throw ControlPlaneException.BadRequest("completion_window must be '24h'.");
        }

        if (metadata is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            throw ControlPlaneException.BadRequest("metadata must be an object of strings.");
        }

        var input = await FileAsync(inputFileId, owner is { IsAdmin: false } ? owner.Tenant : null, cancellationToken);
        if (input.Purpose != BatchPurpose)
        {
            throw ControlPlaneException.BadRequest($"File '{inputFileId}' was not uploaded with purpose '{BatchPurpose}'.");
        }

        var now = time.GetUtcNow();
        var job = new InferenceJob
        {
            Id = "batch_" + Guid.CreateVersion7(now).ToString("N"),
            Status = JobStatus.Queued,
            CreatedBy = caller,
            Tenant = owner?.Tenant,
            KeyId = owner?.KeyId,
            Created = now,
            Updated = now,
            Endpoint = endpoint,
            InputFileId = inputFileId,
            Metadata = metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null,
        };
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, number) in Lines(input.Content))
        {
            job.Items.Add(new InferenceJobItem { JobId = job.Id, Index = job.Items.Count, Endpoint = endpoint, Request = CheckLine(line, number, endpoint, ids, owner), Status = JobStatus.Pending });
        }

        if (job.Items.Count == 0)
        {
            throw ControlPlaneException.BadRequest($"File '{inputFileId}' holds no requests.");
        }

        if (job.Items.Count > options.Value.MaxItems)
        {
            throw ControlPlaneException.BadRequest($"A batch holds at most {options.Value.MaxItems} requests; this file has {job.Items.Count}.");
        }

        job.Total = job.Items.Count;
        await jobs.AddAsync(job, cancellationToken);
        return await GetAsync(job.Id, tenant: null, cancellationToken);
    }

    public async Task<BatchObject> GetAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        var (job, succeeded, failed) = await BatchStateAsync(id, tenant, cancellationToken);
        if (job.Status is JobStatus.Completed or JobStatus.Cancelled && !job.Finalized)
        {
            await FinalizeAsync(job, cancellationToken);
            (job, succeeded, failed) = await BatchStateAsync(id, tenant, cancellationToken);
        }

        return Describe(job, succeeded, failed);
    }

    public async Task<BatchList> ListAsync(string? after, int limit, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Ids are time-ordered (version 7 GUIDs): newest first, then the page after the cursor.
        var ids = await db.Jobs.AsNoTracking().Where(j => j.Endpoint != null && (tenant == null || j.Tenant == tenant)).Select(j => j.Id).ToListAsync(cancellationToken);
        var ordered = ids.OrderDescending(StringComparer.Ordinal).SkipWhile(i => after != null && string.CompareOrdinal(i, after) >= 0).ToList();
        var page = new List<BatchObject>();
        foreach (var id in ordered.Take(limit))
        {
            page.Add(await GetAsync(id, tenant, cancellationToken));
        }

        return new BatchList(page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, ordered.Count > limit);
    }

    public async Task<BatchObject> CancelAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await BatchStateAsync(id, tenant, cancellationToken);
        await jobs.CancelAsync(id, tenant, cancellationToken);
        return await GetAsync(id, tenant, cancellationToken);
    }

    /// <summary>Runs one batch line through its route: the status, and the item's response as the output file carries it.</summary>
    public async Task<(int? Status, string Response, bool Success)> RunAsync(InferenceJobItem item, CancellationToken cancellationToken)
    {
        var line = JsonDocument.Parse(item.Request).RootElement;
        var context = await jobs.ContextAsync(item, cancellationToken);
        var requestId = context.RequestId;
        using var scope = InferenceContext.Begin(context);
        var (status, body) = await runner.SendAsync(item.Endpoint!, line.GetProperty("body"), cancellationToken);
        var response = new JsonObject
        {
            ["status_code"] = status,
            ["request_id"] = requestId,
            ["body"] = body.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(body.GetRawText()),
        };
        return (status, response.ToJsonString(), status is >= 200 and < 300);
    }

    private async Task<(InferenceJob Job, int Succeeded, int Failed)> BatchStateAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        var state = await jobs.StateAsync(id, tenant, cancellationToken);
        return state.Job.Endpoint is null ? throw ControlPlaneException.NotFound($"No batch '{id}'.") : state;
    }

    /// <summary>Writes the output and error files of a finished batch, once: the first replica's insert wins, the others' fail on its ids.</summary>
    private async Task FinalizeAsync(InferenceJob job, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var items = await db.JobItems.AsNoTracking().Where(i => i.JobId == job.Id).OrderBy(i => i.Index).ToListAsync(cancellationToken);
        var output = new StringBuilder();
        var errors = new StringBuilder();
        foreach (var item in items)
        {
            var customId = JsonDocument.Parse(item.Request).RootElement.GetProperty("custom_id").GetString();
            var line = new JsonObject { ["id"] = $"batch_req_{job.Id}-{item.Index}", ["custom_id"] = customId };
            if (item.Response is { } response)
            {
                line["response"] = JsonNode.Parse(response);
                line["error"] = null;
            }
            else
            {
                line["response"] = null;
                line["error"] = new JsonObject { ["code"] = "batch_cancelled", ["message"] = "The batch was cancelled before this request ran." };
            }

            (item.Status == JobStatus.Succeeded ? output : errors).Append(line.ToJsonString()).Append('\n');
        }

        var now = time.GetUtcNow();
        string? outputId = output.Length > 0 ? $"file-{job.Id}-output" : null;
        string? errorId = errors.Length > 0 ? $"file-{job.Id}-errors" : null;
        if (outputId is not null)
        {
            db.Files.Add(OutputFile(outputId, $"{job.Id}_output.jsonl", output, now, job.Tenant));
        }

        if (errorId is not null)
        {
            db.Files.Add(OutputFile(errorId, $"{job.Id}_errors.jsonl", errors, now, job.Tenant));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another replica wrote them first: the same lines, under the same ids.
        }

        await db.Jobs.Where(j => j.Id == job.Id && !j.Finalized)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Finalized, true).SetProperty(j => j.OutputFileId, outputId).SetProperty(j => j.ErrorFileId, errorId).SetProperty(j => j.Updated, now), cancellationToken);
    }

    private static StoredFile OutputFile(string id, string name, StringBuilder lines, DateTimeOffset now, string? tenant)
    {
        var content = Encoding.UTF8.GetBytes(lines.ToString());
        return new StoredFile { Id = id, Purpose = OutputPurpose, FileName = name, Bytes = content.Length, Created = now, Content = content, Tenant = tenant };
    }

    private static IEnumerable<(string Line, int Number)> Lines(byte[] content)
    {
        var number = 0;
        foreach (var line in Encoding.UTF8.GetString(content).Split('\n'))
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (line.TrimEnd('\r'), number);
            }
        }
    }

    private static string CheckLine(string line, int number, string endpoint, HashSet<string> ids, InferenceCaller? owner)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException ex)
        {
            throw ControlPlaneException.BadRequest($"Line {number} is not JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("custom_id", out var customId) || customId.ValueKind != JsonValueKind.String || customId.GetString() is not { Length: > 0 } id)
        {
            throw ControlPlaneException.BadRequest($"Line {number} needs a custom_id string.");
        }

        if (!ids.Add(id))
        {
            throw ControlPlaneException.BadRequest($"Line {number}: custom_id '{id}' is used by an earlier line; each must be unique.");
        }

        if (!root.TryGetProperty("method", out var method) || method.GetString() != "POST")
        {
            throw ControlPlaneException.BadRequest($"Line {number}: method must be POST.");
        }

        if (!root.TryGetProperty("url", out var url) || url.GetString() != endpoint)
        {
            throw ControlPlaneException.BadRequest($"Line {number}: url must be the batch's endpoint, {endpoint}.");
        }

        if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
        {
            throw ControlPlaneException.BadRequest($"Line {number}: body must be the request object.");
        }

        if (owner is not null && body.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String && !owner.MayUse(model.GetString()!))
        {
            throw ControlPlaneException.BadRequest($"Line {number}: this key may not use model '{model.GetString()}'.");
        }

        return line;
    }

    private static FileObject Describe(StoredFile file) => new(file.Id, file.Bytes, file.Created.ToUnixTimeSeconds(), file.FileName, file.Purpose);

    private static BatchObject Describe(InferenceJob job, int succeeded, int failed)
    {
        var status = job.Status switch
        {
            JobStatus.Completed => job.Finalized ? "completed" : "finalizing",
            JobStatus.Cancelled => job.Finalized ? "cancelled" : "cancelling",
            _ => "in_progress",
        };
        long? Unix(DateTimeOffset? at) => at?.ToUnixTimeSeconds();
        return new BatchObject(
            job.Id, job.Endpoint!, job.InputFileId!, "24h", status, job.OutputFileId, job.ErrorFileId,
            job.Created.ToUnixTimeSeconds(), job.Created.ToUnixTimeSeconds(), (job.Created + Window).ToUnixTimeSeconds(),
            job.Status == JobStatus.Completed ? Unix(job.Completed) : null,
            job.Status == JobStatus.Cancelled ? Unix(job.Completed) : null,
            new BatchRequestCounts(job.Total, succeeded, failed),
            job.Metadata is { } metadata ? JsonDocument.Parse(metadata).RootElement.Clone() : null);
    }
}
