namespace Inference.Serving.Auditing;

/// <summary>
/// Where every inference call is recorded. <see cref="Record"/> is on the request path: implementations queue the
/// call and write it elsewhere, and never block or throw.
/// </summary>
public interface IInferenceAuditLog
{
    void Record(InferenceCall call);
}
