namespace Inference.Jobs;

/// <summary>
/// Where job items are announced for the replicas to take (Redis Streams, a JetStream work queue), beside the database,
/// which decides: a queue only says which items to try, so a lost or repeated entry loses or doubles nothing, and
/// while the queue is away the replicas find the items in the database instead.
/// </summary>
internal interface IJobQueue
{
    /// <summary>True when items go through the queue; false: the database alone.</summary>
    bool Enabled { get; }

    /// <summary>Adds an entry per item, after they are in the database.</summary>
    Task AnnounceAsync(string job, int items);

    /// <summary>Entries for this consumer: those another consumer took and left too long first, then new ones.</summary>
    Task<List<QueuedItem>> ReadAsync(string consumer, int count);

    /// <summary>Done with an entry: its item recorded, or taken another way.</summary>
    Task AckAsync(QueuedItem item);
}
