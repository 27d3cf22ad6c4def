using System.Collections.Concurrent;

namespace Inference.Serving.Catalog;

/// <summary>The models a service serves, by id. Providers add theirs at start; the API reads it per request.</summary>
public sealed class ModelCatalog
{
    private readonly ConcurrentDictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private volatile bool _ready;

    /// <summary>True once every configured provider has loaded its models.</summary>
    public bool IsReady => _ready;

    public IReadOnlyCollection<ServedModel> Models => [.. _models.Values.OrderBy(m => m.Id, StringComparer.Ordinal)];

    public ServedModel? Find(string id) => _models.GetValueOrDefault(id);

    public void Add(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_models.TryAdd(model.Id, model))
        {
            throw new InvalidOperationException($"Two models have the id '{model.Id}'.");
        }
    }

    public void MarkReady() => _ready = true;
}
