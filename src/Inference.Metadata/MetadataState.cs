namespace Inference.Metadata;

/// <summary>Whether the database has its schema and the registry yet, and what went wrong last, for the writers and the health check.</summary>
internal sealed class MetadataState
{
    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsMigrated => _migrated.Task.IsCompleted;

    public string? LastError { get; set; }

    public Task WhenMigrated(CancellationToken cancellationToken) => _migrated.Task.WaitAsync(cancellationToken);

    public void MarkMigrated() => _migrated.TrySetResult();

    /// <summary>Completes once the served models and their versions are in the registry.</summary>
    public Task WhenRegistered(CancellationToken cancellationToken) => _registered.Task.WaitAsync(cancellationToken);

    public void MarkRegistered() => _registered.TrySetResult();
}
