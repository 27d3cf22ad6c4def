using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceAspire.AppHost.Tests;

/// <summary>The AppHost's app model, built as the orchestrator would build it, without running it.</summary>
internal sealed class AppModel : IAsyncDisposable
{
    private readonly DistributedApplication _app;

    private AppModel(DistributedApplication app)
    {
        _app = app;
        // The dashboard's rebuild commands add a hidden rebuilder beside each project: not part of the platform.
        Resources = [.. app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => r.GetType().Name != "ProjectRebuilderResource")];
    }

    public IReadOnlyList<IResource> Resources { get; }

    /// <summary>
    /// Builds the app model; <paramref name="publish"/> builds it as <c>--publisher manifest</c> would. Redis and
    /// PostgreSQL are containers unless the arguments choose <c>servers</c> (run mode would pick local executables here).
    /// </summary>
    public static async Task<AppModel> BuildAsync(bool publish = false, params string[] args)
    {
        string[] servers = args.Any(a => a.StartsWith("--Parameters:servers=", StringComparison.Ordinal)) ? [] : ["--Parameters:servers=containers"];
        // A given admin key: run mode would otherwise generate one and keep it in the user secrets.
        string[] key = publish || args.Any(a => a.StartsWith("--Parameters:admin-key=", StringComparison.Ordinal)) ? [] : [$"--Parameters:admin-key={AdminKey}"];
        string[] all = publish ? ["--operation", "publish", "--publisher", "manifest", .. servers, .. args] : [.. servers, .. key, .. args];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.InferenceAspire_AppHost>(all);
        return new AppModel(await builder.BuildAsync());
    }

    public const string AdminKey = "apphost-test-admin-key-0123456789abcdef";

    public IResource this[string name] => Resources.Single(r => r.Name == name);

    public T Get<T>(string name) where T : IResource => Assert.IsType<T>(this[name], exactMatch: false);

    /// <summary>Gives every endpoint of the model an address on loopback, as the orchestrator does when it starts resources.</summary>
    public void AllocateEndpoints(Func<IResource, EndpointAnnotation, int> port)
    {
        foreach (var resource in Resources)
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "127.0.0.1", port(resource, endpoint));
            }
        }
    }

    /// <summary>The environment the orchestrator would give a resource, every expression resolved.</summary>
    public async Task<Dictionary<string, string>> EnvironmentAsync(string name, bool publish = false)
    {
#pragma warning disable CS0618 // Obsolete in 13.x, and the way to read the environment without the orchestrator.
        var values = await ((IResourceWithEnvironment)this[name]).GetEnvironmentVariableValuesAsync(
            publish ? DistributedApplicationOperation.Publish : DistributedApplicationOperation.Run);
#pragma warning restore CS0618
        return new Dictionary<string, string>(values);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
