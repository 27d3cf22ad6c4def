using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Inference.Engines.Structured;
using Inference.Engines.Templates;
using Inference.Http;
using Inference.Serving;
using Inference.Serving.Remote;
using Inference.Serving.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c>, whole or streamed as Anthropic's events, and <c>POST /v1/messages/count_tokens</c>, over
/// every chat model served here (local or remote), with their reasoning as thinking blocks and their calls as tool_use.
/// </summary>
internal static class AnthropicApi
{
    private const string Endpoint = "/v1/messages";

    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, AnthropicJsonContext.Default.MessagesRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken, Error);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.MaxTokens is not int maxTokens || maxTokens < 1)
        {
            return Error(InferenceError.Invalid("max_tokens: Field required (a number of tokens, at least 1).", "max_tokens"));
        }

        var (prepared, error) = await PrepareAsync(request, services, cancellationToken);
        if (error is not null)
        {
            return Error(error);
        }

        var (model, messages, options) = prepared!.Value;
        var id = "msg_" + Guid.NewGuid().ToString("N")[..24];
        if (request.Stream == true)
        {
            return await StreamAsync(model, messages, options, id, cancellationToken);
        }

        try
        {
            var response = await model.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return TypedResults.Json(Message(id, response.ModelId ?? model.Id, response), AnthropicJsonContext.Default.MessageResponse);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "messages") is { } mapped)
        {
            return Error(mapped);
        }
    }

    public static async Task<IResult> CountTokensAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, AnthropicJsonContext.Default.MessagesRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken, Error);
        if (bodyError is not null)
        {
            return bodyError;
        }

        // A model a Worker serves is counted there, with its own template and tokenizer.
        var lookup = services.Inference.Find(request!.Model, ModelKind.Chat);
        if (lookup.Model is { } remote && ModelForwarding.CanForward(remote.Model))
        {
            var body = JsonSerializer.SerializeToNode(request, AnthropicJsonContext.Default.MessagesRequest)!.AsObject();
            return await Forwarded.PostAsync(http, remote.Model, "/v1/messages/count_tokens", body);
        }

        var (prepared, error) = await PrepareAsync(request, services, cancellationToken);
        if (error is not null)
        {
            return Error(error);
        }

        var (model, messages, options) = prepared!.Value;
        if (model.ChatClient.GetService(typeof(ChatFormat)) is not ChatFormat format || model.ChatClient.GetService(typeof(IPromptTokenizer)) is not IPromptTokenizer tokenizer)
        {
            return Error(InferenceError.Invalid($"Model '{model.Id}' does not show its template and tokenizer here, so its tokens cannot be counted.", "model"));
        }

        try
        {
            var prompt = StructuredOutput.Create(messages, options, format, model.Id).Prompt.Text;
            return TypedResults.Json(new TokenCount(tokenizer.Tokenize(prompt, addSpecial: false).Count), AnthropicJsonContext.Default.TokenCount);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "messages") is { } mapped)
        {
            return Error(mapped);
        }
    }

    private static async Task<((RoutedModel Model, List<ChatMessage> Messages, ChatOptions Options)? Prepared, InferenceError? Error)> PrepareAsync(
        MessagesRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var lookup = services.Inference.Find(request.Model, ModelKind.Chat, request.Metadata?.UserId);
        if (lookup.Failure != ModelLookupFailure.None)
        {
            return (null, lookup.Failure switch
            {
                ModelLookupFailure.Blank => InferenceError.Invalid("model: Field required.", "model"),
                ModelLookupFailure.NotReady => InferenceError.NotReady(),
                ModelLookupFailure.WrongKind => InferenceError.Invalid($"model: '{lookup.Requested}' is not a chat model.", "model"),
                _ => InferenceError.ModelNotFound(lookup.Requested),
            });
        }

        if (request.Messages?.Count > services.Options.Value.MaxMessages)
        {
            return (null, InferenceError.Invalid($"messages holds {request.Messages.Count} messages; at most {services.Options.Value.MaxMessages} are allowed.", "messages"));
        }

        if (AnthropicMessages.Read(request, out var messages) is { } messagesError)
        {
            return (null, messagesError);
        }

        if (AnthropicMessages.Tools(request.Tools, request.ToolChoice, out var tools, out var toolChoice) is { } toolsError)
        {
            return (null, toolsError);
        }

        var model = lookup.Model!;
        var sampling = new SamplingParameters
        {
            MaxTokens = request.MaxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            Stop = request.StopSequences,
        };
        var parallel = request.ToolChoice?.DisableParallelToolUse is true ? false : (bool?)null;
        var (options, error) = await SamplingFields.ReadAsync(
            sampling, null, model.Model, services.Grammars, cancellationToken, new OutputFields(Tools: tools, ToolChoice: toolChoice, ParallelToolCalls: parallel));
        if (error is not null)
        {
            return (null, error);
        }

        switch (request.Thinking)
        {
            case null:
                break;
            case { Type: "enabled" } enabled:
                options.Reasoning = new ReasoningOptions { Output = ReasoningOutput.Full };
                if (enabled.BudgetTokens is int budget)
                {
                    (options.AdditionalProperties ??= [])[EngineChatOptions.ReasoningBudget] = Math.Max(0, budget);
                }

                break;
            case { Type: "disabled" }:
                options.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None };
                break;
            default:
                return (null, InferenceError.Invalid("thinking.type must be \"enabled\" or \"disabled\".", "thinking.type"));
        }

        return ((model, messages, options), null);
    }

    /// <summary>The whole answer: its thinking, text and tool_use blocks in the order the model wrote them.</summary>
    private static MessageResponse Message(string id, string model, ChatResponse response)
    {
        var blocks = new List<ContentBlock>();
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case TextReasoningContent { Text.Length: > 0 } reasoning when blocks is [.., { Type: "thinking" } last]:
                    blocks[^1] = last with { Thinking = last.Thinking + reasoning.Text };
                    break;
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    blocks.Add(ContentBlock.OfThinking(reasoning.Text));
                    break;
                case TextContent { Text.Length: > 0 } text when blocks is [.., { Type: "text" } last]:
                    blocks[^1] = last with { Text = last.Text + text.Text };
                    break;
                case TextContent { Text.Length: > 0 } text:
                    blocks.Add(ContentBlock.OfText(text.Text));
                    break;
                case FunctionCallContent call:
                    blocks.Add(ContentBlock.OfToolUse(ToolUseId(call.CallId), call.Name, Input(call)));
                    break;
            }
        }

        return new MessageResponse(id, model, blocks, AnthropicMessages.StopReason(response.FinishReason, null), null, Usage(response.Usage));
    }

    private static async Task<IResult> StreamAsync(RoutedModel model, List<ChatMessage> messages, ChatOptions options, string id, CancellationToken cancellationToken)
    {
        var (updates, any, error) = await FirstUpdate.AwaitAsync(model.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken), "messages", cancellationToken);
        return error is not null ? Error(error) : TypedResults.ServerSentEvents(Events(updates!, any, model.Id, id, cancellationToken));
    }

    /// <summary>
    /// Anthropic's event sequence: message_start, a ping, then each block opened, its deltas and closed as the model
    /// moves from thinking to text to calls, message_delta with the stop reason and usage, message_stop.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> Events(
        IAsyncEnumerator<ChatResponseUpdate> updates, bool any, string model, string id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        var index = -1;
        string? open = null;
        var started = false;
        InferenceError? failure = null;
        try
        {
            for (var more = any; more;)
            {
                var update = updates.Current;
                if (!started)
                {
                    started = true;
                    var answering = update.ModelId ?? model;
                    yield return Event("message_start", new AnthropicEvent("message_start") { Message = new MessageResponse(id, answering, [], null, null, new AnthropicUsage(0, 0)) });
                    yield return Event("ping", new AnthropicEvent("ping"));
                }

                usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                finish = update.FinishReason ?? finish;
                foreach (var content in update.Contents)
                {
                    var (kind, delta) = content switch
                    {
                        TextReasoningContent { Text.Length: > 0 } r => ("thinking", new EventDelta { Type = "thinking_delta", Thinking = r.Text }),
                        TextContent { Text.Length: > 0 } t => ("text", new EventDelta { Type = "text_delta", Text = t.Text }),
                        _ => ((string?)null, (EventDelta?)null),
                    };
                    if (content is FunctionCallContent call)
                    {
                        foreach (var item in Close(ref open, index))
                        {
                            yield return item;
                        }

                        index++;
                        yield return Event("content_block_start", new AnthropicEvent("content_block_start")
                        {
                            Index = index,
                            ContentBlock = ContentBlock.OfToolUse(ToolUseId(call.CallId), call.Name, JsonSerializer.SerializeToElement(new { })),
                        });
                        yield return Event("content_block_delta", new AnthropicEvent("content_block_delta")
                        {
                            Index = index,
                            Delta = new EventDelta { Type = "input_json_delta", PartialJson = Input(call).GetRawText() },
                        });
                        yield return Event("content_block_stop", new AnthropicEvent("content_block_stop") { Index = index });
                        continue;
                    }

                    if (kind is null)
                    {
                        continue;
                    }

                    if (open != kind)
                    {
                        foreach (var item in Close(ref open, index))
                        {
                            yield return item;
                        }

                        index++;
                        open = kind;
                        yield return Event("content_block_start", new AnthropicEvent("content_block_start")
                        {
                            Index = index,
                            ContentBlock = kind == "thinking" ? ContentBlock.OfThinking("") : ContentBlock.OfText(""),
                        });
                    }

                    yield return Event("content_block_delta", new AnthropicEvent("content_block_delta") { Index = index, Delta = delta });
                }

                (more, failure) = await FirstUpdate.NextAsync(updates, "messages", cancellationToken);
            }

            foreach (var item in Close(ref open, index))
            {
                yield return item;
            }

            if (failure is not null)
            {
                yield return Event("error", new AnthropicEvent("error") { Error = new AnthropicError("api_error", failure.Message) });
                yield break;
            }

            yield return Event("message_delta", new AnthropicEvent("message_delta")
            {
                Delta = new EventDelta { StopReason = AnthropicMessages.StopReason(finish, null) },
                Usage = new OutputUsage((int)(usage?.OutputTokenCount ?? 0)),
            });
            yield return Event("message_stop", new AnthropicEvent("message_stop"));
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }

    /// <summary>Closes the open text or thinking block (a thinking block gets its signature first, empty here).</summary>
    private static IEnumerable<SseItem<string>> Close(ref string? open, int index)
    {
        if (open is null)
        {
            return [];
        }

        List<SseItem<string>> events = [];
        if (open == "thinking")
        {
            events.Add(Event("content_block_delta", new AnthropicEvent("content_block_delta") { Index = index, Delta = new EventDelta { Type = "signature_delta", Signature = "" } }));
        }

        events.Add(Event("content_block_stop", new AnthropicEvent("content_block_stop") { Index = index }));
        open = null;
        return events;
    }

    private static SseItem<string> Event(string type, AnthropicEvent data) =>
        new(JsonSerializer.Serialize(data, AnthropicJsonContext.Default.AnthropicEvent), type);

    private static AnthropicUsage Usage(UsageDetails? usage) =>
        new((int)(usage?.InputTokenCount ?? 0), (int)(usage?.OutputTokenCount ?? 0), usage?.CachedInputTokenCount is long cached ? (int)cached : null);

    private static JsonElement Input(FunctionCallContent call) =>
        JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions);

    /// <summary>Anthropic's tool_use ids start with toolu_; a call's own id is kept inside, so that its result finds it.</summary>
    private static string ToolUseId(string callId) => callId.StartsWith("toolu_", StringComparison.Ordinal) ? callId : "toolu_" + callId;

    /// <summary>Anthropic's error body, its type told by the status.</summary>
    public static IResult Error(InferenceError error) => ApiErrors.WithRetryAfter(Error(error.Status, error.Message), error);

    public static IResult Error(int status, string message) => ApiErrors.Anthropic(status, message);
}
