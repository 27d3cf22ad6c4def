using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Storage.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Jobs;

/// <summary>
/// Tells a job's <c>webhook_url</c> that it finished: a POST of <c>{"type":"job.completed"|"job.cancelled", job_id,
/// status, total, succeeded, failed, completed_at}</c>, signed when <see cref="JobOptions.WebhookSecret"/> is set
/// (<c>x-inference-signature: sha256=HMAC(secret, "{x-inference-timestamp}.{body}")</c>), with the job id in
/// <c>x-inference-delivery</c> so a receiver can drop repeats. A delivery not answered 2xx is tried again after
/// <see cref="JobOptions.WebhookRetryDelay"/>, doubling, up to <see cref="JobOptions.WebhookMaxAttempts"/>. The state
/// lives on the job row: a replica holds a delivery by a conditional update, so one sends it, and a restart resumes it.
/// </summary>
internal sealed partial class JobWebhooks(
    MetadataState state,
    IDbContextFactory<MetadataDbContext> contexts,
    InferenceJobs jobs,
    IHttpClientFactory httpClients,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobWebhooks> logger) : BackgroundService
{
    public const string HttpClientName = "inference-webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await state.WhenRegistered(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await TakeAsync(stoppingToken) is { } job)
                {
                    await DeliverAsync(job, stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away: the deliveries wait on their rows.
                Log.Failed(logger, "(poll)", 0, ex.Message);
            }

            await Task.Delay(options.Value.PollInterval, time, stoppingToken);
        }
    }

    /// <summary>Holds the next due delivery for this replica (its next attempt moved past the delivery's timeout).</summary>
    private async Task<InferenceJob?> TakeAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var max = options.Value.WebhookMaxAttempts;
        var due = await db.Jobs.AsNoTracking()
            .Where(j => j.WebhookUrl != null && j.WebhookDelivered == null && j.WebhookAttempts < max
                && (j.Status == JobStatus.Completed || j.Status == JobStatus.Cancelled)
                && (j.WebhookNextAttempt == null || j.WebhookNextAttempt <= now))
            .OrderBy(j => j.Completed).Select(j => new { j.Id, j.WebhookNextAttempt, j.WebhookAttempts }).FirstOrDefaultAsync(cancellationToken);
        if (due is null)
        {
            return null;
        }

        var hold = now + options.Value.WebhookTimeout + TimeSpan.FromSeconds(5);
        var taken = await db.Jobs.Where(j => j.Id == due.Id && j.WebhookNextAttempt == due.WebhookNextAttempt && j.WebhookAttempts == due.WebhookAttempts && j.WebhookDelivered == null)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.WebhookNextAttempt, hold).SetProperty(j => j.WebhookAttempts, j => j.WebhookAttempts + 1), cancellationToken);
        return taken == 1 ? await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == due.Id, cancellationToken) : await TakeAsync(cancellationToken);
    }

    private async Task DeliverAsync(InferenceJob job, CancellationToken cancellationToken)
    {
        var (current, succeeded, failed) = await jobs.StateAsync(job.Id, tenant: null, cancellationToken);
        var body = new JsonObject
        {
            ["type"] = current.Status == JobStatus.Cancelled ? "job.cancelled" : "job.completed",
            ["job_id"] = job.Id,
            ["status"] = current.Status,
            ["total"] = current.Total,
            ["succeeded"] = succeeded,
            ["failed"] = failed,
            ["completed_at"] = current.Completed?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        }.ToJsonString();
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, job.WebhookUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.DeliveryHeader, job.Id);
        if (options.Value.WebhookSecret is { Length: > 0 } secret)
        {
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        }

        string? problem;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.WebhookTimeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            problem = response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            problem = ex.Message;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (problem is null)
        {
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.WebhookDelivered, now), cancellationToken);
            Log.Delivered(logger, job.Id, job.WebhookAttempts);
            return;
        }

        var delay = options.Value.WebhookRetryDelay * Math.Pow(2, job.WebhookAttempts - 1);
        await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.WebhookNextAttempt, now + delay), cancellationToken);
        Log.Failed(logger, job.Id, job.WebhookAttempts, problem);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}'s webhook delivered (attempt {Attempt}).")]
        public static partial void Delivered(ILogger logger, string job, int attempt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job}'s webhook failed (attempt {Attempt}): {Reason}")]
        public static partial void Failed(ILogger logger, string job, int attempt, string reason);
    }
}
