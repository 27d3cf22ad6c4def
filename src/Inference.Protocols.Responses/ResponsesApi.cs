using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Http;
using Inference.Protocols.OpenAI;
using Inference.Serving;
using Inference.Serving.Requests;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Protocols.Responses;

/// <summary>
/// <c>POST /v1/responses</c>, whole or streamed as the Responses events, over every chat model served here (local or
/// remote), and the stored responses: read back, their input items listed, deleted, continued by a next request.
/// </summary>
internal static class ResponsesApi
{
    private const string Endpoint = "/v1/responses";
    private const int MaxMetadataPairs = 16;

    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, ResponsesJsonContext.Default.ResponseRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var store = http.RequestServices.GetRequiredService<ResponseStore>();
        var caller = HttpCaller.Of(http);
        var (prepared, error) = await PrepareAsync(request!, services, store, InferenceCaller.TenantFilter(caller), cancellationToken);
        if (error is not null)
        {
            return ApiErrors.OpenAI(error);
        }

        var (model, messages, options, input, history) = prepared!.Value;
        var draft = Draft(request!, model.Id, services.Now);
        var keep = request!.Store != false;
        async Task<ResponseObject> FinishAsync(ResponseObject done, CancellationToken token) => keep
            ? done with { Store = await store.TrySaveAsync(done, caller?.Tenant, input, [.. history, .. input, .. done.Output], token) }
            : done with { Store = false };

        if (request.Stream == true)
        {
            var (updates, any, failure) = await FirstUpdate.AwaitAsync(model.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken), "input", cancellationToken);
            if (failure is not null)
            {
                return ApiErrors.OpenAI(failure);
            }

            var answering = any && updates!.Current.ModelId is { } id ? draft with { Model = id } : draft;
            return TypedResults.ServerSentEvents(new ResponseEvents(answering, FinishAsync).WriteAsync(updates!, any, cancellationToken));
        }

        try
        {
            var response = await model.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            var done = ResponseOutput.Finished(draft with { Model = response.ModelId ?? model.Id }, ResponseOutput.Items(response), response.FinishReason, response.Usage);
            return TypedResults.Json(await FinishAsync(done, cancellationToken), ResponsesJsonContext.Default.ResponseObject);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "input") is { } mapped)
        {
            return ApiErrors.OpenAI(mapped);
        }
    }

    public static async Task<IResult> GetAsync(string id, bool? stream, HttpContext http)
    {
        if (stream == true)
        {
            return ApiErrors.OpenAI(InferenceError.Invalid("stream is only for background responses, which this platform does not run; read the response whole.", "stream"));
        }

        var stored = await http.RequestServices.GetRequiredService<ResponseStore>().FindAsync(id, HttpCaller.TenantFilter(http), http.RequestAborted);
        return stored is null ? NotFound(id) : TypedResults.Content(stored.Body, "application/json");
    }

    public static async Task<IResult> DeleteAsync(string id, HttpContext http) =>
        await http.RequestServices.GetRequiredService<ResponseStore>().DeleteAsync(id, HttpCaller.TenantFilter(http), http.RequestAborted)
            ? TypedResults.Json(new ResponseDeleted(id), ResponsesJsonContext.Default.ResponseDeleted)
            : NotFound(id);

    public static async Task<IResult> CancelAsync(string id, HttpContext http) =>
        await http.RequestServices.GetRequiredService<ResponseStore>().FindAsync(id, HttpCaller.TenantFilter(http), http.RequestAborted) is null
            ? NotFound(id)
            : ApiErrors.OpenAI(InferenceError.Invalid("Only background responses can be cancelled; this one has finished.", "response_id"));

    /// <summary>The request's own input items, newest first unless <c>order=asc</c>, a page of <c>limit</c> after the item <c>after</c>.</summary>
    public static async Task<IResult> InputItemsAsync(string id, int? limit, string? order, string? after, HttpContext http)
    {
        if (limit is < 1 or > 100)
        {
            return ApiErrors.OpenAI(InferenceError.Invalid("limit must be between 1 and 100.", "limit"));
        }

        if (order is not (null or "asc" or "desc"))
        {
            return ApiErrors.OpenAI(InferenceError.Invalid("order must be asc or desc.", "order", "invalid_value"));
        }

        var stored = await http.RequestServices.GetRequiredService<ResponseStore>().FindAsync(id, HttpCaller.TenantFilter(http), http.RequestAborted);
        if (stored is null)
        {
            return NotFound(id);
        }

        IEnumerable<ResponseItem> items = ResponseStore.Items(stored.Input);
        if (order != "asc")
        {
            items = items.Reverse();
        }

        var ordered = items.ToList();
        if (after is not null)
        {
            var at = ordered.FindIndex(i => i.Id == after);
            if (at < 0)
            {
                return ApiErrors.OpenAI(InferenceError.Invalid($"after: no input item '{after}' in response '{id}'.", "after"));
            }

            ordered = ordered[(at + 1)..];
        }

        var page = ordered.Take(limit ?? 20).ToList();
        return TypedResults.Json(new ResponseItemList(page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, ordered.Count > page.Count), ResponsesJsonContext.Default.ResponseItemList);
    }

    private static IResult NotFound(string id) =>
        ApiErrors.OpenAI(new InferenceError(StatusCodes.Status404NotFound, InferenceError.InvalidRequest, $"No response found with id '{id}'.", "response_id", "not_found"));

    /// <summary>The request's model, conversation (a stored one continued, then this input) and options, checked; or why not.</summary>
    private static async Task<((RoutedModel Model, List<ChatMessage> Messages, ChatOptions Options, List<ResponseItem> Input, List<ResponseItem> History)? Prepared, InferenceError? Error)> PrepareAsync(
        ResponseRequest request, ApiServices services, ResponseStore store, string? tenant, CancellationToken cancellationToken)
    {
        if (Unsupported(request) is { } unsupported)
        {
            return (null, unsupported);
        }

        var lookup = services.Inference.Find(request.Model, ModelKind.Chat, request.User ?? request.SafetyIdentifier, request.UseFallbacks);
        if (OpenAIErrors.Of(lookup, Endpoint) is { } modelError)
        {
            return (null, modelError);
        }

        if (ResponseInput.Read(request.Input, out var input) is { } inputError)
        {
            return (null, inputError);
        }

        List<ResponseItem> history = [];
        if (request.PreviousResponseId is { } previousId)
        {
            if (await store.FindAsync(previousId, tenant, cancellationToken) is not { } previous)
            {
                return (null, new InferenceError(StatusCodes.Status404NotFound, InferenceError.InvalidRequest,
                    $"Previous response with id '{previousId}' not found.", "previous_response_id", "previous_response_not_found"));
            }

            history = ResponseStore.Items(previous.Conversation);
        }

        if (history.Count + input.Count > services.Options.Value.MaxMessages)
        {
            return (null, InferenceError.Invalid($"The conversation holds {history.Count + input.Count} items; at most {services.Options.Value.MaxMessages} are allowed.", "input"));
        }

        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(request.Instructions))
        {
            messages.Add(new ChatMessage(ChatRole.System, request.Instructions));
        }

        ResponseInput.AddTo(messages, history);
        ResponseInput.AddTo(messages, input);

        var (tools, toolChoice, toolsError) = Tools(request.Tools, request.ToolChoice);
        var (format, formatError) = Format(request.Text?.Format);
        if ((toolsError ?? formatError) is { } outputError)
        {
            return (null, outputError);
        }

        var model = lookup.Model!;
        var sampling = new SamplingParameters { MaxTokens = request.MaxOutputTokens, Temperature = request.Temperature, TopP = request.TopP, TopK = request.TopK, Seed = request.Seed };
        var (options, error) = await SamplingFields.ReadAsync(
            sampling, null, model.Model, services.Grammars, cancellationToken, new OutputFields(format, tools, toolChoice, request.ParallelToolCalls));
        if (error is not null)
        {
            return (null, Renamed(error));
        }

        if (request.Reasoning?.Effort is { } effort && ReasoningFields.Read(options, effort, null, null, null) is not null)
        {
            return (null, InferenceError.Invalid($"reasoning.effort '{effort}' is not one of: none, minimal, low, medium, high.", "reasoning.effort", "invalid_value"));
        }

        return ((model, messages, options, input, history), null);
    }

    /// <summary>An error of the shared checks, its field named as this API names it (max_output_tokens, text.format).</summary>
    private static InferenceError Renamed(InferenceError error)
    {
        foreach (var (chat, responses) in new[] { ("response_format.json_schema", "text.format"), ("response_format", "text.format"), ("max_tokens", "max_output_tokens") })
        {
            if (error.Param?.StartsWith(chat, StringComparison.Ordinal) == true)
            {
                return error with { Message = error.Message.Replace(chat, responses, StringComparison.Ordinal), Param = responses + error.Param[chat.Length..] };
            }
        }

        return error;
    }

    /// <summary>What this platform does not run, refused by name: background responses, stored conversations and prompts, truncation.</summary>
    private static InferenceError? Unsupported(ResponseRequest request)
    {
        if (request.Background == true)
        {
            return InferenceError.Invalid("background responses are not run here: ask with stream, or wait for the answer.", "background");
        }

        if (request.Conversation is { ValueKind: not JsonValueKind.Null })
        {
            return InferenceError.Invalid("conversation objects are not kept here; continue a stored response with previous_response_id.", "conversation");
        }

        if (request.Prompt is { ValueKind: not JsonValueKind.Null })
        {
            return InferenceError.Invalid("stored prompts are not kept here; send instructions and input instead.", "prompt");
        }

        if (request.Truncation is not (null or "disabled"))
        {
            return InferenceError.Invalid(
                $"truncation '{request.Truncation}' is not supported: an input longer than the model's context is refused, never cut silently (use \"disabled\").", "truncation", "invalid_value");
        }

        if (request.Metadata is { Count: > MaxMetadataPairs })
        {
            return InferenceError.Invalid($"metadata holds {request.Metadata.Count} pairs; at most {MaxMetadataPairs} are allowed.", "metadata");
        }

        if (request.Metadata?.FirstOrDefault(p => p.Key.Length > 64 || p.Value.Length > 512) is { Key: not null } tooLong)
        {
            return InferenceError.Invalid($"metadata['{tooLong.Key}']: keys are at most 64 characters and values at most 512.", "metadata");
        }

        return null;
    }

    /// <summary>The function tools and tool_choice in Chat Completions' shape (for the shared checks); hosted tools are refused by type.</summary>
    private static (JsonElement? Tools, JsonElement? Choice, InferenceError? Error) Tools(JsonElement? tools, JsonElement? choice)
    {
        JsonElement? chatTools = null;
        switch (tools)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.Array } array:
                var converted = new JsonArray();
                var index = 0;
                foreach (var tool in array.EnumerateArray())
                {
                    var param = $"tools[{index++}]";
                    var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) ? t.GetString() : null;
                    if (type != "function")
                    {
                        return (null, null, InferenceError.Invalid(
                            type is null ? $"{param} needs a type." : $"{param}: the '{type}' tool is hosted by OpenAI and cannot run here; this platform runs function tools (type function, name, parameters).",
                            $"{param}.type",
                            "invalid_value"));
                    }

                    if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 })
                    {
                        return (null, null, InferenceError.Invalid($"{param}: a function tool needs a name.", $"{param}.name"));
                    }

                    var function = new JsonObject { ["name"] = name.GetString() };
                    foreach (var field in new[] { "description", "parameters", "strict" })
                    {
                        if (tool.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                        {
                            function[field] = JsonNode.Parse(value.GetRawText());
                        }
                    }

                    converted.Add(new JsonObject { ["type"] = "function", ["function"] = function });
                }

                chatTools = JsonSerializer.SerializeToElement(converted);
                break;
            default:
                return (null, null, InferenceError.Invalid("tools must be an array of tools.", "tools"));
        }

        switch (choice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return (chatTools, null, null);
            case { ValueKind: JsonValueKind.String } mode when mode.GetString() is "auto" or "none" or "required":
                return (chatTools, mode, null);
            case { ValueKind: JsonValueKind.Object } named when named.TryGetProperty("type", out var type) && type.GetString() == "function":
                if (!named.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    return (null, null, InferenceError.Invalid("tool_choice: a function choice needs the function's name.", "tool_choice.name"));
                }

                var function = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name.GetString() } };
                return (chatTools, JsonSerializer.SerializeToElement(function), null);
            case { ValueKind: JsonValueKind.Object } other when other.TryGetProperty("type", out var otherType):
                return (null, null, InferenceError.Invalid(
                    $"tool_choice of type '{otherType}' is not supported here; use auto, none, required, or {{\"type\": \"function\", \"name\": ...}}.", "tool_choice", "invalid_value"));
            default:
                return (null, null, InferenceError.Invalid("tool_choice must be auto, none, required, or {\"type\": \"function\", \"name\": ...}.", "tool_choice", "invalid_value"));
        }
    }

    /// <summary><c>text.format</c> as Chat Completions' <c>response_format</c>: text (nothing), json_object, or json_schema.</summary>
    private static (JsonElement? Format, InferenceError? Error) Format(JsonElement? format)
    {
        if (format is not { ValueKind: JsonValueKind.Object } given)
        {
            return format is null or { ValueKind: JsonValueKind.Null } ? (null, null) : (null, InferenceError.Invalid("text.format must be an object.", "text.format"));
        }

        var type = given.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return (null, null);
            case "json_object":
                return (JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "json_object" }), null);
            case "json_schema":
                if (!given.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    return (null, InferenceError.Invalid("text.format.schema must be a JSON schema object.", "text.format.schema"));
                }

                var jsonSchema = new JsonObject { ["schema"] = JsonNode.Parse(schema.GetRawText()) };
                foreach (var field in new[] { "name", "description", "strict" })
                {
                    if (given.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                    {
                        jsonSchema[field] = JsonNode.Parse(value.GetRawText());
                    }
                }

                return (JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "json_schema", ["json_schema"] = jsonSchema }), null);
            default:
                return (null, InferenceError.Invalid($"text.format.type '{type}' is not one of: text, json_object, json_schema.", "text.format.type", "invalid_value"));
        }
    }

    /// <summary>The response as it begins: what was asked, echoed, and no output yet.</summary>
    private static ResponseObject Draft(ResponseRequest request, string model, long created) => new()
    {
        Id = Ids.Response(),
        CreatedAt = created,
        Status = "in_progress",
        Instructions = request.Instructions,
        MaxOutputTokens = request.MaxOutputTokens,
        Model = model,
        Output = [],
        ParallelToolCalls = request.ParallelToolCalls ?? true,
        PreviousResponseId = request.PreviousResponseId,
        Reasoning = request.Reasoning ?? new ResponseReasoning(),
        Store = request.Store != false,
        Temperature = request.Temperature,
        Text = new ResponseText(request.Text?.Format is { ValueKind: JsonValueKind.Object } format ? format : JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "text" })),
        ToolChoice = request.ToolChoice is { ValueKind: not JsonValueKind.Null } choice ? choice : JsonSerializer.SerializeToElement("auto"),
        Tools = request.Tools is { ValueKind: JsonValueKind.Array } tools ? tools : JsonSerializer.SerializeToElement(new JsonArray()),
        TopP = request.TopP,
        User = request.User,
        Metadata = request.Metadata ?? [],
    };
}
