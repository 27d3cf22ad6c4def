using System.Collections.Concurrent;

namespace Inference.Serving.Catalog;

/// <summary>The models a service serves, by id. Providers add theirs at start; the API reads it per request.</summary>
public sealed class ModelCatalog
{
    private readonly ConcurrentDictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once every configured provider has loaded its models.</summary>
    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Completes once every configured provider has loaded its models.</summary>
    public Task WhenReady(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public IReadOnlyCollection<ServedModel> Models => [.. _models.Values.OrderBy(m => m.Id, StringComparer.Ordinal)];

    public ServedModel? Find(string id) => _models.GetValueOrDefault(id);

    /// <summary>
    /// The model a request that names none gets: the first chat model with a chat template (it can answer a prompt
    /// as a conversation and as raw text alike), else the first chat model; null when no chat model is served.
    /// </summary>
    public ServedModel? DefaultChatModel()
    {
        var chat = Models.Where(m => m.Kind == ModelKind.Chat).ToList();
        return chat.FirstOrDefault(m => m.ChatTemplate is not null) ?? chat.FirstOrDefault();
    }

    /// <summary>The model a classification request that names none gets: the first classifier with labels to choose from (not a cross-encoder), else the first classifier.</summary>
    public ServedModel? DefaultClassifier() =>
        Models.FirstOrDefault(m => m.Kind == ModelKind.Classification && m.Labels is not { Count: 1 }) ?? Models.FirstOrDefault(m => m.Kind == ModelKind.Classification);

    /// <summary>The model a rerank without a model uses: the first cross-encoder (a classifier with one output), else the first embedding model.</summary>
    public ServedModel? DefaultReranker() =>
        Models.FirstOrDefault(m => m.Kind == ModelKind.Classification && m.Labels is { Count: 1 }) ?? Models.FirstOrDefault(m => m.Kind == ModelKind.Embedding);

    public void Add(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_models.TryAdd(model.Id, model))
        {
            throw new InvalidOperationException($"Two models have the id '{model.Id}'.");
        }
    }

    /// <summary>Adds a model served from now on (a version registered at run time); false when the id is taken.</summary>
    public bool TryAdd(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _models.TryAdd(model.Id, model);
    }

    /// <summary>Stops serving a model; requests already holding it finish.</summary>
    public bool Remove(string id) => _models.TryRemove(id, out _);

    public void MarkReady() => _ready.TrySetResult();
}
