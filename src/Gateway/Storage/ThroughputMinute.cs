namespace Annotate.Gateway.Storage;

/// <summary>
/// What happened in one minute (UTC): documents received, completed and failed, the failures by reason, and how many of
/// the completed were duplicates (outputs copied from an earlier document with the same content, not annotated again).
/// </summary>
public sealed record ThroughputMinute(
    DateTimeOffset Minute,
    int Received,
    int Completed,
    int Failed,
    IReadOnlyDictionary<string, int> FailedByReason,
    int Duplicates = 0)
{
    /// <summary>The start of the minute <paramref name="time"/> falls in, in UTC.</summary>
    public static DateTimeOffset Floor(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    /// <summary>
    /// Counts, per minute of [<paramref name="from"/>, <paramref name="to"/>), the documents received (by their receipt)
    /// and finished (by their finish); both stores roll up through this, so they count alike.
    /// </summary>
    internal static IReadOnlyList<ThroughputMinute> Count(
        IEnumerable<(DateTimeOffset ReceivedAt, DocumentState State, string? Reason, DateTimeOffset? FinishedAt, bool Duplicate)> documents,
        DateTimeOffset from, DateTimeOffset to)
    {
        var minutes = new SortedDictionary<DateTimeOffset, (int Received, int Completed, int Failed, Dictionary<string, int> Reasons, int Duplicates)>();
        (int Received, int Completed, int Failed, Dictionary<string, int> Reasons, int Duplicates) At(DateTimeOffset minute) =>
            minutes.TryGetValue(minute, out var counts) ? counts : (0, 0, 0, new Dictionary<string, int>(StringComparer.Ordinal), 0);
        foreach (var (receivedAt, state, reason, finishedAt, duplicate) in documents)
        {
            if (receivedAt >= from && receivedAt < to)
            {
                var minute = Floor(receivedAt);
                var counts = At(minute);
                minutes[minute] = counts with { Received = counts.Received + 1 };
            }
            if (finishedAt is { } finished && finished >= from && finished < to && state is DocumentState.Completed or DocumentState.Failed)
            {
                var minute = Floor(finished);
                var counts = At(minute);
                if (state == DocumentState.Completed)
                {
                    minutes[minute] = counts with { Completed = counts.Completed + 1, Duplicates = counts.Duplicates + (duplicate ? 1 : 0) };
                }
                else
                {
                    var key = reason ?? "unknown";
                    counts.Reasons[key] = counts.Reasons.GetValueOrDefault(key) + 1;
                    minutes[minute] = counts with { Failed = counts.Failed + 1 };
                }
            }
        }
        return minutes.Select(m => new ThroughputMinute(m.Key, m.Value.Received, m.Value.Completed, m.Value.Failed, m.Value.Reasons, m.Value.Duplicates)).ToList();
    }
}
