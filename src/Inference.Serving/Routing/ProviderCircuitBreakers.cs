using System.Collections.Concurrent;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Inference.Serving.Routing;

/// <summary>
/// A Polly circuit breaker per provider endpoint (every model of one Worker shares its breaker; each in-process model
/// has its own): calls that fail as <see cref="FailureKind.Unavailable"/> count, and when enough of the window's calls
/// fail the breaker opens, refusing calls at once, so that requests go straight to their fallbacks. After the break
/// one call probes (half-open); success closes it. <c>GET /circuit-breaker/status</c> and
/// <c>POST /circuit-breaker/reset</c> read and close them; <c>ml_inference_circuit_breaker_state</c> reports them.
/// </summary>
public sealed partial class ProviderCircuitBreakers(
    IOptions<RoutingOptions> options, TimeProvider time, ILogger<ProviderCircuitBreakers> logger, Events.OperationalEvents? events = null)
{
    private const int HistoryLength = 20;

    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = logger;
    private readonly Events.OperationalEvents? _events = events;

    /// <summary>
    /// The endpoint a model's calls go to: its provider's URL, the Worker replicas that serve this one version of a
    /// replicated model (each replica has a breaker of its own as well), or the model itself when it runs in this process.
    /// </summary>
    public static string EndpointOf(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Endpoint is { } endpoint ? Key(endpoint)
            : model.Replicas is not null ? "replicas:" + model.Id
            : "in-process:" + model.Id;
    }

    private static string Key(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public IReadOnlyCollection<Breaker> All => [.. _breakers.Values.OrderBy(b => b.Endpoint, StringComparer.Ordinal)];

    public Breaker For(ServedModel model)
    {
        var breaker = _breakers.GetOrAdd(EndpointOf(model), endpoint => new Breaker(endpoint, options.Value.CircuitBreaker, time, this));
        breaker.Serves(model.Id);
        return breaker;
    }

    /// <summary>The breaker of one endpoint a model's calls go to (a Worker replica of a replicated model).</summary>
    public Breaker For(Uri endpoint, string model)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var breaker = _breakers.GetOrAdd(Key(endpoint), key => new Breaker(key, options.Value.CircuitBreaker, time, this));
        breaker.Serves(model);
        return breaker;
    }

    public Breaker? Find(string endpoint) => _breakers.GetValueOrDefault(endpoint);

    /// <summary>Closes every breaker (or the one of <paramref name="endpoint"/>); false when there is no such breaker.</summary>
    public async Task<bool> ResetAsync(string? endpoint, CancellationToken cancellationToken)
    {
        var targets = endpoint is null ? [.. _breakers.Values] : _breakers.TryGetValue(endpoint, out var one) ? [one] : Array.Empty<Breaker>();
        foreach (var breaker in targets)
        {
            await breaker.ResetAsync(cancellationToken);
        }

        return endpoint is null || targets.Length > 0;
    }

    /// <summary>One endpoint's breaker, its state and its recent transitions.</summary>
    public sealed class Breaker
    {
        private readonly CircuitBreakerStateProvider _state = new();
        private readonly CircuitBreakerManualControl _control = new();
        private readonly ConcurrentDictionary<string, byte> _models = new(StringComparer.Ordinal);
        private readonly Queue<CircuitTransition> _history = new();
        private readonly TimeProvider _time;
        private readonly ProviderCircuitBreakers _owner;

        internal Breaker(string endpoint, CircuitBreakerSettings settings, TimeProvider time, ProviderCircuitBreakers owner)
        {
            Endpoint = endpoint;
            _time = time;
            _owner = owner;
            BreakDuration = settings.BreakDuration;
            Pipeline = new ResiliencePipelineBuilder { Name = "inference-provider", InstanceName = endpoint, TimeProvider = time }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = settings.FailureRatio,
                    MinimumThroughput = settings.MinimumThroughput,
                    SamplingDuration = settings.SamplingDuration,
                    BreakDuration = settings.BreakDuration,
                    StateProvider = _state,
                    ManualControl = _control,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ProviderFailure.Classify(ex) == FailureKind.Unavailable),
                    OnOpened = args =>
                    {
                        Record(CircuitState.Open, args.Outcome.Exception?.Message);
                        return ValueTask.CompletedTask;
                    },
                    OnHalfOpened = _ =>
                    {
                        Record(CircuitState.HalfOpen, null);
                        return ValueTask.CompletedTask;
                    },
                    OnClosed = args =>
                    {
                        Record(CircuitState.Closed, args.IsManual ? "reset" : null);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
        }

        public string Endpoint { get; }

        public TimeSpan BreakDuration { get; }

        public ResiliencePipeline Pipeline { get; }

        public CircuitState State => _state.CircuitState switch
        {
            Polly.CircuitBreaker.CircuitState.Open or Polly.CircuitBreaker.CircuitState.Isolated => CircuitState.Open,
            Polly.CircuitBreaker.CircuitState.HalfOpen => CircuitState.HalfOpen,
            _ => CircuitState.Closed,
        };

        /// <summary>When the breaker last opened, while it is open.</summary>
        public DateTimeOffset? OpenedAt { get; private set; }

        public string? LastFailure { get; private set; }

        public IReadOnlyCollection<string> Models => [.. _models.Keys.Order(StringComparer.Ordinal)];

        public IReadOnlyList<CircuitTransition> History
        {
            get
            {
                lock (_history)
                {
                    return [.. _history];
                }
            }
        }

        internal void Serves(string model) => _models.TryAdd(model, 0);

        internal Task ResetAsync(CancellationToken cancellationToken) => _control.CloseAsync(cancellationToken);

        private void Record(CircuitState state, string? reason)
        {
            var now = _time.GetUtcNow();
            OpenedAt = state == CircuitState.Open ? now : state == CircuitState.Closed ? null : OpenedAt;
            if (state == CircuitState.Open)
            {
                LastFailure = reason;
            }

            lock (_history)
            {
                _history.Enqueue(new CircuitTransition(state, now, reason));
                while (_history.Count > HistoryLength)
                {
                    _history.Dequeue();
                }
            }

            Log.Transition(_owner._logger, Endpoint, state, reason);
            var models = string.Join(", ", _models.Keys.Order(StringComparer.Ordinal));
            if (state == CircuitState.Open)
            {
                _owner._events?.Warning(Events.OperationalEventCodes.CircuitOpened, $"The circuit breaker of {Endpoint} ({models}) opened: {reason ?? "too many failures"}.", _models.Keys.FirstOrDefault());
            }
            else if (state == CircuitState.Closed)
            {
                _owner._events?.Info(Events.OperationalEventCodes.CircuitClosed, $"The circuit breaker of {Endpoint} ({models}) closed{(reason is null ? "" : $" ({reason})")}.", _models.Keys.FirstOrDefault());
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit breaker of {Endpoint} is now {State}. {Reason}")]
        public static partial void Transition(ILogger logger, string endpoint, CircuitState state, string? reason);
    }
}

/// <summary>A breaker's state, as <c>ml_inference_circuit_breaker_state</c> reports it.</summary>
public enum CircuitState
{
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

/// <summary>A breaker changing state.</summary>
public sealed record CircuitTransition(CircuitState State, DateTimeOffset At, string? Reason);
