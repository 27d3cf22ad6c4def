using Microsoft.Extensions.Logging;

namespace Inference.Serving.Local;

internal static partial class LocalModelsLog
{
    [LoggerMessage(1, LogLevel.Information, "Loading models from {Directory}")]
    public static partial void LoadingFrom(ILogger logger, string directory);

    [LoggerMessage(2, LogLevel.Information, "Serving {Kind} model '{Model}' ({Format}) from {Source} in {ElapsedMs} ms")]
    public static partial void Loaded(ILogger logger, string kind, string model, string format, string source, long elapsedMs);

    [LoggerMessage(3, LogLevel.Information, "Skipping {Folder}: it holds no weights any registered engine loads")]
    public static partial void SkippedNoWeights(ILogger logger, string folder);

    [LoggerMessage(4, LogLevel.Warning, "No local models were found in {Directory}")]
    public static partial void NoModels(ILogger logger, string directory);

    [LoggerMessage(5, LogLevel.Warning, "Skipping {Folder}: {Problem}")]
    public static partial void SkippedUnrecognized(ILogger logger, string folder, string problem);

    [LoggerMessage(6, LogLevel.Warning, "The additional models directory {Directory} (Inference:AdditionalModelsDirectories) does not exist; skipped")]
    public static partial void MissingAdditionalDirectory(ILogger logger, string directory);
}
