namespace Inference.Monitoring;

/// <summary>The process's memory against what it may use: a container's limit where there is one, else the machine's memory.</summary>
public static class MemoryUsage
{
    public static double Percent()
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return limit <= 0 ? 0 : Math.Round(100.0 * Environment.WorkingSet / limit, 2);
    }
}
