using System.Text.Json.Serialization;
using Inference.Lifecycle.Registry;

namespace Inference.Lifecycle;

[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(VersionConfiguration))]
[JsonSerializable(typeof(List<DeploymentEvent>))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;
