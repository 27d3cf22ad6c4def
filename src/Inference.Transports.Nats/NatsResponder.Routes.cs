using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Http;
using Inference.Protocols.OpenAI;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Requests;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;

namespace Inference.Transports.Nats;

/// <summary>OpenAI-compatible calls carried over NATS (a gateway's provider): the route in a header, answered as the route answers.</summary>
internal sealed partial class NatsResponder
{
    /// <summary>
    /// An OpenAI-compatible body for <paramref name="route"/> (a gateway's provider over NATS): answered as the route
    /// answers it, the status in a header; a streamed chat completion as one message per server-sent event's data.
    /// </summary>
    private async Task RouteAsync(ServedModel model, NatsMsg<byte[]> message, string route, IReadOnlyList<string> routes)
    {
        var started = TimeProvider.System.GetTimestamp();
        var requestId = message.Headers?.TryGetValue("x-request-id", out var given) == true && given.ToString() is { Length: > 0 } id ? id : "nats-" + Guid.CreateVersion7().ToString("N");
        using var scope = InferenceContext.Begin(new InferenceContext(requestId) { MadeBy = "nats" });
        using var running = Track(requestId);
        try
        {
            if (!routes.Contains(route))
            {
                await ReplyRouteErrorAsync(message, new InferenceError(404, InferenceError.InvalidRequest, $"{message.Subject} does not answer {route}; it answers {string.Join(", ", routes)}.", null, "unknown_url"));
                return;
            }

            var (read, _, error) = Read(model, message);
            if (error is not null || read is not { } body)
            {
                await ReplyRouteErrorAsync(message, error!);
                return;
            }

            if (route == "/v1/chat/completions" && body["stream"] is JsonValue stream && stream.TryGetValue(out bool streamed) && streamed)
            {
                var (request, readError) = JsonBody.Deserialize(JsonSerializer.SerializeToUtf8Bytes(body), OpenAIJsonContext.Default.ChatCompletionRequest);
                var (data, failure) = readError is null ? await ChatCompletionsApi.StreamDataAsync(request!, ApiServices.From(services), running.Token) : (null, readError);
                if (failure is not null)
                {
                    await ReplyRouteErrorAsync(message, failure);
                    return;
                }

                await foreach (var item in data!)
                {
                    await ReplyAsync(message, Encoding.UTF8.GetBytes(item), 200);
                }

                return;
            }

            var (status, answer) = await services.GetRequiredService<OpenAIRequestRunner>().SendAsync(route, JsonSerializer.SerializeToElement(body), running.Token);
            await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(answer), status);
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
        {
            // The requester gave up: nobody waits for an answer.
        }
        catch (Exception ex)
        {
            Log.Failed(logger, ex, message.Subject);
            await ReplyRouteErrorAsync(message, ApiErrors.ForUnhandled(ex));
        }
        finally
        {
            telemetry.Answered(message.Subject, TimeProvider.System.GetElapsedTime(started));
        }
    }

    private static string? RouteOf(NatsMsg<byte[]> message) =>
        message.Headers?.TryGetValue(NatsRoutes.RouteHeader, out var route) == true && route.ToString() is { Length: > 0 } value ? value : null;

    private async Task ReplyRouteErrorAsync(NatsMsg<byte[]> message, InferenceError error)
    {
        telemetry.Refused(message.Subject);
        await ReplyAsync(message, JsonSerializer.SerializeToUtf8Bytes(ApiErrors.OpenAIBody(error), ErrorJsonContext.Default.OpenAIErrorResponse), error.Status);
    }
}
