namespace Annotate.Gateway.Stats;

/// <summary>Answer of <c>GET /api/stats</c>: throughput, latency and failures, computed from the state store.</summary>
/// <param name="GeneratedAt">When the answer was computed (UTC).</param>
/// <param name="PerMinute">The last 60 minutes, oldest first, one point per minute (zeros included); the current minute is last.</param>
/// <param name="PerHour">The last 24 hours, oldest first, one point per hour; the current hour is last.</param>
/// <param name="LatencyLastHour">Receipt-to-completion latency of the documents completed in the last hour.</param>
/// <param name="LatencyLastDay">The same over the last 24 hours.</param>
/// <param name="FailuresLastHour">Failure rate by reason over the last hour.</param>
/// <param name="FailuresLastDay">Failure rate by reason over the last 24 hours.</param>
/// <param name="InFlight">Documents Received or Processing now.</param>
public sealed record StatsResponse(
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ThroughputPoint> PerMinute,
    IReadOnlyList<ThroughputPoint> PerHour,
    LatencyStats LatencyLastHour,
    LatencyStats LatencyLastDay,
    FailureStats FailuresLastHour,
    FailureStats FailuresLastDay,
    int InFlight)
{
    /// <summary>The tenant the figures are of (the caller's, when keys are required), or null for every tenant's documents.</summary>
    public string? Tenant { get; init; }

    /// <summary>Model tokens of the documents completed in the last hour, and per second over the hour.</summary>
    public TokenStats TokensLastHour { get; init; } = new(0, 0, 0, 0);

    /// <summary>The same over the last 24 hours.</summary>
    public TokenStats TokensLastDay { get; init; } = new(0, 0, 0, 0);
}

/// <summary>Documents received, completed (of which duplicates) and failed in one minute or hour.</summary>
/// <param name="Start">Start of the minute or hour (UTC).</param>
/// <param name="Received">Documents received.</param>
/// <param name="Completed">Documents completed, duplicates included.</param>
/// <param name="Duplicates">Completed documents whose outputs were copied from an earlier one with the same content.</param>
/// <param name="Failed">Documents failed.</param>
/// <param name="FailedByReason">Failures by reason.</param>
public sealed record ThroughputPoint(DateTimeOffset Start, int Received, int Completed, int Duplicates, int Failed, IReadOnlyDictionary<string, int> FailedByReason)
{
    /// <summary>Prompt tokens the model read for the documents completed in it (as the workers reported them).</summary>
    public long TokensIn { get; init; }

    /// <summary>Tokens the model generated for them.</summary>
    public long TokensOut { get; init; }
}

/// <summary>Model tokens over a window, in total and per second of the window.</summary>
/// <param name="In">Prompt tokens.</param>
/// <param name="Out">Generated tokens.</param>
/// <param name="InPerSecond">Prompt tokens ÷ seconds of the window.</param>
/// <param name="OutPerSecond">Generated tokens ÷ seconds of the window.</param>
public sealed record TokenStats(long In, long Out, double InPerSecond, double OutPerSecond);

/// <summary>Percentiles of the time from receipt to completion, in milliseconds; null when no document completed.</summary>
/// <param name="Documents">Documents the percentiles are computed over.</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P95Ms">95th percentile.</param>
public sealed record LatencyStats(int Documents, double? P50Ms, double? P95Ms);

/// <summary>Finished documents and the share that failed, overall and by reason.</summary>
/// <param name="Finished">Documents completed or failed.</param>
/// <param name="Failed">Documents failed.</param>
/// <param name="Rate">Failed ÷ finished, 0 when nothing finished.</param>
/// <param name="ByReason">Per reason, most frequent first.</param>
public sealed record FailureStats(int Finished, int Failed, double Rate, IReadOnlyList<FailureReasonStats> ByReason);

/// <summary>Failures of one reason.</summary>
/// <param name="Reason">Machine-readable reason (see <c>DocumentAnnotationFailed.Reason</c>).</param>
/// <param name="Failed">Documents failed with it.</param>
/// <param name="Rate">Its failures ÷ finished documents.</param>
public sealed record FailureReasonStats(string Reason, int Failed, double Rate);
