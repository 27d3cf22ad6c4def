namespace Inference.Api.FunctionalTests;

/// <summary>Bad Aspire-style settings stop the Api at start with one line naming the setting.</summary>
public sealed class AspireConfigurationErrorTests
{
    [Theory]
    [InlineData("ConnectionStrings__metadata", "Host=127.0.0.1;Bogus Setting=1",
        "Inference.Api cannot start: ConnectionStrings:metadata is not a valid PostgreSQL connection string")]
    [InlineData("ConnectionStrings__cache", "127.0.0.1:6379,bogus=1",
        "Inference.Api cannot start: ConnectionStrings:cache is not a Redis connection string")]
    [InlineData("services__worker__http__0", "http://127.0.0.1:9",
        "Inference.Api cannot start: services:worker: the service did not list its models at http://worker/v1/models within 2 s")]
    public async Task A_bad_setting_stops_the_start_naming_it(string name, string value, string message)
    {
        var (exitCode, stderr) = await HostingTests.RunApiAsync(
            ("Inference__ModelsDirectory", InferenceApiFixture.ModelsRoot),
            ("Inference__Discovery__Timeout", "00:00:02"),
            (name, value));

        Assert.Equal(1, exitCode);
        Assert.StartsWith(message, stderr.Trim(), StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
