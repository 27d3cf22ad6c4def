using System.Text.Json.Serialization;
using Inference.Storage.Data;

namespace Inference.Storage;

[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(OperationalEventRecord))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class StorageJsonContext : JsonSerializerContext;
