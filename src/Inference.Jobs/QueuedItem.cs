namespace Inference.Jobs;

/// <summary>One queued entry: which item of which job, and the queue's own handle to acknowledge it by.</summary>
internal sealed record QueuedItem(object Handle, string Job, int Index);
