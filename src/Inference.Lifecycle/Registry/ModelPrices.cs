using System.Collections.Frozen;
using Inference.Storage.Data;
using Inference.Serving.Routing;
using Microsoft.Extensions.Options;

namespace Inference.Lifecycle.Registry;

/// <summary>
/// What a model's tokens cost, for budgets, <c>/api/metrics/cost</c> and <c>/api/models/{id}/metrics</c>: a version's
/// own price as registered (<c>POST /models/register</c>'s <c>pricing</c>), else the configured one
/// (<c>Inference:Pricing</c>). Registered prices are read again with the routing table, so every replica charges alike.
/// </summary>
internal sealed class ModelPrices(IOptions<ModelPricingOptions> configured, ModelRegistry registry)
{
    private volatile FrozenDictionary<string, ModelPrice> _registered = FrozenDictionary<string, ModelPrice>.Empty;

    /// <summary>Takes the registered versions' prices (keyed <c>name:version</c>), replacing the last ones.</summary>
    public void Publish(IEnumerable<ModelVersion> versions) =>
        _registered = versions
            .Where(v => v.InputPricePerMillion is not null || v.OutputPricePerMillion is not null)
            .ToFrozenDictionary(
                v => $"{v.ModelId}:{v.Version}",
                v => new ModelPrice { InputPerMillion = v.InputPricePerMillion ?? 0m, OutputPerMillion = v.OutputPricePerMillion ?? 0m },
                StringComparer.Ordinal);

    /// <summary>
    /// The price of <paramref name="model"/> (a name or <c>name:version</c>) in <paramref name="version"/>, or, without
    /// one, in the version the name serves by default; null when neither the registry nor the configuration prices it.
    /// </summary>
    public ModelPrice? Find(string model, string? version = null)
    {
        var reference = ModelReference.Parse(model);
        version ??= reference.Version ?? registry.DefaultVersion(reference.Name);
        return version is not null && _registered.TryGetValue($"{reference.Name}:{version}", out var price)
            ? price
            : configured.Value.Find(model);
    }

    /// <summary>What <paramref name="input"/> and <paramref name="output"/> tokens cost (0 unpriced).</summary>
    public decimal Cost(string? model, string? version, long input, long output) =>
        model is not null && Find(model, version) is { } price ? price.Cost(input, output) : 0m;
}
