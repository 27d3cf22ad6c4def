using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Http;
using Inference.Protocols.OpenAI;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Requests;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>Seed 004's input body on a model's subjects: completions (whole or streamed to the inbox) and embeddings.</summary>
internal sealed partial class NatsResponder
{
    /// <summary>A completion of the input body, answered whole, or streamed to the reply inbox when it asks.</summary>
    private async Task CompleteAsync(ServedModel model, NatsMsg<byte[]> message)
    {
        if (RouteOf(message) is { } route)
        {
            await RouteAsync(model, message, route, NatsRoutes.ChatRoutes);
            return;
        }

        var (read, reqId, error) = Read(model, message);
        if (error is not null || read is not { } body)
        {
            await ReplyErrorAsync(message, reqId, error!);
            return;
        }

        var started = TimeProvider.System.GetTimestamp();
        using var scope = InferenceContext.Begin(new InferenceContext(reqId) { MadeBy = "nats", Affinity = Text(body, "user") });
        using var running = Track(reqId);
        try
        {
            if (body["stream"] is JsonValue stream && stream.TryGetValue(out bool streamed) && streamed)
            {
                await StreamAsync(body, reqId, message, running.Token);
                return;
            }

            var (status, answer) = await services.GetRequiredService<OpenAIRequestRunner>().SendAsync("/v1/completions", JsonSerializer.SerializeToElement(body), running.Token);
            await ReplyAsync(message, status == 200 ? JsonSerializer.SerializeToUtf8Bytes(answer) : ErrorBody(reqId, status, answer));
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
        {
            // The requester gave up: nobody waits for an answer.
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, message.Subject);
            await ReplyErrorAsync(message, reqId, ApiErrors.ForUnhandled(ex));
        }
        finally
        {
            telemetry.Answered(message.Subject, TimeProvider.System.GetElapsedTime(started));
        }
    }

    /// <summary>Each piece of the answer to the reply inbox as the model writes it, then a last message with the totals.</summary>
    private async Task StreamAsync(JsonObject body, string reqId, NatsMsg<byte[]> message, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        body.Remove("stream");
        var (request, readError) = JsonBody.Deserialize(JsonSerializer.SerializeToUtf8Bytes(body), OpenAIJsonContext.Default.CompletionRequest);
        var api = ApiServices.From(services);
        var (prepared, error) = readError is null ? await CompletionsApi.PrepareInputAsync(api, request!, cancellationToken) : (null, readError);
        if (error is not null)
        {
            await ReplyErrorAsync(message, reqId, error);
            return;
        }

        var (model, messages, chatOptions) = prepared!.Value;
        var (updates, any, failure) = await FirstUpdate.AwaitAsync(model.ChatClient.GetStreamingResponseAsync(messages, chatOptions, cancellationToken), "input", cancellationToken);
        if (failure is not null)
        {
            await ReplyErrorAsync(message, reqId, failure);
            return;
        }

        var text = new System.Text.StringBuilder();
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        InferenceError? fault = null;
        await using (updates!)
        {
            for (var more = any; more;)
            {
                var update = updates!.Current;
                usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
                finish = update.FinishReason ?? finish;
                if (update.Text is { Length: > 0 } piece)
                {
                    text.Append(piece);
                    await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(new NatsStreamChunk(reqId, piece), NatsJsonContext.Default.NatsStreamChunk));
                }

                (more, fault) = await FirstUpdate.NextAsync(updates, "input", cancellationToken);
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return; // the requester gave up: the generation stopped, nothing more is sent
        }

        if (fault is not null)
        {
            await ReplyErrorAsync(message, reqId, new InferenceError(500, InferenceError.ServerError, fault.Message, null, "generation_failed"));
            return;
        }

        var done = JsonSerializer.SerializeToNode(
            new InputCompletion(
                text.ToString(),
                (int)(usage?.InputTokenCount ?? 0),
                (int)(usage?.OutputTokenCount ?? 0),
                OpenAISse.FinishReason(finish),
                Math.Round(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds, 1),
                reqId,
                api.Inference.Versioned(model.AnsweredBy.Id)),
            OpenAIJsonContext.Default.InputCompletion)!.AsObject();
        done["done"] = true;
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(done));
    }

    /// <summary>Embeddings of <c>input</c> (a string or strings), answered as OpenAI's embeddings list with the request's id.</summary>
    private async Task EmbedAsync(ServedModel model, NatsMsg<byte[]> message)
    {
        if (RouteOf(message) is { } route)
        {
            await RouteAsync(model, message, route, NatsRoutes.EmbeddingRoutes);
            return;
        }

        var (body, reqId, error) = Read(model, message);
        if (error is not null)
        {
            await ReplyErrorAsync(message, reqId, error);
            return;
        }

        var started = TimeProvider.System.GetTimestamp();
        using var scope = InferenceContext.Begin(new InferenceContext(reqId) { MadeBy = "nats" });
        try
        {
            var request = new JsonObject { ["model"] = model.Id, ["input"] = body!["input"]?.DeepClone() };
            foreach (var field in new[] { "encoding_format", "dimensions", "user" })
            {
                if (body[field] is { } value)
                {
                    request[field] = value.DeepClone();
                }
            }

            var (status, answer) = await services.GetRequiredService<OpenAIRequestRunner>().SendAsync("/v1/embeddings", JsonSerializer.SerializeToElement(request), CancellationToken.None);
            if (status != 200)
            {
                await ReplyAsync(message, ErrorBody(reqId, status, answer));
                return;
            }

            var list = JsonSerializer.SerializeToNode(answer)!.AsObject();
            list["req_id"] = reqId;
            await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(list));
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, message.Subject);
            await ReplyErrorAsync(message, reqId, ApiErrors.ForUnhandled(ex));
        }
        finally
        {
            telemetry.Answered(message.Subject, TimeProvider.System.GetElapsedTime(started));
        }
    }

    /// <summary>The message as a JSON object for <paramref name="model"/>, with its request id; or the error to reply.</summary>
    private (JsonObject? Body, string ReqId, InferenceError? Error) Read(ServedModel model, NatsMsg<byte[]> message)
    {
        var fallbackId = "nats-" + Guid.CreateVersion7().ToString("N");
        if (message.Data is not { Length: > 0 } data)
        {
            return (null, fallbackId, InferenceError.Invalid("The message is empty: send a JSON object (req_id, input, params).", null, "invalid_json"));
        }

        if (data.Length > options.Value.MaxMessageBytes)
        {
            return (null, fallbackId, new InferenceError(413, InferenceError.InvalidRequest, $"The message is {data.Length} bytes; at most {options.Value.MaxMessageBytes} are read.", null, "message_too_large"));
        }

        JsonObject body;
        try
        {
            if (JsonNode.Parse(data, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is not JsonObject parsed)
            {
                return (null, fallbackId, InferenceError.Invalid("The message must be a JSON object (req_id, input, params).", null, "invalid_json"));
            }

            body = parsed;
        }
        catch (JsonException ex)
        {
            return (null, fallbackId, InferenceError.Invalid($"The message is not valid JSON: {ex.Message}", null, "invalid_json"));
        }

        var reqId = Text(body, "req_id") is { } given && !string.IsNullOrWhiteSpace(given) ? given : fallbackId;
        if (Text(body, "model") is { } name && name != model.Id && ModelReference.Parse(name).Name != model.Id)
        {
            return (body, reqId, InferenceError.Invalid($"model '{name}' is not served on {message.Subject}, which serves '{model.Id}'.", "model", "model_mismatch"));
        }

        // The subject names the model (a version it names in model stays).
        body["model"] = Text(body, "model") ?? model.Id;
        return (body, reqId, null);
    }

    private static string? Text(JsonObject body, string name) => body[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private async Task ReplyErrorAsync(NatsMsg<byte[]> message, string? reqId, InferenceError error)
    {
        telemetry.Refused(message.Subject);
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(
            new NatsErrorReply(reqId, new NatsError(error.Message, error.Type, error.Code, error.Param, error.Status)), NatsJsonContext.Default.NatsErrorReply));
    }

    private static byte[] ErrorBody(string reqId, int status, JsonElement answer)
    {
        var error = answer.TryGetProperty("error", out var e) ? e : answer;
        string? Field(string name) => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return JsonSerializer.SerializeToUtf8Bytes(
            new NatsErrorReply(reqId, new NatsError(Field("message") ?? "The request failed.", Field("type") ?? InferenceError.ServerError, Field("code"), Field("param"), status)),
            NatsJsonContext.Default.NatsErrorReply);
    }
}
