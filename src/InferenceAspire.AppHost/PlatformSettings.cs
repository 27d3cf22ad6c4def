using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace InferenceAspire.AppHost;

/// <summary>
/// The AppHost's choices that shape the app model itself, read from its configuration (<c>Parameters:*</c>, as
/// <c>--Parameters:chat-provider=ollama</c>, user secrets or environment) and checked before anything is built.
/// </summary>
internal sealed record PlatformSettings(string ChatProvider, string ChatModel, int WorkerReplicas)
{
    public const string ModelsDirectoryParameter = "models-dir";
    public const string ChatProviderParameter = "chat-provider";
    public const string ChatModelParameter = "chat-model";
    public const string WorkerReplicasParameter = "worker-replicas";
    public const string OpenAIEndpointParameter = "openai-endpoint";

    public static readonly string[] ChatProviders = ["local", "ollama", "openai"];

    public static PlatformSettings Read(IConfiguration configuration, string appHostDirectory, bool isRunMode)
    {
        var provider = (configuration[$"Parameters:{ChatProviderParameter}"] ?? "local").Trim().ToLowerInvariant();
        if (!ChatProviders.Contains(provider))
        {
            throw new PlatformSettingsException(
                $"Parameters:{ChatProviderParameter} '{configuration[$"Parameters:{ChatProviderParameter}"]}' is unknown; use {string.Join(", ", ChatProviders)}.");
        }

        var model = configuration[$"Parameters:{ChatModelParameter}"] is { Length: > 0 } m ? m : provider switch
        {
            "ollama" => "llama3.2",
            "openai" => "gpt-4o-mini",
            _ => "",
        };

        // The OpenAI-compatible endpoint becomes part of the Api's chat connection string: a bad one is refused here, by
        // name, rather than by the Api at its start. (In publish mode it is asked for at deployment.)
        var endpointKey = $"Parameters:{OpenAIEndpointParameter}";
        if (provider == "openai" && (isRunMode || configuration[endpointKey] is { Length: > 0 })
            && (!Uri.TryCreate(configuration[endpointKey], UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new PlatformSettingsException(
                $"{endpointKey} '{configuration[endpointKey]}' must be the absolute http(s) URL of an OpenAI-compatible API (such as https://api.groq.com/openai/v1).");
        }

        var replicasText = configuration[$"Parameters:{WorkerReplicasParameter}"] ?? "1";
        if (!int.TryParse(replicasText, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) || replicas < 1)
        {
            throw new PlatformSettingsException($"Parameters:{WorkerReplicasParameter} '{replicasText}' must be a whole number of at least 1.");
        }

        // Defaults for development: INFERENCE_MODELS_DIR, else the shared/models beside a checkout (as the services look
        // for it); elsewhere the parameter must name the folder.
        var modelsKey = $"Parameters:{ModelsDirectoryParameter}";
        if (string.IsNullOrEmpty(configuration[modelsKey]))
        {
            configuration[modelsKey] = configuration["INFERENCE_MODELS_DIR"] is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : BesideCheckout(appHostDirectory) ?? BesideCheckout(AppContext.BaseDirectory);
        }

        // In run mode the services read the folder on this machine, so it must be there; a published app gets it at
        // deployment, where the target's path is what counts.
        if (isRunMode && (configuration[modelsKey] is not { Length: > 0 } models || !Directory.Exists(models)))
        {
            throw new PlatformSettingsException(configuration[modelsKey] is { Length: > 0 } missing
                ? $"{modelsKey} '{missing}' does not exist."
                : $"{modelsKey} is not set: give the folder of model folders (--{modelsKey}=/path/to/models).");
        }

        return new PlatformSettings(provider, model, replicas);
    }

    private static string? BesideCheckout(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "models");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

internal sealed class PlatformSettingsException(string message) : Exception(message);
