using Inference.Http;
using System.Text.Json;
using Inference.Lifecycle;
using Inference.Serving;
using Inference.Serving.Routing;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Inference.Jobs.Batches;

/// <summary>
/// OpenAI's Files and Batch APIs, so an OpenAI SDK's batch code works unchanged: <c>POST /v1/files</c> (multipart,
/// purpose batch), <c>GET /v1/files[/{id}[/content]]</c>, <c>DELETE /v1/files/{id}</c>, <c>POST /v1/batches</c>,
/// <c>GET /v1/batches[/{id}]</c>, <c>POST /v1/batches/{id}/cancel</c>. Errors in OpenAI's format; 503 while the
/// metadata database cannot be reached.
/// </summary>
public static class OpenAIBatchApi
{
    public static IEndpointRouteBuilder MapOpenAIBatchApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var files = endpoints.MapGroup("/v1/files").WithTags("OpenAI batches");
        files.MapPost("/", UploadAsync).WithName("CreateFile").WithSummary("Uploads a JSONL batch input file (multipart: purpose, file).").DisableAntiforgery()
            .Takes<FileUpload>("multipart/form-data").Produces<FileObject>();
        // A caller sees its own tenant's files and batches (admins and an open service see all): another's are 404.
        files.MapGet("/", (string? purpose, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () => TypedResults.Ok(await batches.ListFilesAsync(purpose, HttpCaller.TenantFilter(http), ct))))
            .Produces<FileList>();
        files.MapGet("/{id}", (string id, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () => TypedResults.Ok(await batches.GetFileAsync(id, HttpCaller.TenantFilter(http), ct))))
            .Produces<FileObject>();
        files.MapGet("/{id}/content", (string id, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () =>
        {
            var file = await batches.FileAsync(id, HttpCaller.TenantFilter(http), ct);
            return TypedResults.File(file.Content, "application/octet-stream", file.FileName);
        })).Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream");
        files.MapDelete("/{id}", (string id, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () => TypedResults.Ok(await batches.DeleteFileAsync(id, HttpCaller.TenantFilter(http), ct))))
            .Produces<FileDeleted>();

        var api = endpoints.MapGroup("/v1/batches").WithTags("OpenAI batches");
        api.MapPost("/", CreateAsync).WithName("CreateBatch").WithSummary("Runs an uploaded file's requests as a batch (input_file_id, endpoint, completion_window, metadata).")
            .Takes<BatchCreateRequest>().Produces<BatchObject>();
        api.MapGet("/", (string? after, int? limit, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () =>
            TypedResults.Ok(await batches.ListAsync(after, limit is > 0 and <= 100 ? limit.Value : 20, HttpCaller.TenantFilter(http), ct)))).Produces<BatchList>();
        api.MapGet("/{id}", (string id, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () => TypedResults.Ok(await batches.GetAsync(id, HttpCaller.TenantFilter(http), ct))))
            .Produces<BatchObject>();
        api.MapPost("/{id}/cancel", (string id, HttpContext http, OpenAIBatches batches, CancellationToken ct) => RunAsync(async () => TypedResults.Ok(await batches.CancelAsync(id, HttpCaller.TenantFilter(http), ct))))
            .Produces<BatchObject>();
        return endpoints;
    }

    private static Task<IResult> UploadAsync(HttpContext http, OpenAIBatches batches) => RunAsync(async () =>
    {
        if (!http.Request.HasFormContentType)
        {
            throw ControlPlaneException.BadRequest("Upload the file as multipart/form-data with the fields purpose and file.");
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException && !http.RequestAborted.IsCancellationRequested)
        {
            // A multipart body without a boundary, or one cut short or malformed: the caller's to fix.
            throw ControlPlaneException.BadRequest($"The multipart form cannot be read: {ex.Message}");
        }

        if (form.Files.GetFile("file") is not { } file)
        {
            throw ControlPlaneException.BadRequest("The form has no 'file'.");
        }

        using var content = new MemoryStream();
        await file.CopyToAsync(content, http.RequestAborted);
        return TypedResults.Ok(await batches.UploadAsync(file.FileName, form["purpose"].ToString(), content.ToArray(), HttpCaller.Of(http)?.Tenant, http.RequestAborted));
    });

    private static Task<IResult> CreateAsync(HttpContext http, OpenAIBatches batches) => RunAsync(async () =>
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw ControlPlaneException.BadRequest($"The body is not JSON: {ex.Message}");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ControlPlaneException.BadRequest("The body must be an object with input_file_id, endpoint and completion_window.");
        }

        string? Text(string name) => body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        JsonElement? metadata = body.TryGetProperty("metadata", out var m) ? m : null;
        return TypedResults.Ok(await batches.CreateAsync(Text("input_file_id"), Text("endpoint"), Text("completion_window"), metadata, HttpCaller.Identity(http), HttpCaller.Of(http), http.RequestAborted));
    });

    /// <summary>Refusals as OpenAI errors (400 invalid_request_error, 404 not_found, 409), a database that is away as a 503.</summary>
    private static async Task<IResult> RunAsync<T>(Func<Task<T>> operation)
        where T : IResult
    {
        try
        {
            return await operation();
        }
        catch (ControlPlaneException ex)
        {
            return ApiErrors.OpenAI(ex.Status, ex.Message, code: ex.Status == StatusCodes.Status404NotFound ? "not_found" : null);
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return ApiErrors.OpenAI(StatusCodes.Status503ServiceUnavailable, "The metadata database is unavailable; try again shortly.", "server_error", code: "metadata_unavailable");
        }
    }
}
