using System.Text;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Inference.LlamaCpp.Native;

/// <summary>
/// Loads llama.cpp's native library once per process (the backend package's, or a configured build), routes its log
/// to an <see cref="ILogger"/>, and keeps its last warnings so a failed load can say why in one line.
/// </summary>
internal static class LlamaNativeLibrary
{
    private const int KeptLines = 16;
    private static readonly Lock Gate = new();
    private static readonly Queue<(LLamaLogLevel Level, string Text)> Recent = new();
    private static readonly ThreadLocal<StringBuilder> Pending = new(() => new StringBuilder());
    private static ILogger? _logger;
    private static LLamaLogLevel _previous;
    private static bool _loaded;

    /// <summary>Loads the library if it is not yet; a missing or broken backend stops the load of <paramref name="modelPath"/>.</summary>
    public static void EnsureLoaded(LlamaCppEngineOptions options, ILogger logger, string modelPath)
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }

            _logger = logger;
            try
            {
                if (options.NativeLibraryPath is { Length: > 0 } library)
                {
                    if (!File.Exists(library))
                    {
                        throw new ModelFolderException(modelPath, $"the configured llama.cpp library '{library}' (Inference:LlamaCpp:NativeLibraryPath) does not exist");
                    }

                    NativeLibraryConfig.LLama.WithLibrary(library).WithAutoFallback(false);
                }

                NativeLogConfig.llama_log_set(OnLog);
                NativeApi.llama_empty_call();
                _loaded = true;
            }
            catch (Exception ex) when (ex is RuntimeError or DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
            {
                var detail = Last(line => line.Text.StartsWith("Failed", StringComparison.Ordinal)) is { } failed ? $"; {failed}" : "";
                throw new ModelFolderException(modelPath, $"llama.cpp's native library could not be loaded ({Innermost(ex)}{detail}); check the LLamaSharp backend package for this platform", ex);
            }
        }
    }

    /// <summary>The last error or warning llama.cpp logged, to name the cause of a failed load.</summary>
    public static string? LastProblem() => Last(line => line.Level >= LLamaLogLevel.Warning);

    private static string? Last(Func<(LLamaLogLevel Level, string Text), bool> match)
    {
        lock (Recent)
        {
            return Recent.LastOrDefault(match).Text;
        }
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        level = level == LLamaLogLevel.Continue ? _previous : level;
        _previous = level;
        var line = Pending.Value!;
        line.Append(message);
        if (!message.EndsWith('\n'))
        {
            return;
        }

        var text = line.ToString().TrimEnd();
        line.Clear();
        if (text.Length == 0)
        {
            return;
        }

        lock (Recent)
        {
            Recent.Enqueue((level, text));
            if (Recent.Count > KeptLines)
            {
                Recent.Dequeue();
            }
        }

        if (_logger is { } logger)
        {
            LlamaCppLog.Native(logger, Severity(level, text), text);
        }
    }

    private static LogLevel Severity(LLamaLogLevel level, string text) => level switch
    {
        LLamaLogLevel.Error => LogLevel.Error,
        // With one key/value cache shared by all sequences llama.cpp compares the whole cache with the training
        // context; each sequence is held to the model's context by the scheduler, so this one is no warning here.
        LLamaLogLevel.Warning when text.Contains("n_ctx_seq", StringComparison.Ordinal) => LogLevel.Debug,
        LLamaLogLevel.Warning => LogLevel.Warning,
        _ => LogLevel.Debug,
    };

    private static string Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception.Message.ReplaceLineEndings(" ");
    }
}
