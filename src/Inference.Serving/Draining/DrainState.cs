namespace Inference.Serving.Draining;

/// <summary>
/// Whether the service is draining, and the inference requests it has accepted and not finished. A request counts
/// itself in before it checks the flag, and draining sets the flag before it counts, so every request is either
/// refused or waited for.
/// </summary>
public sealed class DrainState
{
    private int _draining;
    private int _inFlight;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>Inference requests accepted and not finished.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts a request in, or refuses it (false) once draining began.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _draining) == 0)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Refuses new requests from now on and waits until those accepted have finished (or the token ends the wait).</summary>
    public async Task DrainAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _draining, 1);
        while (InFlight > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
