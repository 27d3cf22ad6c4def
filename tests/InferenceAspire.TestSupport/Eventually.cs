namespace InferenceAspire.TestSupport;

public static class Eventually
{
    /// <summary>
    /// Probes until <paramref name="done"/> holds, for up to a minute: for what happens in the background (the audit
    /// writer, the registry) or a server coming back. A probe failing while the server is unreachable counts as not yet.
    /// </summary>
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value))
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or HttpRequestException && DateTime.UtcNow < deadline)
            {
                // Not there yet.
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(200);
        }
    }
}
