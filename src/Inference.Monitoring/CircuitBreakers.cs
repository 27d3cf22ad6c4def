using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Polly.Telemetry;

namespace Inference.Monitoring;

/// <summary>
/// The state of every circuit breaker in the process's HTTP resilience pipelines (the remote providers' HttpClients,
/// <c>inference-remote-{model}</c>), followed through Polly's telemetry: opened, half-opened, closed.
/// </summary>
public sealed class CircuitBreakers : TelemetryListener
{
    public const string RemoteClientPrefix = "inference-remote-";

    private readonly ConcurrentDictionary<string, CircuitState> _states = new(StringComparer.Ordinal);

    /// <summary>Each pipeline whose breaker has ever changed state, with its state now.</summary>
    public IReadOnlyDictionary<string, CircuitState> States => _states;

    /// <summary>The model a pipeline serves, when it is a remote model's client.</summary>
    public static string? ModelOf(string pipeline)
    {
        var name = pipeline.EndsWith("-standard", StringComparison.Ordinal) ? pipeline[..^"-standard".Length] : pipeline;
        return name.StartsWith(RemoteClientPrefix, StringComparison.Ordinal) ? name[RemoteClientPrefix.Length..] : null;
    }

    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        CircuitState? state = args.Event.EventName switch
        {
            "OnCircuitOpened" => CircuitState.Open,
            "OnCircuitHalfOpened" => CircuitState.HalfOpen,
            "OnCircuitClosed" => CircuitState.Closed,
            _ => null,
        };
        if (state is { } known)
        {
            _states[args.Source.PipelineName ?? "default"] = known;
        }
    }

    /// <summary>
    /// Every breaker's state: those that changed as they are, and the remote models' clients that have not changed yet
    /// as closed (where every breaker starts), so the gauge exists from the start.
    /// </summary>
    internal IEnumerable<Measurement<int>> Measurements(IEnumerable<string> remoteModels)
    {
        var states = new Dictionary<string, CircuitState>(_states, StringComparer.Ordinal);
        foreach (var model in remoteModels)
        {
            states.TryAdd($"{RemoteClientPrefix}{model}-standard", CircuitState.Closed);
        }

        return states.Select(s => new Measurement<int>(
            (int)s.Value, new KeyValuePair<string, object?>("client", s.Key), new KeyValuePair<string, object?>("model", ModelOf(s.Key) ?? "")));
    }
}

/// <summary>A circuit breaker's state, as the <c>ml_inference_circuit_breaker_state</c> gauge reports it.</summary>
public enum CircuitState
{
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}
