using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Ollama;

/// <summary>
/// Ollama's API over the same models (<c>/api/chat</c>, <c>/api/generate</c>, <c>/api/embed</c>, <c>/api/tags</c>,
/// <c>/api/show</c>, <c>/api/version</c>), so Ollama clients such as OllamaSharp work unchanged. Streams are NDJSON.
/// </summary>
public static class OllamaApi
{
    /// <summary>The Ollama version whose API this surface follows.</summary>
    public const string CompatibleVersion = "0.6.0";

    public static RouteGroupBuilder MapOllamaApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api").WithTags("Ollama");
        api.MapGet("/version", () => TypedResults.Json(new OllamaVersion(CompatibleVersion), OllamaJsonContext.Default.OllamaVersion)).Returns<OllamaVersion>();
        api.MapGet("/tags", Tags).Returns<OllamaTags>();
        api.MapPost("/show", ShowAsync).Documented<OllamaShowRequest, OllamaShowResponse>();
        api.MapPost("/chat", ChatAsync).Drains().Documented<OllamaChatRequest, OllamaChatChunk>(RouteDocumentation.NdJson);
        api.MapPost("/generate", GenerateAsync).Drains().Documented<OllamaGenerateRequest, OllamaGenerateChunk>(RouteDocumentation.NdJson);
        api.MapPost("/embed", EmbedAsync).Drains().Documented<OllamaEmbedRequest, OllamaEmbedResponse>();
        api.MapPost("/embeddings", EmbeddingsAsync).Drains().Documented<OllamaEmbeddingsRequest, OllamaEmbeddingsResponse>();
        api.MapGet("/ps", Processes).Returns<OllamaProcesses>();
        return api;
    }

    private const string BadKeepAlive = "keep_alive must be a duration (\"5m\", \"30s\"), a number of seconds, 0 or -1";

    internal static IResult Error(int status, string message) => ApiErrors.Ollama(status, message);

    /// <summary>Ollama's <c>/api/ps</c>: the local models in memory, their size and when they unload.</summary>
    private static IResult Processes([AsParameters] ApiServices services)
    {
        var residency = services.Services.GetService<ModelResidency>();
        var loaded = residency?.Models.Where(m => m.IsLoaded).ToList() ?? [];
        return TypedResults.Json(new OllamaProcesses([.. loaded.Select(m =>
        {
            var served = services.Catalog.Find(m.Id);
            var expires = m.ExpiresAt ?? (m.Leases > 0 || m.DefaultKeepAlive < TimeSpan.Zero ? DateTimeOffset.MaxValue.AddYears(-1).ToUniversalTime() : services.Time.GetUtcNow() + m.DefaultKeepAlive);
            return new OllamaProcess(m.Id, m.Id, m.SizeBytes, "", served is null ? new OllamaModelDetails("", "", "", "") : Details(served), expires, 0, served?.ContextLength);
        })]), OllamaJsonContext.Default.OllamaProcesses);
    }

    /// <summary>A request without a prompt: loads the model (keep_alive from then on), or unloads it with keep_alive 0.</summary>
    private static async Task<(string DoneReason, IResult? Error)> LoadOrUnloadAsync(RoutedModel model, TimeSpan? keepAlive, ApiServices services, CancellationToken cancellationToken)
    {
        if (services.Services.GetService<ModelResidency>()?.Find(model.Id) is not { } resident)
        {
            // A remote model: its provider decides what stays loaded.
            return (keepAlive == TimeSpan.Zero ? "unload" : "load", null);
        }

        if (keepAlive == TimeSpan.Zero)
        {
            // Now, or once the requests running now end.
            resident.UnloadWhenIdle();
            return ("unload", null);
        }

        try
        {
            await resident.AcquireAsync(cancellationToken);
            resident.Release(keepAlive, services.Time.GetUtcNow());
            return ("load", null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "model") is { } mapped)
        {
            return ("load", ApiErrors.Ollama(mapped));
        }
    }

    private static void WithKeepAlive(ChatOptions options, TimeSpan? keepAlive)
    {
        if (keepAlive is { } keep)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.KeepAlive] = keep;
        }
    }

    private static IResult Tags(HttpContext http, [AsParameters] ApiServices services) =>
        TypedResults.Json(new OllamaTags([.. services.Catalog.Models.Where(m => HttpCaller.MayUse(http, m.Id)).Select(m => new OllamaModel(m.Id, m.Id, m.Created, 0, "", Details(m)))]), OllamaJsonContext.Default.OllamaTags);

    private static async Task<IResult> ShowAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, error) = await JsonBody.ReadAsync(http.Request, OllamaJsonContext.Default.OllamaShowRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Error);
        if (error is not null)
        {
            return error;
        }

        if (Resolve(services, request!.Model ?? request.Name, kind: null, out var model) is { } modelError)
        {
            return modelError;
        }

        var info = ModelInfo(model.Model);
        var template = model.Model.Description.ChatTemplateText ?? model.Model.ChatTemplate ?? "";
        List<string> capabilities = [model.Kind == ModelKind.Chat ? "completion" : ModelKindNames.Of(model.Kind)];
        if (model.Kind == ModelKind.Chat && model.Model.Description.ChatTemplate is not null)
        {
            // Every chat template takes tools (described in the system message where the template does not write them).
            capabilities.Add("tools");
        }

        if (model.Model.Description.Reasoning is not null)
        {
            capabilities.Add("thinking");
        }

        return TypedResults.Json(new OllamaShowResponse("", "", template, Details(model.Model), info, capabilities), OllamaJsonContext.Default.OllamaShowResponse);
    }

    private static async Task<IResult> ChatAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, model, keepAlive, error) = await ReadAsync(http, services, OllamaJsonContext.Default.OllamaChatRequest, ModelKind.Chat);
        if (error is not null)
        {
            return error;
        }

        if (request.Messages is { Count: 0 } or null)
        {
            // Ollama: no messages loads the model (or, with keep_alive 0, unloads it).
            var reason = await LoadOrUnloadAsync(model, keepAlive, services, cancellationToken);
            return reason.Error ?? TypedResults.Json(
                new OllamaChatChunk(model.Id, services.Time.GetUtcNow(), new OllamaMessage("assistant", ""), true, reason.DoneReason), OllamaJsonContext.Default.OllamaChatChunk);
        }

        if (request.Messages.Count > services.Options.Value.MaxMessages)
        {
            return Error(400, $"messages holds {request.Messages.Count} messages; at most {services.Options.Value.MaxMessages} are allowed");
        }

        if (request.Messages.Any(m => m?.Role is not ("system" or "user" or "assistant" or "tool")))
        {
            return Error(400, "messages must be system, user, assistant and tool messages");
        }

        var (options, optionsError) = await OptionsAsync(request.Options, request.Format, request.Tools, model, services, cancellationToken, request.ToolChoice);
        if (optionsError is not null)
        {
            return optionsError;
        }

        WithKeepAlive(options, keepAlive);
        if (ApiReasoning(options, request.Think) is { } thinkError)
        {
            return thinkError;
        }

        return await RespondAsync(model, Messages(request.Messages!), options, request.Stream ?? true, (text, thinking, calls, done, usage, reason) => JsonSerializer.Serialize(
            new OllamaChatChunk(model.AnsweredBy.Id, services.Time.GetUtcNow(), new OllamaMessage("assistant", text, calls, Thinking: thinking), done, reason, usage.Prompt, usage.Completion, usage.Duration),
            OllamaJsonContext.Default.OllamaChatChunk), cancellationToken);
    }

    private static async Task<IResult> GenerateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, model, keepAlive, error) = await ReadAsync(http, services, OllamaJsonContext.Default.OllamaGenerateRequest, ModelKind.Chat);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(request.Prompt))
        {
            // Ollama: no prompt loads the model (or, with keep_alive 0, unloads it).
            var reason = await LoadOrUnloadAsync(model, keepAlive, services, cancellationToken);
            return reason.Error ?? TypedResults.Json(
                new OllamaGenerateChunk(model.Id, services.Time.GetUtcNow(), "", true, reason.DoneReason), OllamaJsonContext.Default.OllamaGenerateChunk);
        }

        var (options, optionsError) = await OptionsAsync(request.Options, request.Format, null, model, services, cancellationToken);
        if (optionsError is not null)
        {
            return optionsError;
        }

        WithKeepAlive(options, keepAlive);
        List<ChatMessage> messages = [new(ChatRole.User, request.Prompt)];
        if (request.Raw == true)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.RawPrompt] = true;
        }
        else if (request.System is { Length: > 0 } system)
        {
            messages.Insert(0, new ChatMessage(ChatRole.System, system));
        }

        if (ApiReasoning(options, request.Think) is { } thinkError)
        {
            return thinkError;
        }

        return await RespondAsync(model, messages, options, request.Stream ?? true, (text, thinking, _, done, usage, reason) => JsonSerializer.Serialize(
            new OllamaGenerateChunk(model.AnsweredBy.Id, services.Time.GetUtcNow(), text, done, reason, usage.Prompt, usage.Completion, usage.Duration, thinking),
            OllamaJsonContext.Default.OllamaGenerateChunk), cancellationToken);
    }

    private static async Task<IResult> EmbedAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, model, keepAlive, error) = await ReadAsync(http, services, OllamaJsonContext.Default.OllamaEmbedRequest, ModelKind.Embedding);
        if (error is not null)
        {
            return error;
        }

        List<string> inputs = request.Input switch
        {
            { ValueKind: JsonValueKind.String } s => [s.GetString()!],
            { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => [.. a.EnumerateArray().Select(e => e.GetString()!)],
            _ => [],
        };
        if (inputs.Count == 0 || inputs.Any(i => i.Length == 0))
        {
            return Error(400, "input must be a non-empty string or array of non-empty strings");
        }

        var (embeddings, failure) = await GenerateEmbeddingsAsync(model, inputs, keepAlive, cancellationToken);
        return failure ?? TypedResults.Json(
            new OllamaEmbedResponse(model.AnsweredBy.Id, [.. embeddings!.Select(e => e.Vector.ToArray())], (int)(embeddings!.Usage?.InputTokenCount ?? 0)),
            OllamaJsonContext.Default.OllamaEmbedResponse);
    }

    /// <summary>
    /// Ollama's older <c>/api/embeddings</c> (what ollama-js's <c>embeddings()</c> calls): one prompt's vector. An empty
    /// prompt loads the model (or unloads it, with keep_alive 0) and answers an empty vector, as Ollama does.
    /// </summary>
    private static async Task<IResult> EmbeddingsAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, model, keepAlive, error) = await ReadAsync(http, services, OllamaJsonContext.Default.OllamaEmbeddingsRequest, ModelKind.Embedding);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(request.Prompt))
        {
            var (_, loadError) = await LoadOrUnloadAsync(model, keepAlive, services, cancellationToken);
            return loadError ?? TypedResults.Json(new OllamaEmbeddingsResponse([]), OllamaJsonContext.Default.OllamaEmbeddingsResponse);
        }

        var (embeddings, failure) = await GenerateEmbeddingsAsync(model, [request.Prompt], keepAlive, cancellationToken);
        return failure ?? TypedResults.Json(new OllamaEmbeddingsResponse(embeddings![0].Vector.ToArray()), OllamaJsonContext.Default.OllamaEmbeddingsResponse);
    }

    /// <summary>The vectors of <paramref name="inputs"/>, or the error in Ollama's shape.</summary>
    private static async Task<(GeneratedEmbeddings<Embedding<float>>? Embeddings, IResult? Error)> GenerateEmbeddingsAsync(
        RoutedModel model, List<string> inputs, TimeSpan? keepAlive, CancellationToken cancellationToken)
    {
        try
        {
            var options = keepAlive is { } keep ? new EmbeddingGenerationOptions { AdditionalProperties = new() { [EngineChatOptions.KeepAlive] = keep } } : null;
            return (await model.EmbeddingGenerator.GenerateAsync(inputs, options, cancellationToken), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "input") is { } mapped)
        {
            return (null, ApiErrors.Ollama(mapped));
        }
    }

    private delegate string Render(string text, string? thinking, List<OllamaToolCall>? calls, bool done, (int? Prompt, int? Completion, long? Duration) usage, string? doneReason);

    private static IResult? ApiReasoning(ChatOptions options, JsonElement? think) =>
        ReasoningFields.ReadThink(options, think) is { } error ? ApiErrors.Ollama(error) : null;

    /// <summary>The reasoning among <paramref name="contents"/>, or null when there is none.</summary>
    private static string? Thinking(IEnumerable<AIContent> contents)
    {
        var thinking = string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text));
        return thinking.Length > 0 ? thinking : null;
    }

    /// <summary>Ollama's messages as MEAI's: tool calls get ids (Ollama has none) that the following tool results answer in order.</summary>
    private static List<ChatMessage> Messages(List<OllamaMessage?> requested)
    {
        var messages = new List<ChatMessage>();
        var pending = new Queue<string>();
        var next = 0;
        foreach (var m in requested)
        {
            if (m!.Role == "tool")
            {
                var callId = pending.TryDequeue(out var id) ? id : $"call_{next++}";
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, m.Content ?? "")]));
                continue;
            }

            var message = new ChatMessage(new ChatRole(m.Role!), m.Content ?? "");
            if (m.Role == "assistant" && !string.IsNullOrEmpty(m.Thinking))
            {
                message.Contents.Insert(0, new TextReasoningContent(m.Thinking));
            }
            foreach (var call in m.ToolCalls ?? [])
            {
                if (call.Function?.Name is not { Length: > 0 } name)
                {
                    continue;
                }

                var callId = $"call_{next++}";
                pending.Enqueue(callId);
                message.Contents.Add(new FunctionCallContent(callId, name, Inference.Engines.Structured.ToolCallSyntax.Arguments(call.Function.Arguments ?? default)));
            }

            messages.Add(message);
        }

        return messages;
    }

    private static List<OllamaToolCall>? ToolCalls(IEnumerable<AIContent> contents)
    {
        var calls = contents.OfType<FunctionCallContent>()
            .Select(c => new OllamaToolCall(new OllamaFunctionCall(c.Name, JsonSerializer.SerializeToElement(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions))))
            .ToList();
        return calls.Count > 0 ? calls : null;
    }

    /// <summary>One JSON object, or NDJSON lines ending with a done object carrying the counts.</summary>
    private static async Task<IResult> RespondAsync(RoutedModel model, List<ChatMessage> messages, ChatOptions options, bool stream, Render render, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (first, any, error) = await FirstUpdate.AwaitAsync(model.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken), "messages", cancellationToken);
        if (error is not null)
        {
            return ApiErrors.Ollama(error);
        }

        var updates = first!;

        // Ollama says "stop" when it answers with tool calls.
        string Final(UsageDetails? usage, ChatFinishReason? reason, string text, string? thinking = null, List<OllamaToolCall>? calls = null) => render(
            text,
            thinking,
            calls,
            true,
            ((int?)usage?.InputTokenCount, (int?)usage?.OutputTokenCount, (long)Stopwatch.GetElapsedTime(started).TotalNanoseconds),
            reason == ChatFinishReason.ToolCalls ? "stop" : FinishReasons.Name(reason) ?? "stop");

        if (!stream)
        {
            var response = new ChatResponse();
            try
            {
                var collected = new List<ChatResponseUpdate>();
                for (var more = any; more; more = await updates.MoveNextAsync())
                {
                    collected.Add(updates.Current);
                }

                response = collected.ToChatResponse();
            }
            catch (Exception ex) when (InferenceErrors.FromException(ex, "messages") is { } mapped)
            {
                return ApiErrors.Ollama(mapped);
            }
            finally
            {
                await updates.DisposeAsync();
            }

            var contents = response.Messages.SelectMany(m => m.Contents).ToList();
            return TypedResults.Text(Final(response.Usage, response.FinishReason, response.Text, Thinking(contents), ToolCalls(contents)), "application/json");
        }

        return TypedResults.Stream(
            async body =>
            {
                await using var writer = new StreamWriter(body, leaveOpen: true) { AutoFlush = false, NewLine = "\n" };
                UsageDetails? usage = null;
                ChatFinishReason? reason = null;
                try
                {
                    for (var more = any; more; more = await updates.MoveNextAsync())
                    {
                        var update = updates.Current;
                        usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                        reason = update.FinishReason ?? reason;
                        var calls = ToolCalls(update.Contents);
                        var thinking = Thinking(update.Contents);
                        if (update.Text.Length > 0 || calls is not null || thinking is not null)
                        {
                            await writer.WriteLineAsync(render(update.Text, thinking, calls, false, default, null));
                            await writer.FlushAsync(cancellationToken);
                        }
                    }

                    await writer.WriteLineAsync(Final(usage, reason, ""));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    await updates.DisposeAsync();
                }

                await writer.FlushAsync(cancellationToken);
            },
            "application/x-ndjson");
    }

    /// <summary>A request's body, the model it names (of <paramref name="kind"/>) and its keep_alive; or the Ollama error that answers it instead.</summary>
    private static async Task<(T Request, RoutedModel Model, TimeSpan? KeepAlive, IResult? Error)> ReadAsync<T>(
        HttpContext http, ApiServices services, JsonTypeInfo<T> type, ModelKind kind)
        where T : class, IOllamaModelRequest
    {
        var (request, error) = await JsonBody.ReadAsync(http.Request, type, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted, Error);
        if (error is not null)
        {
            return (null!, null!, null, error);
        }

        if (Resolve(services, request!.Model, kind, out var model) is { } modelError)
        {
            return (request, null!, null, modelError);
        }

        return KeepAlive.TryRead(request.KeepAlive, out var keepAlive) ? (request, model, keepAlive, null) : (request, model, null, Error(400, BadKeepAlive));
    }

    private static IResult? Resolve(ApiServices services, string? id, ModelKind? kind, out RoutedModel model)
    {
        var lookup = services.Inference.Find(id);
        model = lookup.Model!;
        return lookup.Failure switch
        {
            ModelLookupFailure.None when kind is { } k && lookup.Model!.Kind != k => Error(400, $"\"{id}\" does not support {(k == ModelKind.Chat ? "chat" : "embeddings")}"),
            ModelLookupFailure.None => null,
            ModelLookupFailure.Blank => Error(400, "model is required"),
            ModelLookupFailure.NotReady => Error(503, "models are still loading"),
            _ => Error(404, $"model '{id}' not found"),
        };
    }

    /// <summary>Ollama's options, format and tools, checked by the same rules as every surface's.</summary>
    private static async Task<(ChatOptions Options, IResult? Error)> OptionsAsync(
        OllamaOptions? options, JsonElement? format, JsonElement? tools, RoutedModel model, ApiServices services, CancellationToken cancellationToken, JsonElement? toolChoice = null)
    {
        if (ReadFormat(format, out var responseFormat) is { } formatError)
        {
            return (new ChatOptions(), formatError);
        }

        var sampling = new SamplingParameters
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            MinP = options?.MinP,
            Seed = options?.Seed,
            MaxTokens = options?.NumPredict is int n && n >= 0 ? n : null,
            Stop = options?.Stop,
            RepetitionPenalty = options?.RepeatPenalty,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
        };
        var (chatOptions, error) = await SamplingFields.ReadAsync(
            sampling, null, model.Model, services.Grammars, cancellationToken, new OutputFields(Tools: tools, ToolChoice: toolChoice, Format: responseFormat));
        return (chatOptions, error is null ? null : Error(400, error.Message));
    }

    /// <summary>Ollama's format: "json" is any JSON object, a schema is that schema, "" or none is free text.</summary>
    private static IResult? ReadFormat(JsonElement? format, out ChatResponseFormat? responseFormat)
    {
        responseFormat = null;
        switch (format)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s when s.GetString() == "":
                return null;
            case { ValueKind: JsonValueKind.String } s when s.GetString() == "json":
                responseFormat = ChatResponseFormat.Json;
                return null;
            case { ValueKind: JsonValueKind.Object } schema:
                responseFormat = ChatResponseFormat.ForJsonSchema(schema.Clone(), "format");
                return null;
            default:
                return Error(400, "format must be \"json\" or a JSON schema object");
        }
    }

    private static OllamaModelDetails Details(ServedModel model) =>
        new(model.Format ?? "", Family(model), ParameterSize(model.ParameterCount), model.Quantization ?? "");

    private static string Family(ServedModel model) => model.Architecture ?? (model.Kind == ModelKind.Chat ? "decoder" : "encoder");

    /// <summary>
    /// Ollama's model_info: the model's own metadata keys (GGUF's, as Ollama shows them), then the general facts under
    /// Ollama's names (<c>general.architecture</c>, <c>general.parameter_count</c>, <c>&lt;arch&gt;.context_length</c>,
    /// <c>&lt;arch&gt;.embedding_length</c>).
    /// </summary>
    private static Dictionary<string, object> ModelInfo(ServedModel model)
    {
        var family = Family(model);
        var info = new Dictionary<string, object>(model.Metadata, StringComparer.Ordinal) { ["general.architecture"] = family };
        if (model.ParameterCount is long parameters)
        {
            info["general.parameter_count"] = parameters;
        }

        if (model.ContextLength is int context)
        {
            info[$"{family}.context_length"] = context;
        }

        if ((model.Dimensions ?? model.EmbeddingLength) is int embedding)
        {
            info[$"{family}.embedding_length"] = embedding;
        }

        return info;
    }

    /// <summary>Ollama's short form: 984.19K, 135.00M, 7.24B.</summary>
    private static string ParameterSize(long? count) => count switch
    {
        null => "",
        >= 1_000_000_000 => $"{count / 1e9:0.00}B",
        >= 1_000_000 => $"{count / 1e6:0.00}M",
        >= 1_000 => $"{count / 1e3:0.00}K",
        _ => count.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
