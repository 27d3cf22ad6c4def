using System.Text.Json;
using Inference.Serving.Auditing;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Serving.OpenAI;

/// <summary>
/// Runs one OpenAI request body through this service's own <c>/v1</c> route, in process: the same validation, routing,
/// fallbacks, cache, audit and error bodies as a call over HTTP, answered as (status, body). What the OpenAI Batch API's
/// items are run with.
/// </summary>
public sealed class OpenAIRequestDispatcher(EndpointDataSource endpoints, IServiceScopeFactory scopes, IHttpContextAccessor accessor)
{
    /// <summary>The routes a batch may call.</summary>
    public static IReadOnlyList<string> BatchableRoutes { get; } = ["/v1/chat/completions", "/v1/embeddings", "/v1/completions"];

    /// <param name="user">Who the request is made for (a batch's owner): its calls are audited and counted as that caller's.</param>
    public async Task<(int Status, JsonElement Body)> SendAsync(string path, JsonElement body, string requestId, CancellationToken cancellationToken, System.Security.Claims.ClaimsPrincipal? user = null)
    {
        var endpoint = endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e =>
                string.Equals(e.RoutePattern.RawText, path, StringComparison.Ordinal)
                && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true)
            ?? throw new ArgumentException($"No POST route '{path}' here.", nameof(path));

        await using var scope = scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, TraceIdentifier = requestId, RequestAborted = cancellationToken };
        if (user is not null)
        {
            http.User = user;
        }

        var content = System.Text.Encoding.UTF8.GetBytes(body.GetRawText());
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = path;
        http.Request.ContentType = "application/json";
        http.Request.ContentLength = content.Length;
        http.Request.Body = new MemoryStream(content, writable: false);
        http.Response.Headers[RequestIdMiddleware.HeaderName] = requestId;
        using var output = new MemoryStream();
        http.Response.Body = output;
        http.SetEndpoint(endpoint);

        var previous = accessor.HttpContext;
        accessor.HttpContext = http;
        using var audit = AuditRequestId.Begin(requestId);
        try
        {
            await endpoint.RequestDelegate!(http);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // What the exception handler would have answered over HTTP.
            var error = OpenAIErrors.ForUnhandled(ex, out var status);
            return (status, JsonSerializer.SerializeToElement(error, OpenAIJsonContext.Default.OpenAIErrorResponse));
        }
        finally
        {
            accessor.HttpContext = previous;
        }

        var written = output.ToArray();
        JsonElement answer;
        try
        {
            answer = written.Length == 0 ? default : JsonDocument.Parse(written).RootElement.Clone();
        }
        catch (JsonException)
        {
            answer = JsonSerializer.SerializeToElement(new OpenAIErrorResponse(new OpenAIError(System.Text.Encoding.UTF8.GetString(written), "server_error")), OpenAIJsonContext.Default.OpenAIErrorResponse);
        }

        return (http.Response.StatusCode, answer);
    }
}
