namespace Annotate.Gateway.Storage;

/// <summary>What happened in one minute (UTC): documents received, completed and failed, the failures by reason.</summary>
public sealed record ThroughputMinute(
    DateTimeOffset Minute,
    int Received,
    int Completed,
    int Failed,
    IReadOnlyDictionary<string, int> FailedByReason)
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
        IEnumerable<(DateTimeOffset ReceivedAt, DocumentState State, string? Reason, DateTimeOffset? FinishedAt)> documents,
        DateTimeOffset from, DateTimeOffset to)
    {
        var minutes = new SortedDictionary<DateTimeOffset, (int Received, int Completed, int Failed, Dictionary<string, int> Reasons)>();
        (int Received, int Completed, int Failed, Dictionary<string, int> Reasons) At(DateTimeOffset minute) =>
            minutes.TryGetValue(minute, out var counts) ? counts : (0, 0, 0, new Dictionary<string, int>(StringComparer.Ordinal));
        foreach (var (receivedAt, state, reason, finishedAt) in documents)
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
                    minutes[minute] = counts with { Completed = counts.Completed + 1 };
                }
                else
                {
                    var key = reason ?? "unknown";
                    counts.Reasons[key] = counts.Reasons.GetValueOrDefault(key) + 1;
                    minutes[minute] = counts with { Failed = counts.Failed + 1 };
                }
            }
        }
        return minutes.Select(m => new ThroughputMinute(m.Key, m.Value.Received, m.Value.Completed, m.Value.Failed, m.Value.Reasons)).ToList();
    }
}
