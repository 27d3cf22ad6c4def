using Inference.Serving.Catalog;
using Inference.Serving.Grammars;
using Inference.Serving.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Inference.Serving.OpenAI;

/// <summary>What the OpenAI endpoints need, bound with [AsParameters].</summary>
internal sealed record OpenAIServices(ModelCatalog Catalog, IOptions<OpenAIApiOptions> Options, TimeProvider Time, IServiceProvider Services)
{
    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Stored grammars, where the host keeps them (the Api's metadata database); null elsewhere.</summary>
    public IGrammarLibrary? Grammars => Services.GetService<IGrammarLibrary>();

    /// <summary>The queue utilisation at which a model's backpressure is warning or critical.</summary>
    public BackpressureOptions Backpressure => Services.GetRequiredService<IOptions<BackpressureOptions>>().Value;

    /// <summary>Routes each request's model (versions, traffic splits, fallbacks).</summary>
    public RequestRouting Routing => Services.GetRequiredService<RequestRouting>();
}
