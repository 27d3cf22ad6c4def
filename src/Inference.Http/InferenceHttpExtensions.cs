using Inference.Http;
using Inference.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

public static class InferenceHttpExtensions
{
    /// <summary>
    /// The HTTP transport's services: the APIs' limits (<c>Inference:Api</c>), errors in each API's format, problem
    /// details elsewhere, and the server described in the service's start event.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceHttp(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .Validate(o => o.MaxRequestBodyBytes > 0, "Inference:Api:MaxRequestBodyBytes must be positive.")
            .Validate(o => o.MaxJsonDepth is >= 4 and <= 256 && o.MaxMessages >= 1, "Inference:Api:MaxJsonDepth must be 4 to 256 and MaxMessages at least 1.")
            .Validate(o => o.MaxEmbeddingInputs > 0, "Inference:Api:MaxEmbeddingInputs must be positive.")
            .ValidateOnStart();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IInferenceTransport, HttpTransport>());

        // A body the framework cannot bind (malformed JSON) is the caller's 400 on every route, in Development too,
        // where minimal APIs throw it instead of answering it.
        builder.Services.Configure<ExceptionHandlerOptions>(o =>
            o.StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        return builder;
    }

    /// <summary>
    /// The HTTP transport's middleware, before any API's routes: request ids, errors in each API's format, hostile
    /// bodies refused, each request's inference context (and the answering model's headers), draining.
    /// </summary>
    public static WebApplication UseInferenceHttp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyGuard>();
        app.UseMiddleware<InferenceContextMiddleware>();
        app.UseMiddleware<DrainingMiddleware>();
        return app;
    }
}
