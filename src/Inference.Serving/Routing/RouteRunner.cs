using Inference.Serving.Catalog;
using Microsoft.Extensions.Logging;

namespace Inference.Serving.Routing;

/// <summary>
/// Runs one request along its chain: the chosen model, then its fallbacks, each through its endpoint's circuit breaker
/// and within the attempt timeout. A failure that is the provider's (down, timed out, throttled, breaker open) moves to
/// the next model; a failure of the request ends it. One budget of attempts covers the whole chain: when every model
/// has failed and attempts remain, the chain is tried again after the providers' <c>Retry-After</c> (or a short
/// backoff), starting from the chosen model, so traffic returns to it as soon as it recovers.
/// </summary>
public sealed partial class RouteRunner
{
    private readonly RouteDecision _decision;
    private readonly IReadOnlyList<ServedModel> _chain;
    private readonly ProviderCircuitBreakers _breakers;
    private readonly RoutingOptions _options;
    private readonly RoutingTable _table;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RouteRunner(RouteDecision decision, bool useFallbacks, ProviderCircuitBreakers breakers, RoutingOptions options, RoutingTable table, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _decision = decision;
        _chain = useFallbacks ? [decision.Model, .. decision.Fallbacks] : [decision.Model];
        _breakers = breakers;
        _options = options;
        _table = table;
        _time = time;
        _logger = logger;
        AnsweredBy = decision.Model;
    }

    public RouteDecision Decision => _decision;

    /// <summary>The model that answered (the chosen one until a fallback does).</summary>
    public ServedModel AnsweredBy { get; private set; }

    /// <summary>True when a fallback answered.</summary>
    public bool FellBack => !ReferenceEquals(AnsweredBy, _decision.Model);

    public int Attempts { get; private set; }

    /// <summary>Runs <paramref name="call"/> on each model of the chain until one answers.</summary>
    public async Task<T> RunAsync<T>(Func<ServedModel, AttemptScope, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        Exception? last = null;
        for (var pass = 0; ; pass++)
        {
            TimeSpan? retryAfter = null;
            var anyCalled = false;
            foreach (var model in _chain)
            {
                if (Attempts >= _options.MaxAttempts)
                {
                    break;
                }

                var breaker = _breakers.For(model);
                var scope = new AttemptScope(cancellationToken, _options.AttemptTimeout);
                var previous = RouteAttempt.Current;
                try
                {
                    var result = await breaker.Pipeline.ExecuteAsync(
                        async ct =>
                        {
                            // Counted only when the breaker lets the call through.
                            Attempts++;
                            anyCalled = true;
                            RouteAttempt.Current = AttemptFor(model);
                            try
                            {
                                return await call(model, scope);
                            }
                            catch (OperationCanceledException) when (scope.TimedOut && !cancellationToken.IsCancellationRequested)
                            {
                                throw new AttemptTimeoutException(model.Id, _options.AttemptTimeout);
                            }
                        },
                        scope.Token);
                    AnsweredBy = model;
                    if (!ReferenceEquals(model, _decision.Model))
                    {
                        RoutingTelemetry.Fallbacks.Add(1, new KeyValuePair<string, object?>("model", _decision.Model.Id), new KeyValuePair<string, object?>("fallback", model.Id));
                    }

                    return result;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ProviderFailure.Classify(ex) != FailureKind.Request)
                {
                    last = ex;
                    Log.Failed(_logger, model.Id, ProviderFailure.Classify(ex), ex.Message);
                    if (ProviderFailure.RetryAfter(ex, _time.GetUtcNow()) is { } hint)
                    {
                        retryAfter = retryAfter is { } shortest && shortest < hint ? shortest : hint;
                    }
                }
                finally
                {
                    RouteAttempt.Current = previous;
                    scope.Dispose();
                }
            }

            // The whole chain failed: try again while attempts remain, unless nothing could even be called (every breaker open).
            if (Attempts >= _options.MaxAttempts || !anyCalled || last is null)
            {
                throw last ?? new InvalidOperationException("No model could be tried.");
            }

            var delay = retryAfter ?? TimeSpan.FromMilliseconds(250 * (1 << Math.Min(pass, 5)));
            if (delay > _options.MaxRetryDelay)
            {
                throw last;
            }

            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private RouteAttempt AttemptFor(ServedModel model)
    {
        if (ReferenceEquals(model, _decision.Model))
        {
            return new(_decision.Name, _decision.Version, _decision.Experiment, _decision.Arm, null, Attempts);
        }

        // The model stood in for, as name:version when it has a version (so its metrics count the fallback per version).
        var version = _table.VersionOf(model.Id);
        var primary = _decision.Version is { } chosen ? $"{_decision.Name}:{chosen}" : _decision.Name;
        return new(version?.Name ?? model.Id, version?.Version, null, null, primary, Attempts);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} failed ({Kind}): {Reason}")]
        public static partial void Failed(ILogger logger, string model, FailureKind kind, string reason);
    }
}
