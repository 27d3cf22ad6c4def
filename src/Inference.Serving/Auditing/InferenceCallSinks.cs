namespace Inference.Serving.Auditing;

/// <summary>Several call sinks as one: each gets every call, and one that throws does not stop the others.</summary>
internal sealed class InferenceCallSinks(IReadOnlyList<IInferenceAuditLog> sinks) : IInferenceAuditLog
{
    public void Record(InferenceCall call)
    {
        List<Exception>? failures = null;
        foreach (var sink in sinks)
        {
            try
            {
                sink.Record(call);
            }
            catch (Exception ex)
            {
                (failures ??= []).Add(ex);
            }
        }

        if (failures is not null)
        {
            throw new AggregateException("A call sink failed.", failures);
        }
    }
}
