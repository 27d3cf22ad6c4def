using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Engines;
using Inference.Storage.Data;
using Inference.Lifecycle.Registry;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Inference.Serving.Remote;
using Inference.Serving.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Lifecycle;

/// <summary>
/// The registry's write side : registering versions (a local model by path is loaded,
/// and so validated, before it is recorded; a remote one through its provider), activating and deprecating them, and
/// keeping this service's routing table in step with the database, where every replica reads it.
/// </summary>
internal sealed partial class ModelLifecycle(
    IDbContextFactory<MetadataDbContext> contexts,
    ModelCatalog catalog,
    ModelRouter router,
    ModelRegistry registry,
    ModelPrices prices,
    LocalModelFactory locals,
    RemoteModelFactory remotes,
    WorkerReplicaSets replicaSets,
    IOptions<LocalModelsOptions> localOptions,
    TimeProvider time,
    ILogger<ModelLifecycle> logger) : IDisposable
{
    private static readonly TimeSpan RetryFailedLoadAfter = TimeSpan.FromMinutes(1);

    /// <summary>The largest price per million tokens a version may name (the columns hold 12 digits before the point).</summary>
    private const decimal MaxPrice = 1_000_000_000m;

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConcurrentDictionary<string, IDisposable> _owned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Error, DateTimeOffset At)> _failed = new(StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]{0,49}$")]
    private static partial Regex VersionPattern();

    /// <summary>Why a registered version is not served here, when loading it failed.</summary>
    public string? LoadError(string target) => _failed.TryGetValue(target, out var failure) ? failure.Error : null;

    /// <summary>Reads the registry, serves registered versions not yet served here, and publishes the routing table.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var models = await db.Models.AsNoTracking().Include(m => m.Versions).ToListAsync(cancellationToken);
            foreach (var model in models)
            {
                foreach (var version in model.Versions.Where(v => v.Origin == VersionOrigins.Registered))
                {
                    await EnsureServedAsync(model, version, cancellationToken);
                }
            }

            // Which replicas serve each version of a replicated model, before the table that routes to them.
            var rolling = await db.Deployments.AsNoTracking().Where(d => d.Strategy == DeploymentStrategies.Rolling).ToListAsync(cancellationToken);
            foreach (var set in replicaSets.All)
            {
                set.Publish(ReplicaMembership.Of(set, models.FirstOrDefault(m => m.Id == set.Name), rolling));
            }

            // A rolling deployment splits the traffic as a canary does: each replica it reaches adds its share.
            var canaries = await db.Deployments.AsNoTracking()
                .Where(d => d.Status == DeploymentStatus.InProgress && (d.Strategy == DeploymentStrategies.Canary || d.Strategy == DeploymentStrategies.Rolling))
                .ToListAsync(cancellationToken);
            var tests = await db.AbTests.AsNoTracking().Where(t => t.Status == AbTestStatus.Running).ToListAsync(cancellationToken);
            router.Publish(RoutingTableBuilder.Build(models, canaries, tests, catalog, registry));
            prices.Publish(models.SelectMany(m => m.Versions));
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async Task<ModelVersion> RegisterAsync(RegisterModelRequest request, string? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Name?.Trim();
        var version = request.Version?.Trim();
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw ControlPlaneException.BadRequest("name is required: letters, digits, '.', '_' and '-' (no ':' — that separates the version).");
        }

        if (version is null || !VersionPattern().IsMatch(version))
        {
            throw ControlPlaneException.BadRequest("version is required: up to 50 letters, digits, '.', '_', '+' and '-'.");
        }

        var local = !string.IsNullOrWhiteSpace(request.ModelPath);
        var remote = !string.IsNullOrWhiteSpace(request.Provider);
        var onWorkers = local && remote && string.Equals(request.Provider!.Trim(), "worker", StringComparison.OrdinalIgnoreCase)
            && request.ConnectionString is null && request.ConnectionName is null;
        if (local == remote && !onWorkers)
        {
            throw ControlPlaneException.BadRequest(
                "Give either model_path (a model folder or file this service loads), provider with connection_string or connection_name, or model_path with provider worker (loaded by the name's Worker replicas).");
        }

        if (onWorkers && replicaSets.Find(name) is null)
        {
            throw ControlPlaneException.BadRequest(
                $"model_path with provider worker is loaded by the Worker replicas of '{name}', and '{name}' has none: configure Inference:Remote:{name}:Replicas, or give a connection.");
        }

        var kind = request.Kind is null ? (ModelKind?)null
            : ModelKindNames.Parse(request.Kind) ?? throw ControlPlaneException.BadRequest($"kind must be chat, embedding or classification, not '{request.Kind}'.");

        if (request.Pricing is { } pricing
            && ((pricing.InputPerMillion is null && pricing.OutputPerMillion is null) || pricing.InputPerMillion < 0 || pricing.OutputPerMillion < 0
                || pricing.InputPerMillion > MaxPrice || pricing.OutputPerMillion > MaxPrice))
        {
            throw ControlPlaneException.BadRequest($"pricing needs input_per_million and/or output_per_million, each from 0 to {MaxPrice:N0} (per million tokens).");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Models.Include(m => m.Versions).SingleOrDefaultAsync(m => m.Id == name, cancellationToken);
        if (row?.Versions.Any(v => v.Version == version) == true)
        {
            throw ControlPlaneException.Conflict($"Model '{name}' already has a version '{version}'.");
        }

        var target = $"{name}:{version}";
        var definition = new ModelVersion
        {
            ModelId = name,
            Version = version,
            Origin = VersionOrigins.Registered,
            Created = time.GetUtcNow(),
            Configuration = "{}",
            ConfigurationHash = "",
            Description = request.Description,
            ModelType = request.ModelType,
            Framework = request.Framework,
            Tags = JsonSerializer.Serialize(request.Tags ?? [], LifecycleJsonContext.Default.ListString),
            PerformanceMetrics = request.PerformanceMetrics?.GetRawText() ?? "{}",
            // Each Worker reads a path of its own models directory; this service reads its own.
            Path = onWorkers ? request.ModelPath!.Trim() : local ? ResolvePath(request.ModelPath!) : null,
            Provider = remote ? request.Provider!.Trim().ToLowerInvariant() : "local",
            ConnectionName = request.ConnectionName,
            ConnectionString = request.ConnectionString,
            RegisteredBy = caller,
            InputPricePerMillion = request.Pricing is null ? null : request.Pricing.InputPerMillion ?? 0m,
            OutputPricePerMillion = request.Pricing is null ? null : request.Pricing.OutputPerMillion ?? 0m,
        };

        // Served before it is recorded: a model that does not load is refused with the engine's reason.
        var served = await Task.Run(() => Create(name, definition, kind, request.ChatTemplate), cancellationToken);
        definition.Kind = VersionConfiguration.KindOf(served.Kind);
        if (row is not null && row.Kind != definition.Kind)
        {
            Unserve(target);
            throw ControlPlaneException.BadRequest($"Model '{name}' is a {row.Kind} model; version '{version}' is a {definition.Kind} model.");
        }

        definition.Framework ??= served.Format ?? definition.Provider;
        (definition.Configuration, definition.ConfigurationHash) = VersionConfiguration.Of(served, definition.Provider!, request.Fallbacks ?? []).Serialize();
        var now = time.GetUtcNow();
        if (row is null)
        {
            // A new model: its first version is all there is to serve, so it is active at once.
            row = new RegisteredModel { Id = name, Kind = definition.Kind, Provider = definition.Provider!, Created = now, Updated = now };
            db.Models.Add(row);
            definition.IsDefault = true;
            definition.ActivatedAt = now;
            definition.ActivatedBy = caller;
            db.Lineage.Add(new LineageRecord { ModelId = name, Version = version, At = now, By = caller, Reason = "registered" });
        }

        row.ContextLength ??= served.ContextLength;
        row.ParameterCount ??= served.ParameterCount;
        row.Quantization ??= served.Quantization;
        row.ChatTemplate ??= served.ChatTemplate;
        row.EmbeddingLength ??= served.Dimensions;
        if (request.Fallbacks is { } fallbacks)
        {
            row.Fallbacks = JsonSerializer.Serialize(fallbacks, LifecycleJsonContext.Default.ListString);
        }

        row.Updated = now;
        row.Versions.Add(definition);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            Unserve(target);
            throw ControlPlaneException.Conflict($"Model '{name}' already has a version '{version}'.");
        }

        Log.Registered(logger, name, version, served.Source);
        await RefreshAsync(cancellationToken);
        return definition;
    }

    /// <summary>Makes <paramref name="version"/> the one requests for <paramref name="name"/> get.</summary>
    /// <param name="reason">What the lineage records: activate, deploy or rollback.</param>
    public async Task<ModelVersion> ActivateAsync(string name, string version, string? caller, CancellationToken cancellationToken, string reason = "activate")
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Models.Include(m => m.Versions).SingleOrDefaultAsync(m => m.Id == name, cancellationToken)
            ?? throw ControlPlaneException.NotFound($"No model '{name}' is registered.");
        var chosen = row.Versions.SingleOrDefault(v => v.Version == version)
            ?? throw ControlPlaneException.NotFound($"Model '{name}' has no version '{version}'.");
        if (chosen.Deprecated)
        {
            throw ControlPlaneException.Conflict($"Version '{version}' of '{name}' is deprecated; it cannot be activated.");
        }

        if (!IsServable(name, chosen))
        {
            throw ControlPlaneException.Conflict(chosen.Origin == VersionOrigins.Configuration
                ? $"Version '{version}' of '{name}' is a former configuration; only the configured version ({registry.ConfiguredVersion(name) ?? "none"}) is served."
                : $"Version '{version}' of '{name}' is not served here: {LoadError(RoutingTableBuilder.TargetId(name, chosen)) ?? "it has not been loaded yet"}.");
        }

        var active = row.Versions.FirstOrDefault(v => v.IsDefault);
        if (active != chosen)
        {
            foreach (var other in row.Versions)
            {
                other.IsDefault = false;
            }

            var now = time.GetUtcNow();
            chosen.IsDefault = true;
            chosen.Replaced = active?.Version;
            chosen.ActivatedAt = now;
            chosen.ActivatedBy = caller;
            row.Updated = now;
            db.Lineage.Add(new LineageRecord { ModelId = name, Version = version, Replaced = active?.Version, At = now, By = caller, Reason = reason });
            await db.SaveChangesAsync(cancellationToken);
            Log.Activated(logger, name, version, active?.Version);
        }

        await RefreshAsync(cancellationToken);
        return chosen;
    }

    public async Task<ModelVersion> DeprecateAsync(string name, string version, bool deprecated, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var chosen = await db.ModelVersions.SingleOrDefaultAsync(v => v.ModelId == name && v.Version == version, cancellationToken)
            ?? throw ControlPlaneException.NotFound($"Model '{name}' has no version '{version}'.");
        if (deprecated && chosen.IsDefault)
        {
            throw ControlPlaneException.Conflict($"Version '{version}' of '{name}' is the active one; activate another first.");
        }

        chosen.Deprecated = deprecated;
        await db.SaveChangesAsync(cancellationToken);
        return chosen;
    }

    /// <summary>True when this service has the version in its catalog.</summary>
    public bool IsServable(string name, ModelVersion version) => RoutingTableBuilder.IsServable(name, version, catalog, registry);

    public void Dispose()
    {
        foreach (var owned in _owned.Values)
        {
            owned.Dispose();
        }

        _refresh.Dispose();
    }

    private async Task EnsureServedAsync(RegisteredModel model, ModelVersion version, CancellationToken cancellationToken)
    {
        var target = RoutingTableBuilder.TargetId(model.Id, version);
        if (catalog.Find(target) is not null || (_failed.TryGetValue(target, out var failure) && time.GetUtcNow() - failure.At < RetryFailedLoadAfter))
        {
            return;
        }

        try
        {
            var kind = ModelKindNames.Parse(version.Kind) ?? ModelKind.Chat;
            await Task.Run(() => Create(model.Id, version, kind, null), cancellationToken);
            _failed.TryRemove(target, out _);
        }
        catch (ControlPlaneException ex)
        {
            // Registered on another replica, or before a restart, and not loadable here: recorded, served by the others.
            _failed[target] = (ex.Message, time.GetUtcNow());
            Log.NotServed(logger, target, ex.Message);
        }
    }

    /// <summary>Builds and serves a registered version's catalog entry, <c>name:version</c>.</summary>
    private ServedModel Create(string name, ModelVersion version, ModelKind? kind, string? chatTemplate)
    {
        var id = $"{name}:{version.Version}";
        ServedModel served;
        if (version.Path is not null && version.Provider == "worker")
        {
            // Loaded by the Worker replicas as a rolling deployment reaches them; served by those it has reached.
            if (kind == ModelKind.Embedding || replicaSets.Find(name) is not { } set)
            {
                throw ControlPlaneException.BadRequest($"'{id}' is loaded by Worker replicas, and '{name}' has no chat model replicas here (Inference:Remote:{name}:Replicas).");
            }

            var replicated = remotes.CreateReplicated(id, set, id, []);
            served = replicated with
            {
                // The format of the files the Workers load, when they are also reachable here (a shared models directory).
                Description = replicated.Description with { ChatTemplate = chatTemplate, Format = locals.FormatName(ResolvePath(version.Path)) },
            };
        }
        else if (version.Path is { } path)
        {
            try
            {
                served = locals.Serve(id, path, kind, chatTemplate, [], loadNow: true, keepAlive: null, out var owner);
                _owned[id] = owner;
            }
            catch (ModelFolderException ex)
            {
                throw ControlPlaneException.BadRequest($"The model at '{path}' cannot be loaded: {ex.Message}");
            }
        }
        else
        {
            try
            {
                served = remotes.Create(id, new RemoteModelDefinition
                {
                    Provider = version.Provider ?? "",
                    ConnectionName = version.ConnectionName,
                    ConnectionString = version.ConnectionString,
                    Kind = kind,
                }, $"version '{version.Version}' of '{name}'");
            }
            catch (InferenceConfigurationException ex)
            {
                throw ControlPlaneException.BadRequest(ex.Message);
            }
        }

        if (!catalog.TryAdd(served))
        {
            Unserve(id, keepCatalog: true);
            throw ControlPlaneException.Conflict($"'{id}' is already served.");
        }

        return served;
    }

    private void Unserve(string id, bool keepCatalog = false)
    {
        if (!keepCatalog)
        {
            catalog.Remove(id);
        }

        if (_owned.TryRemove(id, out var owner))
        {
            owner.Dispose();
        }
    }

    /// <summary>What a Worker-loaded version's files are, by their name (the Workers load them).</summary>
    private string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return Path.GetFullPath(path);
        }

        var root = localOptions.Value.ResolvedModelsDirectory;
        return root is null ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(root, path));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Registered version {Version} of model {Model} ({Source}).")]
        public static partial void Registered(ILogger logger, string model, string version, string source);

        [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: version {Version} is active (was {Previous}).")]
        public static partial void Activated(ILogger logger, string model, string version, string? previous);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Registered model {Model} is not served by this service: {Reason}")]
        public static partial void NotServed(ILogger logger, string model, string reason);
    }
}
