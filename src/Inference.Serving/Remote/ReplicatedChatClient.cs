using System.ClientModel;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Remote;

/// <summary>
/// One catalog entry of a replicated model (the configured version or a <c>name:version</c>) over the Worker replicas
/// that serve it now: calls take turns across them, each through its replica's circuit breaker; a replica that fails
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
        var members = Members();
        var first = Turn(members.Count);
        Exception? last = null;
        for (var i = 0; i < members.Count; i++)
        {
            var replica = members[(first + i) % members.Count];
            try
            {
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
        var members = Members();
        var first = Turn(members.Count);
        Exception? last = null;
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        var any = false;
        for (var i = 0; i < members.Count && stream is null; i++)
        {
            var replica = members[(first + i) % members.Count];
            var candidate = Client(replica).GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                any = await Breaker(replica).Pipeline.ExecuteAsync(async _ => await candidate.MoveNextAsync(), cancellationToken);
                stream = candidate;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && MovesOn(ex))
            {
                last = ex;
                await candidate.DisposeAsync();
            }
        }

        if (stream is null)
        {
            throw last!;
        }

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

    private int Turn(int count) => (int)((uint)Interlocked.Increment(ref _turn) % (uint)count);

    private IChatClient Client(Uri replica) => _clients.GetOrAdd(replica, connect);

    private ProviderCircuitBreakers.Breaker Breaker(Uri replica) => breakers.For(WorkerReplicaSet.ApiOf(replica), target);
}
