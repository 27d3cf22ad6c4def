using System.Collections.Concurrent;
using Inference.Serving.Remote;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Tests;

/// <summary>
/// A replicated model's client over replicas whose answers the test holds: each call goes to the replica with the
/// fewest calls under way (in turn among equals), and a replica that fails hands the call to the next (a replica
/// restarted without the model, a 404, is covered with real Workers in <see cref="RollingDeploymentTests"/>).
/// </summary>
public sealed class ReplicatedChatClientTests
{
    private static readonly Uri[] Replicas = [new("http://a/"), new("http://b/"), new("http://c/")];
    private readonly ConcurrentDictionary<Uri, SemaphoreSlim> _gates = new();
    private readonly ConcurrentQueue<Uri> _calls = new();
    private readonly ConcurrentDictionary<Uri, Exception> _failures = new();

    [Fact]
    public async Task Calls_go_to_the_least_loaded_replica_in_turn_among_equals()
    {
        var set = new WorkerReplicaSet("m", Replicas);
        using var client = Client(set);

        // Three calls held: one on each replica, whatever the turn.
        var held = Enumerable.Range(0, 3).Select(_ => client.GetResponseAsync("hi")).ToList();
        await WaitAsync(() => _calls.Count == 3);
        Assert.Equal(3, _calls.Distinct().Count());
        Assert.All(Replicas, r => Assert.Equal(1, set.InFlight(r)));

        // b's call ends: the next two go to b (then the least loaded again, one under way everywhere).
        Gate(Replicas[1]).Release();
        await WaitAsync(() => set.InFlight(Replicas[1]) == 0);
        var fourth = client.GetResponseAsync("hi");
        await WaitAsync(() => _calls.Count == 4);
        Assert.Equal(Replicas[1], _calls.Last());

        foreach (var replica in Replicas)
        {
            Gate(replica).Release(10);
        }

        await Task.WhenAll([.. held, fourth]);
        Assert.All(Replicas, r => Assert.Equal(0, set.InFlight(r)));
    }

    [Fact]
    public async Task A_replica_that_fails_hands_the_call_to_the_next_and_a_request_error_goes_nowhere_else()
    {
        var set = new WorkerReplicaSet("m", Replicas);
        using var client = Client(set);
        foreach (var replica in Replicas)
        {
            Gate(replica).Release(10);
        }

        _failures[Replicas[0]] = new HttpRequestException("refused");
        _failures[Replicas[1]] = new HttpRequestException("unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
        for (var i = 0; i < 3; i++)
        {
            var response = await client.GetResponseAsync("hi");
            Assert.Equal("c", response.Text);
        }

        // A request error is the caller's: it is not sent elsewhere.
        _failures[Replicas[2]] = new ArgumentException("bad");
        _failures.TryRemove(Replicas[0], out _);
        _failures[Replicas[0]] = new ArgumentException("bad");
        _failures[Replicas[1]] = new ArgumentException("bad");
        var calls = _calls.Count;
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(calls + 1, _calls.Count);
    }

    private ReplicatedChatClient Client(WorkerReplicaSet set) => new(
        set,
        "m",
        replica => new HeldClient(this, replica),
        new ProviderCircuitBreakers(Options.Create(new RoutingOptions()), TimeProvider.System, NullLogger<ProviderCircuitBreakers>.Instance));

    private SemaphoreSlim Gate(Uri replica) => _gates.GetOrAdd(replica, _ => new SemaphoreSlim(0));

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class HeldClient(ReplicatedChatClientTests test, Uri replica) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            test._calls.Enqueue(replica);
            if (test._failures.TryGetValue(replica, out var failure))
            {
                throw failure;
            }

            await test.Gate(replica).WaitAsync(cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, replica.Host));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
