namespace Inference.Serving;

/// <summary>A way requests reach this service (HTTP, messaging), as the service's start describes it.</summary>
public interface IInferenceTransport
{
    /// <summary>What it listens on, e.g. "HTTP API listening on http://127.0.0.1:5000".</summary>
    string Description { get; }
}
