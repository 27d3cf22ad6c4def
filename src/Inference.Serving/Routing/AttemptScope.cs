namespace Inference.Serving.Routing;

/// <summary>
/// One attempt's cancellation: the caller's token plus the attempt timeout. A stream that has started answering
/// calls <see cref="KeepForStream"/>: the timeout stops and the scope lives on with the stream, which disposes it.
/// </summary>
public sealed class AttemptScope : IDisposable
{
    private readonly CancellationTokenSource _source;
    private bool _kept;

    internal AttemptScope(CancellationToken cancellationToken, TimeSpan timeout)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _source.CancelAfter(timeout);
        CallerToken = cancellationToken;
    }

    public CancellationToken Token => _source.Token;

    public CancellationToken CallerToken { get; }

    internal bool TimedOut => _source.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    /// <summary>Stops the timeout; the stream now owns the scope and disposes it when it ends.</summary>
    public IDisposable KeepForStream()
    {
        _source.CancelAfter(Timeout.InfiniteTimeSpan);
        _kept = true;
        return _source;
    }

    public void Dispose()
    {
        if (!_kept)
        {
            _source.Dispose();
        }
    }
}
