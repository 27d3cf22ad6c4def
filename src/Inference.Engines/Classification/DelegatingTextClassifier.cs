namespace Inference.Engines.Classification;

/// <summary>A classifier that passes calls to another, for middleware to override what it changes.</summary>
public class DelegatingTextClassifier(ITextClassifier innerClassifier) : ITextClassifier
{
    protected ITextClassifier InnerClassifier { get; } = innerClassifier ?? throw new ArgumentNullException(nameof(innerClassifier));

    public virtual Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default) =>
        InnerClassifier.ClassifyAsync(inputs, options, cancellationToken);

    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : InnerClassifier.GetService(serviceType, serviceKey);
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            InnerClassifier.Dispose();
        }
    }
}
