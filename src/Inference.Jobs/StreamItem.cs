using StackExchange.Redis;

namespace Inference.Jobs;

/// <summary>One stream entry: which item of which job.</summary>
internal sealed record StreamItem(RedisValue Id, string Job, int Index);
