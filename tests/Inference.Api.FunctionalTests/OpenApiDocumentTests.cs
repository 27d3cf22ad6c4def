using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The API describes itself: a valid OpenAPI 3 document at /openapi/v1.json listing every route the Api maps, with the
/// request and response schemas under the names the routes really use and the errors in each API's format, and a
/// Scalar reference at /scalar; both open when authentication is on.
/// </summary>
public sealed partial class OpenApiDocumentTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    [Fact]
    public async Task The_document_is_valid_openapi_and_lists_every_mapped_route()
    {
        using var http = api.CreateClient();
        var json = await http.GetStringAsync("/openapi/v1.json");
        var read = OpenApiDocument.Parse(json, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        var document = read.Document!;
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        Assert.Equal("InferenceAspire", document.Info.Title);

        // Every route the Api maps (but the documents themselves, the dashboard page and catch-all fallbacks).
        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .Where(e => !e.RoutePattern.Parameters.Any(p => p.IsCatchAll))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: Normalize(e.RoutePattern.RawText!))))
            .Distinct()
            .ToList();
        Assert.True(routes.Count > 60, $"{routes.Count} routes");
        var missing = routes.Where(r => document.Paths?.TryGetValue(r.Path, out var item) != true || item?.Operations?.ContainsKey(HttpMethod.Parse(r.Method)) != true).ToList();
        Assert.True(missing.Count == 0, "not in the document: " + string.Join(", ", missing.Select(m => $"{m.Method} {m.Path}")));
        foreach (var expected in new[] { "/v1/chat/completions", "/v1/classify", "/predict", "/api/inference/analyze", "/api/chat", "/health", "/metrics", "/models/register" })
        {
            Assert.Contains(expected, document.Paths!.Keys);
        }
    }

    [Fact]
    public async Task Schemas_use_each_apis_wire_names_and_errors_each_apis_format()
    {
        using var http = api.CreateClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        var schemas = root.GetProperty("components").GetProperty("schemas");

        // The OpenAI request as OpenAI clients send it, the classification answer as vLLM's.
        var chat = root.GetProperty("paths").GetProperty("/v1/chat/completions").GetProperty("post");
        Assert.Equal("#/components/schemas/ChatCompletionRequest", chat.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var request = schemas.GetProperty("ChatCompletionRequest").GetProperty("properties");
        foreach (var name in new[] { "messages", "max_tokens", "response_format", "stream_options", "top_p" })
        {
            Assert.True(request.TryGetProperty(name, out _), name);
        }

        Assert.False(request.TryGetProperty("maxTokens", out _));
        Assert.True(chat.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
        Assert.True(schemas.GetProperty("ClassifyData").GetProperty("properties").TryGetProperty("num_classes", out _));

        // Bodies the routes read themselves: seed 003's job, OpenAI's batch, the multipart upload.
        foreach (var (path, schema, field) in new[] { ("/api/inference/batch", "JobRequest", "webhook_url"), ("/v1/batches", "BatchCreateRequest", "input_file_id") })
        {
            var body = root.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
            Assert.Equal($"#/components/schemas/{schema}", body.GetProperty("schema").GetProperty("$ref").GetString());
            Assert.True(schemas.GetProperty(schema).GetProperty("properties").TryGetProperty(field, out _), field);
        }

        Assert.True(root.GetProperty("paths").GetProperty("/v1/files").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));

        // Errors: OpenAI's object on /v1, TEI's on /predict, Ollama's on /api/chat, problem details on the registry.
        Assert.Equal("#/components/schemas/OpenAIErrorResponse", ErrorSchema(root, "/v1/classify", "post", "400", "application/json"));
        Assert.Equal("#/components/schemas/PredictError", ErrorSchema(root, "/predict", "post", "422", "application/json"));
        Assert.Equal("#/components/schemas/OllamaError", ErrorSchema(root, "/api/chat", "post", "400", "application/json"));
        Assert.Equal("#/components/schemas/ProblemDetails", ErrorSchema(root, "/models/register", "post", "400", "application/problem+json"));
        Assert.True(schemas.GetProperty("PredictError").GetProperty("properties").TryGetProperty("error_type", out _));
    }

    [Fact]
    public async Task The_document_and_the_reference_are_open_when_keys_are_required()
    {
        await using var secured = api.WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:Auth:Enabled", "true");
            b.UseSetting("Inference:Auth:AdminKey", "documentation-admin-key-0123456789");
        });
        using var http = secured.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi/v1.json")).StatusCode);
        using var reference = await http.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("InferenceAspire API", await reference.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string? ErrorSchema(JsonElement root, string path, string method, string status, string media) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status)
            .GetProperty("content").GetProperty(media).GetProperty("schema").GetProperty("$ref").GetString();

    /// <summary>A route pattern as the document writes it: a leading slash, parameters without constraints or defaults.</summary>
    private static string Normalize(string pattern) => "/" + Parameter().Replace(pattern.Trim('/'), m => "{" + m.Groups[1].Value + "}");

    [GeneratedRegex(@"\{\**([^}:=?]+)[^}]*\}")]
    private static partial Regex Parameter();
}
