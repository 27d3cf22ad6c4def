namespace Inference.Serving.Local;

/// <summary>
/// Told when a model is loaded at run time, before the load is answered: a transport that answers the models on
/// subjects of their own subscribes the new one first, so that the caller that loaded it (a rolling deployment) can
/// reach it at once.
/// </summary>
public interface IServedModelsObserver
{
    Task AddedAsync(Catalog.ServedModel model, CancellationToken cancellationToken);
}
