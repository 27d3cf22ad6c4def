using System.Text.Json;
using System.Threading.Channels;
using Inference.Storage.Data;
using Inference.Lifecycle;
using Inference.Protocols.Platform;
using Inference.Serving;
using Inference.Serving.Routing;
using Inference.Serving.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Inference.Jobs;

/// <summary>
/// Asynchronous inference jobs kept in the metadata database, which is also their queue: a job's items wait as rows;
/// a replica claims some for <see cref="JobOptions.ClaimTimeout"/> (a conditional update, so one replica has each),
/// runs them and records each response once, over a pending row only. A replica that stops (or a restart) leaves its
/// claims to expire and the items to another. Nothing accepted is lost: a job is written before it is acknowledged.
/// </summary>
internal sealed class InferenceJobs(IDbContextFactory<MetadataDbContext> contexts, IJobQueue stream, IOptions<JobOptions> options, TimeProvider time)
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Who this replica is, in its claims.</summary>
    public string Replica { get; } = $"{Guid.NewGuid():N}-{Environment.ProcessId}-{Environment.MachineName}" is var id && id.Length > 100 ? id[..100] : id;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InferenceCaller?> _owners = new(StringComparer.Ordinal);

    /// <summary>Who a job's items run as: the key and tenant that created it (read once per job; an owner never changes).</summary>
    public async Task<InferenceCaller?> OwnerAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_owners.TryGetValue(jobId, out var owner))
        {
            return owner;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.KeyId, j.Tenant }).SingleOrDefaultAsync(cancellationToken);
        owner = InferenceCaller.Owner(job?.KeyId, job?.Tenant);
        if (_owners.Count > 10_000)
        {
            _owners.Clear();
        }

        return _owners[jobId] = owner;
    }

    /// <summary>
    /// The context a job's item runs in: audited under <c>{job}-{index}</c> and counted as its owner's (its key and tenant);
    /// an item without owner (made with authentication off) runs as nobody in particular.
    /// </summary>
    public async Task<InferenceContext> ContextAsync(Inference.Storage.Data.InferenceJobItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var owner = await OwnerAsync(item.JobId, cancellationToken);
        return new InferenceContext($"{item.JobId}-{item.Index}") { Caller = owner, MadeBy = owner?.KeyId, Affinity = owner?.KeyId };
    }

    /// <summary>Signalled when new work arrives.</summary>
    public ChannelReader<bool> Arrived => _signal.Reader;

    /// <param name="owner">The authenticated caller: the job is its tenant's, and may name only the models it may use.</param>
    public async Task<InferenceJob> CreateAsync(IReadOnlyList<JsonElement> requests, string? caller, InferenceCaller? owner, string? webhookUrl, CancellationToken cancellationToken)
    {
        if (webhookUrl is not null && (!Uri.TryCreate(webhookUrl, UriKind.Absolute, out var hook) || hook.Scheme is not ("http" or "https") || webhookUrl.Length > 2048))
        {
            throw ControlPlaneException.BadRequest("webhook_url must be an absolute http or https URL.");
        }

        if (requests.Count == 0)
        {
            throw ControlPlaneException.BadRequest("requests must be a non-empty array of inference requests (text or input, model or model_id, version, parameters).");
        }

        if (requests.Count > options.Value.MaxItems)
        {
            throw ControlPlaneException.BadRequest($"A job holds at most {options.Value.MaxItems} requests; this one has {requests.Count}.");
        }

        var now = time.GetUtcNow();
        var job = new InferenceJob { Id = "job-" + Guid.CreateVersion7(now).ToString("N"), Status = JobStatus.Queued, Total = requests.Count, CreatedBy = caller, Tenant = owner?.Tenant, KeyId = owner?.KeyId, Created = now, Updated = now, WebhookUrl = webhookUrl };
        for (var i = 0; i < requests.Count; i++)
        {
            InferRequest parsed;
            try
            {
                parsed = requests[i].ValueKind == JsonValueKind.Object ? InferJson.ParseRequest(requests[i].GetRawText()) : throw new JsonException("not an object");
            }
            catch (JsonException ex)
            {
                throw ControlPlaneException.BadRequest($"requests[{i}] is not an inference request: {ex.Message}");
            }

            // What no model could answer is refused now, not accepted to fail later.
            if (parsed.Conflict() is { } conflict)
            {
                throw ControlPlaneException.BadRequest($"requests[{i}]: {conflict.Message}");
            }

            if (string.IsNullOrEmpty(parsed.Prompt))
            {
                throw ControlPlaneException.BadRequest($"requests[{i}]: text is required (or input, its other name).");
            }

            if (ModelNames.IsBlank(parsed.ModelName))
            {
                throw ControlPlaneException.BadRequest($"requests[{i}]: {ModelNames.Blank(parsed.Model is null ? "model_id" : "model")}");
            }

            if (owner is not null && parsed.ModelName is { } model && !owner.MayUse(model))
            {
                throw ControlPlaneException.BadRequest($"requests[{i}]: this key may not use model '{model}'.");
            }

            job.Items.Add(new InferenceJobItem { JobId = job.Id, Index = i, Request = InferJson.Serialize(parsed), Status = JobStatus.Pending });
        }

        await AddAsync(job, cancellationToken);
        return job;
    }

    /// <summary>Writes a job and its items (before anyone is told it was accepted) and wakes the processors.</summary>
    public async Task AddAsync(InferenceJob job, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        await stream.AnnounceAsync(job.Id, job.Items.Count);
        _signal.Writer.TryWrite(true);
    }

    /// <param name="tenant">Whose jobs the caller sees (null: everyone's); another tenant's job is not found.</param>
    public async Task<JobResponse> GetAsync(string id, bool results, string? tenant, CancellationToken cancellationToken)
    {
        var (job, succeeded, failed) = await StateAsync(id, tenant, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        List<InferenceJobItem>? items = results
            ? await db.JobItems.AsNoTracking().Where(i => i.JobId == id).OrderBy(i => i.Index).ToListAsync(cancellationToken)
            : null;
        return Describe(job, succeeded, failed, items);
    }

    /// <summary>A job with its state and counts as its items are now (replicas record items concurrently; the job row may lag).</summary>
    public async Task<(InferenceJob Job, int Succeeded, int Failed)> StateAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && (tenant == null || j.Tenant == tenant), cancellationToken)
            ?? throw ControlPlaneException.NotFound($"No job '{id}'.");
        var counts = await db.JobItems.AsNoTracking().Where(i => i.JobId == id).GroupBy(i => i.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Last = g.Max(i => i.Completed) }).ToListAsync(cancellationToken);
        int Of(string status) => counts.FirstOrDefault(c => c.Status == status)?.Count ?? 0;
        var finished = job.Status is JobStatus.Queued or JobStatus.Running && Of(JobStatus.Pending) == 0;
        job.Status = finished ? JobStatus.Completed : job.Status;
        job.Completed ??= finished ? counts.Max(c => c.Last) : null;
        return (job, Of(JobStatus.Succeeded), Of(JobStatus.Failed));
    }

    /// <summary>Stops a job: its waiting items are cancelled (those running finish, their responses are dropped).</summary>
    public async Task<JobResponse> CancelAsync(string id, string? tenant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var changed = await db.Jobs.Where(j => j.Id == id && (tenant == null || j.Tenant == tenant) && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.Updated, now).SetProperty(j => j.Completed, now), cancellationToken);
        if (changed == 0)
        {
            var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && (tenant == null || j.Tenant == tenant), cancellationToken)
                ?? throw ControlPlaneException.NotFound($"No job '{id}'.");
            throw ControlPlaneException.Conflict($"Job '{id}' is {job.Status}; only a queued or running job can be cancelled.");
        }

        await db.JobItems.Where(i => i.JobId == id && i.Status == JobStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, JobStatus.Cancelled).SetProperty(i => i.Completed, now), cancellationToken);
        return await GetAsync(id, results: false, tenant, cancellationToken);
    }

    /// <summary>Claims up to <paramref name="count"/> waiting items (unclaimed, or whose claim expired) of the oldest job with any, for this replica.</summary>
    public async Task<List<InferenceJobItem>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var candidates = await db.JobItems.AsNoTracking()
            .Where(i => i.Status == JobStatus.Pending && (i.ClaimedUntil == null || i.ClaimedUntil < now))
            .OrderBy(i => i.JobId).ThenBy(i => i.Index)
            .Select(i => new { i.JobId, i.Index })
            .Take(count)
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return [];
        }

        var job = candidates[0].JobId;
        return await ClaimOfJobAsync(db, job, [.. candidates.Where(c => c.JobId == job).Select(c => c.Index)], now, cancellationToken);
    }

    /// <summary>Claims these items, those still waiting and not held by another replica, for this replica.</summary>
    public async Task<List<InferenceJobItem>> ClaimAsync(IReadOnlyList<QueuedItem> items, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var claimed = new List<InferenceJobItem>();
        foreach (var job in items.GroupBy(i => i.Job))
        {
            claimed.AddRange(await ClaimOfJobAsync(db, job.Key, [.. job.Select(i => i.Index)], now, cancellationToken));
        }

        return claimed;
    }

    /// <summary>One conditional update over a job's items (a row another replica took meanwhile no longer matches), then the rows that carry this claim.</summary>
    private async Task<List<InferenceJobItem>> ClaimOfJobAsync(MetadataDbContext db, string job, List<int> indexes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var until = now + options.Value.ClaimTimeout;
        var claim = Replica;
        var taken = await db.JobItems
            .Where(i => i.JobId == job && indexes.Contains(i.Index) && i.Status == JobStatus.Pending && (i.ClaimedUntil == null || i.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ClaimedBy, claim).SetProperty(i => i.ClaimedUntil, until).SetProperty(i => i.Attempts, i => i.Attempts + 1), cancellationToken);
        if (taken == 0)
        {
            return [];
        }

        var claimed = await db.JobItems.AsNoTracking()
            .Where(i => i.JobId == job && indexes.Contains(i.Index) && i.ClaimedBy == claim && i.ClaimedUntil == until && i.Status == JobStatus.Pending)
            .OrderBy(i => i.Index)
            .ToListAsync(cancellationToken);

        // A read first: only the first claim of a job writes its state (on SQLite every write takes the one writer's lock).
        if (await db.Jobs.AnyAsync(j => j.Id == job && j.Status == JobStatus.Queued, cancellationToken))
        {
            await db.Jobs.Where(j => j.Id == job && j.Status == JobStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Running).SetProperty(j => j.Updated, now), cancellationToken);
        }

        return claimed;
    }

    /// <summary>Records an item's response, once: only over a pending item this replica holds; then the job's state.</summary>
    public async Task<bool> RecordAsync(InferenceJobItem item, string json, bool success, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var status = success ? JobStatus.Succeeded : JobStatus.Failed;
        var written = await db.JobItems
            .Where(i => i.JobId == item.JobId && i.Index == item.Index && i.Status == JobStatus.Pending && i.ClaimedBy == Replica)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, status).SetProperty(i => i.Response, json).SetProperty(i => i.Completed, now), cancellationToken);
        await CompleteIfDoneAsync(db, item.JobId, cancellationToken);
        return written == 1;
    }

    /// <summary>Gives an item back to wait a while (its model was busy or unavailable), so it is tried again later.</summary>
    public async Task ReleaseAsync(InferenceJobItem item, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var until = time.GetUtcNow() + delay;
        await db.JobItems.Where(i => i.JobId == item.JobId && i.Index == item.Index && i.Status == JobStatus.Pending && i.ClaimedBy == Replica)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ClaimedBy, (string?)null).SetProperty(i => i.ClaimedUntil, until), cancellationToken);
    }

    /// <summary>Marks the job completed once none of its items waits, in one statement (so concurrent records cannot undo each other).</summary>
    private async Task CompleteIfDoneAsync(MetadataDbContext db, string id, CancellationToken cancellationToken)
    {
        // A read first: while items wait, no write (on SQLite every write takes the one writer's lock).
        if (await db.JobItems.AnyAsync(i => i.JobId == id && i.Status == JobStatus.Pending, cancellationToken))
        {
            return;
        }

        var now = time.GetUtcNow();
        await db.Jobs
            .Where(j => j.Id == id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running)
                && !db.JobItems.Any(i => i.JobId == j.Id && i.Status == JobStatus.Pending))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Completed).SetProperty(j => j.Completed, now).SetProperty(j => j.Updated, now), cancellationToken);
    }

    private static JobResponse Describe(InferenceJob job, int succeeded, int failed, List<InferenceJobItem>? items)
    {
        var done = succeeded + failed;
        return new JobResponse(
            job.Id, job.Status, job.Total, done, succeeded, failed, job.Total == 0 ? 1 : Math.Round((double)done / job.Total, 4), job.Created, job.Completed,
            items?.Select(i => new JobItemResponse(i.Index, i.Status, i.Attempts, i.Response is null ? null : JsonDocument.Parse(i.Response).RootElement.Clone())).ToList());
    }
}
