using System.Text.Json.Serialization;
using Inference.Monitoring.Alerts;
using Inference.Monitoring.Services;

namespace Inference.Monitoring;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ServicesSnapshot))]
[JsonSerializable(typeof(ServiceStatus))]
[JsonSerializable(typeof(ServedModelStatus))]
[JsonSerializable(typeof(ActiveAlerts))]
[JsonSerializable(typeof(PerformanceReport))]
[JsonSerializable(typeof(MonitoringSnapshot))]
[JsonSerializable(typeof(RequestEvent))]
[JsonSerializable(typeof(AlertEvent))]
[JsonSerializable(typeof(Inference.Serving.Events.OperationalEvent))]
[JsonSerializable(typeof(Inference.Serving.Events.OperationalEventPage))]
internal sealed partial class MonitoringJsonContext : JsonSerializerContext;
