namespace Inference.Engines;

/// <summary>What a loaded model is doing right now, read by the engine gauges of <see cref="EngineTelemetry"/>.</summary>
public interface IModelRuntimeStatus
{
    /// <summary>The model's id, the <c>model</c> tag of every measurement.</summary>
    string Model { get; }

    /// <summary>Requests waiting to start.</summary>
    int QueueDepth { get; }

    /// <summary>Requests that may wait before more are refused (429).</summary>
    int QueueCapacity { get; }

    /// <summary>Requests being run now (sequences in the batch).</summary>
    int ActiveSequences { get; }

    /// <summary>Requests that can run at once.</summary>
    int MaxSequences { get; }

    /// <summary>Key/value cache cells in use, for engines that share one cache between requests.</summary>
    int? KvCellsUsed { get; }

    /// <summary>Key/value cache cells in all.</summary>
    int? KvCellsCapacity { get; }

    /// <summary>Tokens generated per second over the last few seconds.</summary>
    double TokensPerSecond { get; }
}
