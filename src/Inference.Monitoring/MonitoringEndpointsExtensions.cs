using Inference.Monitoring;

namespace Microsoft.AspNetCore.Builder;

public static class MonitoringEndpointsExtensions
{
    /// <summary>
    /// <c>GET /metrics</c> (Prometheus), <c>/alerts/active</c>, <c>/performance/report</c>, <c>/api/services</c>,
    /// <c>/api/events</c> (Server-Sent Events) and the live <c>/dashboard</c>.
    /// </summary>
    public static WebApplication MapInferenceMonitoring(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        MonitoringApi.Map(app);
        return app;
    }
}
