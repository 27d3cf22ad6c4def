using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// What a route whose handler reads and writes its own JSON (to answer bad bodies in its API's error format) takes and
/// returns, for the API's OpenAPI document. The request body is described by <see cref="RequestBodyMetadata"/>, not by
/// ASP.NET Core's accepts metadata, which would also make routing refuse other content types before the handler could
/// answer them in the API's own format.
/// </summary>
public static class RouteDocumentation
{
    public const string Json = "application/json";
    public const string EventStream = "text/event-stream";
    public const string NdJson = "application/x-ndjson";

    /// <summary>A body of <typeparamref name="TRequest"/> answered with <typeparamref name="TResponse"/> (or streamed as <paramref name="streamedAs"/>).</summary>
    public static RouteHandlerBuilder Documented<TRequest, TResponse>(this RouteHandlerBuilder builder, string? streamedAs = null, string contentType = Json)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithMetadata(new RequestBodyMetadata(typeof(TRequest), contentType)).Produces<TResponse>(StatusCodes.Status200OK, Json);
        if (streamedAs is not null)
        {
            builder.Produces<string>(StatusCodes.Status200OK, streamedAs);
        }

        return builder;
    }

    /// <summary>A body of <typeparamref name="TRequest"/>, for a route whose answers are already typed.</summary>
    public static RouteHandlerBuilder Takes<TRequest>(this RouteHandlerBuilder builder, string contentType = Json)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new RequestBodyMetadata(typeof(TRequest), contentType));
    }

    /// <summary>A route without a body answered with <typeparamref name="TResponse"/>.</summary>
    public static RouteHandlerBuilder Returns<TResponse>(this RouteHandlerBuilder builder) =>
        builder.Produces<TResponse>(StatusCodes.Status200OK, Json);
}

/// <summary>The body a route reads itself, for its documentation only (routing ignores it).</summary>
public sealed record RequestBodyMetadata(Type Type, string ContentType);
