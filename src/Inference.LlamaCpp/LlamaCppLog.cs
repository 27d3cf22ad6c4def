using Microsoft.Extensions.Logging;

namespace Inference.LlamaCpp;

internal static partial class LlamaCppLog
{
    [LoggerMessage(EventId = 1, Message = "llama.cpp: {Message}")]
    public static partial void Native(ILogger logger, LogLevel level, string message);

    [LoggerMessage(2, LogLevel.Information, "Loading '{Model}' from {File} ({Quantization}, {Architecture}, {Parameters:N0} parameters): {Sequences} sequences of up to {ContextLength} tokens, {KvCells} KV cells, {Threads} threads")]
    public static partial void Loading(ILogger logger, string model, string file, string quantization, string? architecture, long parameters, int sequences, int contextLength, int kvCells, int threads);

    [LoggerMessage(4, LogLevel.Information, "Model '{Model}': prefix reuse is off ({Reason})")]
    public static partial void PrefixCacheOff(ILogger logger, string model, string reason);

    [LoggerMessage(5, LogLevel.Error, "Model '{Model}': the decode step failed ({Result}); {Failed} requests ended with an error")]
    public static partial void DecodeFailed(ILogger logger, string model, string result, int failed);

    [LoggerMessage(7, LogLevel.Warning, "Model '{Model}': requests may hold {ContextLength} tokens, beyond the {Trained} it was trained on")]
    public static partial void BeyondTrainingContext(ILogger logger, string model, int contextLength, int trained);

    [LoggerMessage(6, LogLevel.Error, "Model '{Model}': the scheduler stopped")]
    public static partial void SchedulerCrashed(ILogger logger, string model, Exception exception);
}
