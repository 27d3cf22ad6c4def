using Inference.Engines;
using Inference.Serving.Catalog;
using Inference.Serving.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Inference.Serving.Tests;

/// <summary>
/// The fallback chain's rules, on clients whose failures are scripted: one attempt budget over the whole chain (a
/// fallback does not reset it), Retry-After waited for, request errors never retried, and the chosen model first again.
/// </summary>
public sealed class RouteRunnerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task The_first_model_that_answers_answers_and_each_failure_costs_one_attempt()
    {
        var calls = new List<string>();
        var chain = Chain(calls, ("a", new ModelBusyException("m", 1)), ("b", new HttpRequestException("refused")), ("c", null));
        var runner = Runner(chain, maxAttempts: 3);
        var response = await new RoutedChatClient(runner).GetResponseAsync("hi");
        Assert.Equal(["a", "b", "c"], calls);
        Assert.Equal(("c", 3, true), (response.ModelId, runner.Attempts, runner.FellBack));
    }

    [Fact]
    public async Task Fallbacks_share_the_budget_and_the_chain_starts_over_from_the_chosen_model_after_retry_after()
    {
        var calls = new List<string>();
        var chain = Chain(calls, ("a", new ModelBusyException("m", 1)), ("b", new ModelBusyException("m", 1)));
        var runner = Runner(chain, maxAttempts: 3);
        var request = new RoutedChatClient(runner).GetResponseAsync("hi");

        // Both failed; the runner waits for the providers' Retry-After (1 s for a full queue) before trying again.
        await Eventually.HoldsAsync(() => Task.FromResult(calls.Count), n => n == 2);
        await Task.Delay(100);
        Assert.Equal(2, calls.Count);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<ModelBusyException>(() => request);
        Assert.Equal(["a", "b", "a"], calls); // three attempts in all, not three per model
    }

    [Fact]
    public async Task A_request_the_model_refuses_is_not_retried_nor_sent_to_a_fallback()
    {
        var calls = new List<string>();
        var chain = Chain(calls, ("a", new ContextWindowExceededException(100, 50)), ("b", null));
        await Assert.ThrowsAsync<ContextWindowExceededException>(() => new RoutedChatClient(Runner(chain, maxAttempts: 3)).GetResponseAsync("hi"));
        Assert.Equal(["a"], calls);
    }

    [Fact]
    public async Task Without_fallbacks_only_the_chosen_model_is_tried()
    {
        var calls = new List<string>();
        var chain = Chain(calls, ("a", new HttpRequestException("refused")), ("b", null));
        var runner = new RouteRunner(Decision(chain), useFallbacks: false, Breakers(), new RoutingOptions { MaxAttempts = 1 }, RoutingTable.Empty, _time, NullLogger.Instance);
        await Assert.ThrowsAsync<HttpRequestException>(() => new RoutedChatClient(runner).GetResponseAsync("hi"));
        Assert.Equal(["a"], calls);
    }

    [Fact]
    public async Task A_stream_falls_back_before_its_first_update()
    {
        var calls = new List<string>();
        var chain = Chain(calls, ("a", new HttpRequestException("refused")), ("b", null));
        var updates = await new RoutedChatClient(Runner(chain, maxAttempts: 2)).GetStreamingResponseAsync("hi").ToListAsync();
        Assert.Equal(["a", "b"], calls);
        Assert.All(updates, u => Assert.Equal("b", u.ModelId));
        Assert.Equal("from b", string.Concat(updates.Select(u => u.Text)));
    }

    private RouteRunner Runner(List<ServedModel> chain, int maxAttempts) =>
        new(Decision(chain), useFallbacks: true, Breakers(), new RoutingOptions { MaxAttempts = maxAttempts }, RoutingTable.Empty, _time, NullLogger.Instance);

    private ProviderCircuitBreakers Breakers() =>
        new(Options.Create(new RoutingOptions { CircuitBreaker = new() { MinimumThroughput = 100 } }), _time, NullLogger<ProviderCircuitBreakers>.Instance);

    private static RouteDecision Decision(List<ServedModel> chain) => new(chain[0].Id, chain[0], chain[0].Id, null, null, null, chain[1..]);

    private static List<ServedModel> Chain(List<string> calls, params (string Id, Exception? Failure)[] models) =>
        [.. models.Select(m => new ServedModel { Id = m.Id, Kind = ModelKind.Chat, ChatClient = new ScriptedClient(m.Id, m.Failure, calls) })];

    /// <summary>A provider that records each call and fails with its exception, or answers "from {id}".</summary>
    private sealed class ScriptedClient(string id, Exception? failure, List<string> calls) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (calls)
            {
                calls.Add(id);
            }

            return failure is null ? Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "from " + id))) : Task.FromException<ChatResponse>(failure);
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "from ");
            yield return new ChatResponseUpdate(ChatRole.Assistant, response.Text[5..]);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
