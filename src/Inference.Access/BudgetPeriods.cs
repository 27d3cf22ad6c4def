namespace Inference.Access;

/// <summary>The periods a budget (and usage and cost) is counted over, in UTC.</summary>
public static class BudgetPeriods
{
    public const string Day = "day";
    public const string Month = "month";

    /// <summary>When the period holding <paramref name="now"/> started and ends.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Of(string period, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return period switch
        {
            Day => (new DateTimeOffset(utc.Date, TimeSpan.Zero), new DateTimeOffset(utc.Date, TimeSpan.Zero).AddDays(1)),
            Month => (new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, "day or month"),
        };
    }
}
