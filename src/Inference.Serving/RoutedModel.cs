using Inference.Engines.Classification;
using Inference.Serving.Catalog;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Serving;

/// <summary>
/// A request's model, as routed: the catalog entry chosen for it (what it is and can do), its clients (which run the
/// request on that model, then its fallbacks), and once it has answered, which model did.
/// </summary>
public sealed class RoutedModel
{
    private readonly RouteRunner _runner;
    private IChatClient? _chat;
    private IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private ITextClassifier? _classifier;

    internal RoutedModel(ServedModel model, RouteRunner runner)
    {
        Model = model;
        _runner = runner;
    }

    /// <summary>The entry the request was routed to.</summary>
    public ServedModel Model { get; }

    public string Id => Model.Id;

    public ModelKind Kind => Model.Kind;

    /// <summary>The chat client that runs the request along the route (chat models).</summary>
    public IChatClient ChatClient => _chat ??= new RoutedChatClient(_runner);

    /// <summary>The embedding generator that runs the request along the route (embedding models).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator => _embeddings ??= new RoutedEmbeddingGenerator(_runner);

    /// <summary>The classifier that runs the request along the route (classification models).</summary>
    public ITextClassifier Classifier => _classifier ??= new RoutedTextClassifier(_runner);

    /// <summary>The model that answered (the chosen one until a fallback does).</summary>
    public ServedModel AnsweredBy => _runner.AnsweredBy;

    /// <summary>True when a fallback answered.</summary>
    public bool FellBack => _runner.FellBack;
}

/// <summary>Why a request's model could not be found.</summary>
public enum ModelLookupFailure
{
    None,

    /// <summary>The request's model field was empty or blank.</summary>
    Blank,

    /// <summary>The models are still loading.</summary>
    NotReady,

    /// <summary>Nothing serves the name, or the caller's key may not use it.</summary>
    NotFound,

    /// <summary>The model is of another kind than the request needs.</summary>
    WrongKind,
}

/// <summary>The model a request names, routed, or why there is none.</summary>
/// <param name="Requested">The model as the request named it.</param>
public readonly record struct ModelLookup(RoutedModel? Model, ModelLookupFailure Failure, string Requested);
