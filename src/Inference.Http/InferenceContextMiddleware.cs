using Inference.Serving;
using Microsoft.AspNetCore.Http;

namespace Inference.Http;

/// <summary>
/// Begins each request's <see cref="InferenceContext"/> for the serving core (its id, its authenticated caller, who
/// made it and who it is for), and once the response starts says which model answered: <c>x-inference-model</c>, and
/// <c>x-inference-fallback</c> (the model routed to) when a fallback did.
/// </summary>
internal sealed class InferenceContextMiddleware(RequestDelegate next)
{
    public const string ModelHeader = "x-inference-model";
    public const string FallbackHeader = "x-inference-fallback";

    public async Task InvokeAsync(HttpContext http)
    {
        var context = new InferenceContext(RequestIdMiddleware.IdOf(http))
        {
            Caller = HttpCaller.Of(http),
            MadeBy = HttpCaller.MadeBy(http),
            Affinity = HttpCaller.Identity(http),
        };
        http.Features.Set(context);
        http.Response.OnStarting(static state =>
        {
            var (response, context) = ((HttpResponse, InferenceContext))state;
            if (context.Route is { } route)
            {
                response.Headers[ModelHeader] = route.AnsweredBy.Id;
                if (route.FellBack)
                {
                    response.Headers[FallbackHeader] = route.Decision.Model.Id;
                }
            }

            return Task.CompletedTask;
        }, (http.Response, context));

        using var scope = InferenceContext.Begin(context);
        await next(http);
    }
}
