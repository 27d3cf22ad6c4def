using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Storage.Data;
using Inference.Lifecycle;
using Inference.Serving.Catalog;
using Inference.Serving.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Inference.Lifecycle.Experiments;

/// <summary>
/// A/B tests: requests for model A's name are split between A and B (sticky per caller) while the test
/// runs; each call is audited with the test and its arm, feedback joins by request id, and the result is computed
/// from the database, so every replica's calls count and a restart loses nothing.
/// </summary>
internal sealed partial class AbTestManager(
    IDbContextFactory<MetadataDbContext> contexts,
    ModelLifecycle lifecycle,
    ModelRouter router,
    TimeProvider time,
    ILogger<AbTestManager> logger)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex IdPattern();

    public async Task<AbTest> StartAsync(StartAbTestRequest request, string? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TestId is not { } id || !IdPattern().IsMatch(id))
        {
            throw ControlPlaneException.BadRequest("test_id is required: up to 100 letters, digits, '.', '_' and '-'.");
        }

        if (string.IsNullOrWhiteSpace(request.ModelA) || string.IsNullOrWhiteSpace(request.ModelB) || request.ModelA == request.ModelB)
        {
            throw ControlPlaneException.BadRequest("model_a and model_b are required and must differ (a name or name:version each).");
        }

        if (request.TrafficSplit is not { } split || split is <= 0 or >= 1)
        {
            throw ControlPlaneException.BadRequest($"traffic_split is B's share of the traffic: above 0 and below 1 (got {request.TrafficSplit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
        }

        if (request.DurationHours is <= 0)
        {
            throw ControlPlaneException.BadRequest("duration_hours must be positive.");
        }

        var metrics = request.SuccessMetrics ?? [AbTestAnalysis.Success, AbTestAnalysis.Latency];
        if (metrics.FirstOrDefault(m => AbTestAnalysis.Metric(m) is null) is { } unknown)
        {
            throw ControlPlaneException.BadRequest($"success_metrics: '{unknown}' is not measured; use success (accuracy, error_rate), response_time (latency) or feedback.");
        }

        var a = Served(request.ModelA!, "model_a");
        var b = Served(request.ModelB!, "model_b");
        if (a.Kind != b.Kind)
        {
            throw ControlPlaneException.BadRequest($"model_a ({request.ModelA}) and model_b ({request.ModelB}) must both be chat or both be embedding models.");
        }

        // The split applies to requests for model A's name (its versions pinned as name:version are not split).
        var reference = ModelReference.Parse(request.ModelA!);
        var route = reference.Version is not null && (router.Table.Find(reference.Name) is not null || router.Catalog.Find(reference.Name) is not null)
            ? reference.Name
            : request.ModelA!;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.AbTests.AnyAsync(t => t.Id == id, cancellationToken))
        {
            throw ControlPlaneException.Conflict($"An A/B test '{id}' exists.");
        }

        if (await db.AbTests.AnyAsync(t => t.Route == route && t.Status == AbTestStatus.Running, cancellationToken)
            || await db.Deployments.AnyAsync(d => d.ModelId == route && d.Status == DeploymentStatus.InProgress, cancellationToken))
        {
            throw ControlPlaneException.Conflict($"The traffic of '{route}' is already split by a running A/B test or canary deployment.");
        }

        var now = time.GetUtcNow();
        var test = new AbTest
        {
            Id = id,
            ModelA = request.ModelA!,
            ModelB = request.ModelB!,
            Route = route,
            TrafficSplit = split,
            SuccessMetrics = JsonSerializer.Serialize(metrics, LifecycleJsonContext.Default.ListString),
            Status = AbTestStatus.Running,
            Started = now,
            Ends = request.DurationHours is { } hours ? now.AddHours(hours) : null,
            CreatedBy = caller,
        };
        db.AbTests.Add(test);
        await db.SaveChangesAsync(cancellationToken);
        Log.Started(logger, id, test.ModelA, test.ModelB, route, test.TrafficSplit);
        await lifecycle.RefreshAsync(cancellationToken);
        return test;
    }

    public async Task<AbTest> StopAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var test = await db.AbTests.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw ControlPlaneException.NotFound($"No A/B test '{id}'.");
        if (test.Status != AbTestStatus.Running)
        {
            throw ControlPlaneException.Conflict($"A/B test '{id}' is not running (it is {test.Status}).");
        }

        test.Status = AbTestStatus.Stopped;
        test.Stopped = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await lifecycle.RefreshAsync(cancellationToken);
        return test;
    }

    /// <summary>Completes the running tests whose duration has passed; true when any did.</summary>
    public async Task<bool> ExpireAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var running = await db.AbTests.Where(t => t.Status == AbTestStatus.Running && t.Ends != null).ToListAsync(cancellationToken);
        var due = running.Where(t => t.Ends <= now).ToList();
        foreach (var test in due)
        {
            test.Status = AbTestStatus.Completed;
            test.Stopped = test.Ends;
        }

        await db.SaveChangesAsync(cancellationToken);
        return due.Count > 0;
    }

    public async Task<List<AbTest>> ListAsync(bool all, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tests = await db.AbTests.AsNoTracking().Where(t => all || t.Status == AbTestStatus.Running).ToListAsync(cancellationToken);
        return [.. tests.OrderByDescending(t => t.Started)];
    }

    public async Task<AbTestResponse> ResultAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var test = await db.AbTests.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw ControlPlaneException.NotFound($"No A/B test '{id}'.");
        return await ResultAsync(db, test, cancellationToken);
    }

    public async Task<AbTestResponse> ResultAsync(MetadataDbContext db, AbTest test, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(test);
        var rows = await db.AuditRecords.AsNoTracking()
            .Where(r => r.Experiment == test.Id && r.Status != "cancelled")
            .Select(r => new { r.Arm, r.RequestId, r.Status, r.LatencyMs, r.InputTokens, r.OutputTokens })
            .ToListAsync(cancellationToken);
        var requestIds = rows.Select(r => r.RequestId).Distinct().ToList();
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var chunk in requestIds.Chunk(500))
        {
            var feedback = await db.Feedback.AsNoTracking().Where(f => chunk.Contains(f.RequestId)).ToListAsync(cancellationToken);
            foreach (var f in feedback.OrderBy(f => f.Id))
            {
                scores[f.RequestId] = f.Score; // the latest score of a request counts
            }
        }

        List<AbTestAnalysis.Call> Calls(string arm) => [.. rows.Where(r => r.Arm == arm).Select(r => new AbTestAnalysis.Call(
            r.Status == "ok", r.LatencyMs, r.InputTokens, r.OutputTokens, scores.TryGetValue(r.RequestId, out var score) ? score : null))];

        var a = Calls(RoutingTableBuilder.ArmA);
        var b = Calls(RoutingTableBuilder.ArmB);
        var metrics = JsonSerializer.Deserialize(test.SuccessMetrics, LifecycleJsonContext.Default.ListString) ?? [];
        return new AbTestResponse(
            test.Id, test.ModelA, test.ModelB, test.Route, test.TrafficSplit, metrics, test.Status, test.Started, test.Ends, test.Stopped,
            [AbTestAnalysis.Summarize(RoutingTableBuilder.ArmA, test.ModelA, a), AbTestAnalysis.Summarize(RoutingTableBuilder.ArmB, test.ModelB, b)],
            AbTestAnalysis.Analyze(a, b, metrics));
    }

    public async Task<Feedback> FeedbackAsync(FeedbackRequest request, string? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.RequestId) || request.RequestId.Length > 128)
        {
            throw ControlPlaneException.BadRequest("request_id is required: the x-request-id of the answer being scored.");
        }

        if (request.Score is not { } score || !double.IsFinite(score))
        {
            throw ControlPlaneException.BadRequest("score is required: a number (1 for good and 0 for bad, or a rating).");
        }

        if (request.Comment is { Length: > 2000 })
        {
            throw ControlPlaneException.BadRequest("comment must be at most 2,000 characters.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var feedback = new Feedback { RequestId = request.RequestId, Score = score, Comment = request.Comment, Caller = caller, Timestamp = time.GetUtcNow() };
        db.Feedback.Add(feedback);
        await db.SaveChangesAsync(cancellationToken);
        return feedback;
    }

    private ServedModel Served(string reference, string field)
    {
        // Resolved without a caller: only whether something serves the reference matters here.
        var decision = router.Resolve(reference, "ab-test-validation");
        return decision?.Model ?? throw ControlPlaneException.BadRequest($"{field}: nothing serves '{reference}'.");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "A/B test {Id} started: {ModelA} against {ModelB} on {Route}, {Split} of the traffic to B.")]
        public static partial void Started(ILogger logger, string id, string modelA, string modelB, string route, double split);
    }
}
