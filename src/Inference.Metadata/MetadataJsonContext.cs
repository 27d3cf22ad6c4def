using System.Text.Json.Serialization;
using Inference.Metadata.Data;

namespace Inference.Metadata;

[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(OperationalEventRecord))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Registry.VersionConfiguration))]
[JsonSerializable(typeof(List<Lifecycle.DeploymentEvent>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
