using System.ClientModel;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Remote;

/// <summary>
/// One catalog entry of a replicated model (the configured version or a <c>name:version</c>) over the Worker replicas
/// that serve it now: each call goes to the least loaded of them (fewest calls under way from this gateway; in turn
/// among equals), through that replica's circuit breaker; a replica that fails
/// (down, timing out, throttling, breaker open, or restarted without the version) hands the call to the next, so one
/// dead replica costs no request. A stream moves on only before its first update.
/// </summary>
internal sealed class ReplicatedChatClient(
    WorkerReplicaSet set,
    string target,
    Func<Uri, IChatClient> connect,
    ProviderCircuitBreakers breakers) : IChatClient
{
    private readonly ConcurrentDictionary<Uri, IChatClient> _clients = new();
    private int _turn = -1;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var order = Order(Members());
        Exception? last = null;
        foreach (var replica in order)
        {
            try
            {
                using var call = set.Call(replica);
                return await Breaker(replica).Pipeline.ExecuteAsync(
                    async ct => await Client(replica).GetResponseAsync(messages, options, ct), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && MovesOn(ex))
            {
                last = ex;
            }
        }

        throw last!;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var order = Order(Members());
        Exception? last = null;
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        WorkerReplicaSet.CallScope call = default;
        var any = false;
        foreach (var replica in order)
        {
            var candidate = Client(replica).GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            call = set.Call(replica);
            try
            {
                any = await Breaker(replica).Pipeline.ExecuteAsync(async _ => await candidate.MoveNextAsync(), cancellationToken);
                stream = candidate;
                break;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && MovesOn(ex))
            {
                last = ex;
                call.Dispose();
                await candidate.DisposeAsync();
            }
        }

        if (stream is null)
        {
            throw last!;
        }

        using (call)
        await using (stream)
        {
            while (any)
            {
                yield return stream.Current;
                any = await stream.MoveNextAsync();
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// A replica's failure, not the request's: down, timing out, throttling, its breaker open, or not having the model
    /// (a replica restarted since it was loaded there, until the registry loads it again).
    /// </summary>
    private static bool MovesOn(Exception exception) =>
        exception is ClientResultException { Status: 404 } || ProviderFailure.Classify(exception) != FailureKind.Request;

    private IReadOnlyList<Uri> Members()
    {
        var members = set.MembersOf(target);
        return members.Count > 0
            ? members
            : throw new NoReplicaException($"No Worker replica of '{set.Name}' serves '{target}' now.");
    }

    /// <summary>
    /// The replicas to try, least loaded first: fewest calls this gateway has under way on them, ties taken in turn
    /// (so an idle set still spreads its calls), the others after as reserves.
    /// </summary>
    private Uri[] Order(IReadOnlyList<Uri> members)
    {
        var first = (int)((uint)Interlocked.Increment(ref _turn) % (uint)members.Count);
        var order = new Uri[members.Count];
        var load = new int[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            order[i] = members[(first + i) % members.Count];
            load[i] = set.InFlight(order[i]);
        }

        // Stable for equal loads, so the turn decides between them.
        for (var i = 1; i < order.Length; i++)
        {
            for (var j = i; j > 0 && load[j] < load[j - 1]; j--)
            {
                (load[j], load[j - 1]) = (load[j - 1], load[j]);
                (order[j], order[j - 1]) = (order[j - 1], order[j]);
            }
        }

        return order;
    }

    private IChatClient Client(Uri replica) => _clients.GetOrAdd(replica, connect);

    private ProviderCircuitBreakers.Breaker Breaker(Uri replica) => breakers.For(WorkerReplicaSet.ApiOf(replica), target);
}
