using Annotate.Gateway.Storage;

namespace Annotate.Gateway.Stats;

/// <summary>
/// Computes <see cref="StatsResponse"/> from the state store: the counts from the per-minute rollup
/// (<c>throughput_minutes</c>, kept by the rollup job), the latencies from the completed documents themselves. Both are
/// in the database, so the numbers survive a restart and are the same on every gateway sharing PostgreSQL.
/// </summary>
public sealed class StatsReader(IDocumentStore store, TimeProvider time)
{
    /// <summary>Most documents a percentile is computed over (the most recently completed).</summary>
    internal const int LatencySample = 100_000;

    /// <summary>Every tenant's statistics.</summary>
    public Task<StatsResponse> ReadAsync(CancellationToken cancellationToken) => ReadAsync(null, cancellationToken);

    /// <summary>The statistics of <paramref name="tenant"/>'s documents, or of every tenant's when null.</summary>
    public async Task<StatsResponse> ReadAsync(string? tenant, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nextMinute = ThroughputMinute.Floor(now).AddMinutes(1);
        var nextHour = HourFloor(now).AddHours(1);
        var dayStart = nextHour.AddHours(-24);
        var hourStart = nextMinute.AddMinutes(-60);
        var minutes = await store.ListThroughputAsync(dayStart, nextHour, tenant, cancellationToken);

        var perMinute = Enumerable.Range(0, 60)
            .Select(i => hourStart.AddMinutes(i))
            .Select(start => Sum(start, minutes.Where(m => m.Minute == start)))
            .ToList();
        var perHour = Enumerable.Range(0, 24)
            .Select(i => dayStart.AddHours(i))
            .Select(start => Sum(start, minutes.Where(m => m.Minute >= start && m.Minute < start.AddHours(1))))
            .ToList();

        return new StatsResponse(
            now,
            perMinute,
            perHour,
            Latency(await store.ListLatenciesAsync(hourStart, nextMinute, LatencySample, tenant, cancellationToken)),
            Latency(await store.ListLatenciesAsync(dayStart, nextHour, LatencySample, tenant, cancellationToken)),
            Failures(perMinute),
            Failures(perHour),
            await store.CountUnfinishedAsync(tenant, cancellationToken))
        {
            Tenant = tenant,
            TokensLastHour = Tokens(perMinute, TimeSpan.FromHours(1)),
            TokensLastDay = Tokens(perHour, TimeSpan.FromDays(1)),
        };
    }

    private static ThroughputPoint Sum(DateTimeOffset start, IEnumerable<ThroughputMinute> minutes)
    {
        int received = 0, completed = 0, duplicates = 0, failed = 0;
        long tokensIn = 0, tokensOut = 0;
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in minutes)
        {
            received += m.Received;
            completed += m.Completed;
            duplicates += m.Duplicates;
            failed += m.Failed;
            tokensIn += m.TokensIn;
            tokensOut += m.TokensOut;
            foreach (var (reason, count) in m.FailedByReason)
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
        }
        return new ThroughputPoint(start, received, completed, duplicates, failed, reasons) { TokensIn = tokensIn, TokensOut = tokensOut };
    }

    // Averaged over the whole window (the current, unfinished minute or hour included), like the counts it comes from.
    private static TokenStats Tokens(IReadOnlyList<ThroughputPoint> points, TimeSpan window)
    {
        var tokensIn = points.Sum(p => p.TokensIn);
        var tokensOut = points.Sum(p => p.TokensOut);
        return new TokenStats(tokensIn, tokensOut, tokensIn / window.TotalSeconds, tokensOut / window.TotalSeconds);
    }

    internal static LatencyStats Latency(IReadOnlyList<double> latencies)
    {
        if (latencies.Count == 0)
        {
            return new LatencyStats(0, null, null);
        }
        var sorted = latencies.Order().ToArray();
        return new LatencyStats(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95));
    }

    // Nearest rank: a value some document actually took, never an interpolation between two.
    internal static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static FailureStats Failures(IReadOnlyList<ThroughputPoint> points)
    {
        var finished = points.Sum(p => p.Completed + p.Failed);
        var failed = points.Sum(p => p.Failed);
        double Rate(int count) => finished == 0 ? 0 : (double)count / finished;
        var byReason = points.SelectMany(p => p.FailedByReason)
            .GroupBy(r => r.Key, StringComparer.Ordinal)
            .Select(g => new FailureReasonStats(g.Key, g.Sum(r => r.Value), Rate(g.Sum(r => r.Value))))
            .OrderByDescending(r => r.Failed).ThenBy(r => r.Reason, StringComparer.Ordinal)
            .ToList();
        return new FailureStats(finished, failed, Rate(failed), byReason);
    }

    private static DateTimeOffset HourFloor(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero);
    }
}
