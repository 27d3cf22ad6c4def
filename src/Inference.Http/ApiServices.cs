using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Grammars;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Inference.Http;

/// <summary>What the API surfaces' routes need, bound with [AsParameters] (or resolved once for work run without HTTP).</summary>
public sealed record ApiServices(InferenceService Inference, IOptions<ApiOptions> Options, TimeProvider Time, IServiceProvider Services)
{
    public ModelCatalog Catalog => Inference.Catalog;

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Stored grammars, where the host keeps them (the Api's metadata database); null elsewhere.</summary>
    public IGrammarLibrary? Grammars => Services.GetService<IGrammarLibrary>();

    /// <summary>The queue utilisation at which a model's backpressure is warning or critical.</summary>
    public BackpressureOptions Backpressure => Services.GetRequiredService<IOptions<BackpressureOptions>>().Value;

    public static ApiServices From(IServiceProvider services) => new(
        services.GetRequiredService<InferenceService>(), services.GetRequiredService<IOptions<ApiOptions>>(), services.GetRequiredService<TimeProvider>(), services);
}
