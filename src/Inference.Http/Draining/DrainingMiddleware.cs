
using Inference.Serving.Draining;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Inference.Http;

/// <summary>
/// Counts the inference routes' requests while they run, and once the service drains answers new ones 503 with
/// <c>Retry-After</c>, in the error format of the API called.
/// </summary>
internal sealed class DrainingMiddleware(RequestDelegate next, DrainState state, IOptions<DrainingOptions> options)
{
    private const string Message = "This service is shutting down and takes no new requests; send the request again (another replica will answer).";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DrainsOnShutdown>() is null)
        {
            await next(context);
            return;
        }

        if (!state.TryEnter())
        {
            await Refusal(context.Request.Path).ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            state.Exit();
        }
    }

    private RetryAfterResult Refusal(PathString path) =>
        new(RouteErrors.For(path, StatusCodes.Status503ServiceUnavailable, Message, "server_error", "draining", "Service draining"), options.Value.RetryAfter);
}
