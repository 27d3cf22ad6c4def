using System.Text.Json;
using Inference.Storage.Data;
using Inference.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Inference.Lifecycle.Downloads;

/// <summary>
/// <c>POST /api/models/download</c> and <c>GET /api/models/download/{id}</c> (progress: bytes, percent,
/// rate), the list of downloads, and Ollama's <c>POST /api/pull</c> (<c>hf.co/org/repo:quant</c> or <c>org/repo</c>;
/// progress streamed as NDJSON as Ollama streams it).
/// </summary>
public static class DownloadsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapDownloadsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/models/download").WithTags("Downloads");
        api.MapPost("/", StartAsync).WithSummary("Downloads a model from the hub or a URL; registered when verified.").RequireAdminScope();
        api.MapGet("/", ListAsync).WithSummary("Recent downloads.");
        api.MapGet("/{id}", GetAsync).WithSummary("A download's progress.");
        endpoints.MapPost("/api/pull", PullAsync).WithTags("Ollama").WithSummary("Ollama's pull: a hub repository into a served model.").RequireAdminScope();
        return endpoints;
    }

    private static async Task<Results<Accepted<DownloadStatus>, ProblemHttpResult>> StartAsync(
        DownloadRequest? request, ModelDownloads downloads, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var job = await downloads.StartAsync(request ?? throw ControlPlaneException.BadRequest("A JSON body is required."), cancellationToken);
            return TypedResults.Accepted($"/api/models/download/{job.Id}", job.Snapshot(time));
        }
        catch (ControlPlaneException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }
    }

    private static async Task<Results<Ok<DownloadStatus>, ProblemHttpResult>> GetAsync(
        string id, ModelDownloads downloads, IDbContextFactory<MetadataDbContext> contexts, TimeProvider time, CancellationToken cancellationToken)
    {
        if (downloads.Find(id) is { } job)
        {
            return TypedResults.Ok(job.Snapshot(time));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Downloads.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) is { } record
            ? TypedResults.Ok(FromRecord(record))
            : TypedResults.Problem($"No download '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
    }

    private static async Task<Ok<List<DownloadStatus>>> ListAsync(
        ModelDownloads downloads, IDbContextFactory<MetadataDbContext> contexts, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.Downloads.AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(records.OrderByDescending(r => r.Created).Take(100)
            .Select(r => downloads.Find(r.Id)?.Snapshot(time) ?? FromRecord(r)).ToList());
    }

    private static async Task<IResult> PullAsync(PullRequest? request, HttpContext http, ModelDownloads downloads, TimeProvider time, CancellationToken cancellationToken)
    {
        var model = request?.Model ?? request?.Name;
        if (string.IsNullOrWhiteSpace(model))
        {
            return OllamaError(400, "model is required");
        }

        // Ollama's Hugging Face form: hf.co/{org}/{repo}:{quantization}.
        var name = model.StartsWith("hf.co/", StringComparison.OrdinalIgnoreCase) ? model[6..]
            : model.StartsWith("huggingface.co/", StringComparison.OrdinalIgnoreCase) ? model[15..] : model;
        var colon = name.LastIndexOf(':');
        var tag = colon > 0 ? name[(colon + 1)..] : null;
        var repo = colon > 0 ? name[..colon] : name;
        if (tag is "latest")
        {
            tag = null;
        }

        var target = repo[(repo.IndexOf('/', StringComparison.Ordinal) + 1)..];
        if (Directory.Exists(Path.Combine(downloads.Root, target)))
        {
            return await ReplyAsync(http, request!.Stream ?? true, [new PullProgress("success")]);
        }

        DownloadJob job;
        try
        {
            job = await downloads.StartAsync(new DownloadRequest
            {
                Repo = repo,
                Name = target,
                Files = tag is null ? null : [$"*{tag}*.gguf", "*.json", "*.md", "*.txt", "*.model", "onnx/*"],
            }, cancellationToken);
        }
        catch (ControlPlaneException ex)
        {
            return OllamaError(ex.Status, ex.Message);
        }

        if (request!.Stream == false)
        {
            await job.Done.Task.WaitAsync(cancellationToken);
            return job.Status == DownloadStates.Completed ? TypedResults.Json(new PullProgress("success"), Json) : OllamaError(500, job.Error ?? "the download failed");
        }

        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, leaveOpen: true) { AutoFlush = false };
            async Task Write(object line)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(line, Json).AsMemory(), cancellationToken);
                await writer.FlushAsync(cancellationToken);
            }

            await Write(new PullProgress("pulling manifest"));
            while (!job.Done.Task.IsCompleted)
            {
                foreach (var file in job.Files.Where(f => f.Status == DownloadStates.Downloading))
                {
                    await Write(new PullProgress($"pulling {file.File.Path}", file.File.Sha256 is { } sha ? "sha256:" + sha : null, file.File.Size, file.Downloaded));
                }

                await Task.WhenAny(job.Done.Task, Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken));
            }

            if (job.Status == DownloadStates.Completed)
            {
                foreach (var file in job.Files)
                {
                    await Write(new PullProgress($"pulling {file.File.Path}", file.File.Sha256 is { } sha ? "sha256:" + sha : null, file.File.Size, file.Downloaded));
                }

                await Write(new PullProgress("verifying sha256 digest"));
                await Write(new PullProgress("writing manifest"));
                await Write(new PullProgress("success"));
            }
            else
            {
                await Write(new { error = job.Error ?? "the download failed" });
            }
        }, "application/x-ndjson");
    }

    private static async Task<IResult> ReplyAsync(HttpContext http, bool stream, IEnumerable<PullProgress> lines)
    {
        if (!stream)
        {
            return TypedResults.Json(lines.Last(), Json);
        }

        http.Response.ContentType = "application/x-ndjson";
        foreach (var line in lines)
        {
            await http.Response.WriteAsync(JsonSerializer.Serialize(line, Json) + "\n");
        }

        return TypedResults.Empty;
    }

    private static IResult OllamaError(int status, string message) => TypedResults.Json(new { error = message }, Json, statusCode: status);

    private static DownloadStatus FromRecord(DownloadRecord r) => new(
        r.Id, r.Model, r.Source, r.Revision, r.Status, r.TotalBytes, r.DownloadedBytes,
        r.TotalBytes is > 0 ? Math.Round(100.0 * r.DownloadedBytes / r.TotalBytes.Value, 2) : null, null, 0, [], r.Version, r.Error, r.Created, r.Completed);
}
