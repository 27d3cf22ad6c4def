using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace InferenceAspire.AppHost;

/// <summary>
/// The AppHost's choices that shape the app model itself, read from its configuration (<c>Parameters:*</c>, as
/// <c>--Parameters:chat-provider=ollama</c>, user secrets or environment) and checked before anything is built.
/// </summary>
internal sealed record PlatformSettings(string ChatProvider, string ChatModel, int WorkerReplicas, ServerMode Servers, string LocalData, LocalServerBinaries? Binaries)
{
    /// <summary>Prompt and response text in the GenAI spans the dashboard shows (off: prompts are user data).</summary>
    public bool TelemetryContent { get; init; }

    public const string ModelsDirectoryParameter = "models-dir";
    public const string ChatProviderParameter = "chat-provider";
    public const string ChatModelParameter = "chat-model";
    public const string WorkerReplicasParameter = "worker-replicas";
    public const string OpenAIEndpointParameter = "openai-endpoint";
    public const string ServersParameter = "servers";
    public const string LocalDataParameter = "local-data";
    public const string TelemetryContentParameter = "telemetry-content";
    public const string AdminKeyParameter = "admin-key";

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

        var (servers, binaries) = ReadServers(configuration, isRunMode);
        var localData = configuration[$"Parameters:{LocalDataParameter}"] is { Length: > 0 } data ? Path.GetFullPath(data)
            : Environment.IsPrivilegedProcess ? "/var/lib/inference-aspire"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "InferenceAspire");
        var contentKey = $"Parameters:{TelemetryContentParameter}";
        var contentText = configuration[contentKey] ?? "false";
        if (!bool.TryParse(contentText, out var content))
        {
            throw new PlatformSettingsException($"{contentKey} '{contentText}' must be true or false.");
        }

        return new PlatformSettings(provider, model, replicas, servers, localData, binaries) { TelemetryContent = content };
    }

    /// <summary>
    /// auto: containers where a container runtime's daemon answers (and always when publishing, for the manifest),
    /// local executables where it does not; or as the parameter says.
    /// </summary>
    private static (ServerMode Mode, LocalServerBinaries? Binaries) ReadServers(IConfiguration configuration, bool isRunMode)
    {
        var key = $"Parameters:{ServersParameter}";
        var text = (configuration[key] ?? "auto").Trim().ToLowerInvariant();
        var mode = text switch
        {
            "containers" => ServerMode.Containers,
            "local" => ServerMode.Local,
            "existing" => ServerMode.Existing,
            "auto" when !isRunMode || ContainerRuntime.Answers(ContainerRuntime.Name(k => configuration[k])) => ServerMode.Containers,
            "auto" => ServerMode.Local,
            _ => throw new PlatformSettingsException($"{key} '{configuration[key]}' is unknown; use auto, containers, local or existing."),
        };

        if (mode == ServerMode.Existing && !isRunMode)
        {
            throw new PlatformSettingsException($"{key} 'existing' is for running here; a published app gets its servers from the deployment.");
        }

        if (mode == ServerMode.Existing)
        {
            foreach (var name in new[] { "cache", "metadata" })
            {
                if (string.IsNullOrWhiteSpace(configuration[$"ConnectionStrings:{name}"]))
                {
                    throw new PlatformSettingsException($"{key} is 'existing' but ConnectionStrings:{name} is not set (the {(name == "cache" ? "Redis" : "PostgreSQL")} server to use).");
                }
            }
        }

        if (mode != ServerMode.Local || !isRunMode)
        {
            return (mode, null);
        }

        var binaries = LocalServerBinaries.Find(out var missing) ?? throw new PlatformSettingsException(text == "auto"
            ? $"no container runtime answers here and {missing} cannot be found: start Docker, install redis-server, postgresql and nats-server, or set {key}=existing with ConnectionStrings:cache, ConnectionStrings:metadata and ConnectionStrings:nats."
            : $"{key} is 'local' but {missing} cannot be found (Debian: apt-get install redis-server postgresql nats-server).");
        if (Environment.IsPrivilegedProcess && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            throw new PlatformSettingsException("PostgreSQL refuses to run as root and there is no 'postgres' user to run it as (useradd --system postgres).");
        }

        return (mode, binaries);
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
