using System.Diagnostics;
using System.Text.Json;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Requests;
using Inference.Serving.Routing;
using Json.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Platform;

/// <summary>
/// The generation routes: <c>POST /generate</c> (prompt and sampling parameters to text) and
/// <c>POST /generate/structured</c> (prompt and JSON schema to a validated object, as its instructor flow returns it:
/// decoding is constrained to the schema, then the answer is parsed and checked with a JSON schema validator). The
/// model defaults to the first chat model served that has a chat template. Errors are problem details.
/// </summary>
public static class GenerateApi
{
    public static RouteGroupBuilder MapGenerateApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/generate").WithTags("Generate");
        api.MapPost("/", GenerateAsync).WithSummary("Text for a prompt.").Drains().Documented<GenerateRequest, GenerateResponse>();
        api.MapPost("/structured", StructuredAsync).WithSummary("A JSON object for a prompt, valid against the schema sent.").Documented<StructuredGenerateRequest, StructuredGenerateResponse>();
        return api;
    }

    private static async Task<IResult> GenerateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, error) = await JsonBody.ReadAsync(http.Request, PlatformJsonContext.Default.GenerateRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken, Problem);
        if (error is not null)
        {
            return error;
        }

        var (model, options, invalid) = await PrepareAsync(request!, request!.Prompt, null, services, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (request.Raw == true)
        {
            (options!.AdditionalProperties ??= [])[EngineChatOptions.RawPrompt] = true;
        }

        var started = Stopwatch.GetTimestamp();
        var (response, failure) = await RunAsync(model!, Messages(request.System, request.Prompt!, request.Raw == true), options!, cancellationToken);
        return failure ?? TypedResults.Json(
            new GenerateResponse(response!.Text, model!.Id, FinishReasons.Name(response.FinishReason), TokenUsage.Of(response.Usage), Stopwatch.GetElapsedTime(started).TotalMilliseconds, InferenceContext.Current?.RequestId),
            PlatformJsonContext.Default.GenerateResponse);
    }

    private static async Task<IResult> StructuredAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, error) = await JsonBody.ReadAsync(http.Request, PlatformJsonContext.Default.StructuredGenerateRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken, Problem);
        if (error is not null)
        {
            return error;
        }

        if (request!.Schema is not { ValueKind: JsonValueKind.Object } schemaElement)
        {
            return Problem(400, "schema must be a JSON schema object.");
        }

        var format = ChatResponseFormat.ForJsonSchema(schemaElement.Clone(), request.SchemaName ?? "response");
        var (model, options, invalid) = await PrepareAsync(request, request.Prompt, format, services, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        JsonSchema schema;
        try
        {
            schema = JsonSchema.FromText(schemaElement.GetRawText());
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return Problem(400, $"schema is not a valid JSON schema: {ex.Message}");
        }

        var started = Stopwatch.GetTimestamp();
        var (response, failure) = await RunAsync(model!, Messages(request.System, request.Prompt!, raw: false), options!, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (response!.FinishReason == ChatFinishReason.Length)
        {
            return Problem(422, $"The model reached max_tokens ({response.Usage?.OutputTokenCount} tokens) before completing the object; raise max_tokens or shorten the schema.");
        }

        JsonElement data;
        try
        {
            using var parsed = JsonDocument.Parse(response.Text);
            data = parsed.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Problem(422, $"The model's answer is not JSON: {ex.Message}");
        }

        var result = schema.Evaluate(data, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var errors = result.Details?.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList() ?? [];
            return TypedResults.Problem($"The model's answer does not validate against the schema: {string.Join("; ", errors)}", statusCode: 422, title: "Invalid answer");
        }

        return TypedResults.Json(
            new StructuredGenerateResponse(data, model!.Id, true, TokenUsage.Of(response.Usage), Stopwatch.GetElapsedTime(started).TotalMilliseconds, InferenceContext.Current?.RequestId),
            PlatformJsonContext.Default.StructuredGenerateResponse);
    }

    private static async Task<(RoutedModel? Model, ChatOptions? Options, IResult? Error)> PrepareAsync(
        SamplingRequest request, string? prompt, ChatResponseFormat? responseFormat, ApiServices services, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            return (null, null, Problem(400, "prompt is required."));
        }

        if (!services.Catalog.IsReady)
        {
            return (null, null, Problem(503, "Models are still loading; retry shortly."));
        }

        if (ModelNames.IsBlank(request.Model))
        {
            return (null, null, Problem(400, ModelNames.Blank("model")));
        }

        var name = request.Model ?? services.Catalog.DefaultChatModel()?.Id;
        var lookup = services.Inference.Find(name);
        if (lookup.Model is not { } model)
        {
            return (null, null, Problem(404, request.Model is null ? "No chat model is served here." : $"The model '{request.Model}' does not exist."));
        }

        if (model.Kind != ModelKind.Chat)
        {
            return (null, null, Problem(400, $"The model '{model.Id}' is not a chat model."));
        }

        var (options, error) = await SamplingFields.ReadAsync(request, model.Model, services.Grammars, cancellationToken, responseFormat is null ? null : new OutputFields(Format: responseFormat));
        return error is null ? (model, options, null) : (null, null, Problem(400, error.Message));
    }

    private static List<ChatMessage> Messages(string? system, string prompt, bool raw) =>
        system is { Length: > 0 } && !raw ? [new(ChatRole.System, system), new(ChatRole.User, prompt)] : [new(ChatRole.User, prompt)];

    private static async Task<(ChatResponse? Response, IResult? Error)> RunAsync(RoutedModel model, List<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return (await model.ChatClient.GetResponseAsync(messages, options, cancellationToken), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "prompt") is { } mapped)
        {
            return (null, ApiErrors.Problem(mapped));
        }
    }


    private static IResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
