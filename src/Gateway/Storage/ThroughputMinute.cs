namespace Annotate.Gateway.Storage;

/// <summary>
/// What happened in one minute (UTC) to one tenant's documents: received, completed and failed, the failures by reason,
/// how many of the completed were duplicates (outputs copied from an earlier document with the same content, not
/// annotated again), and the model tokens of the documents completed in it.
/// </summary>
public sealed record ThroughputMinute(
    DateTimeOffset Minute,
    int Received,
    int Completed,
    int Failed,
    IReadOnlyDictionary<string, int> FailedByReason,
    int Duplicates = 0,
    string Tenant = Tenants.Default,
    long TokensIn = 0,
    long TokensOut = 0)
{
    /// <summary>The start of the minute <paramref name="time"/> falls in, in UTC.</summary>
    public static DateTimeOffset Floor(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    /// <summary>
    /// Counts, per tenant and minute of [<paramref name="from"/>, <paramref name="to"/>), the documents received (by their
    /// receipt) and finished (by their finish), and the tokens of those completed; both stores roll up through this, so
    /// they count alike.
    /// </summary>
    internal static IReadOnlyList<ThroughputMinute> Count(IEnumerable<RolledUpDocument> documents, DateTimeOffset from, DateTimeOffset to)
    {
        var minutes = new SortedDictionary<(DateTimeOffset Minute, string Tenant), ThroughputMinute>();
        ThroughputMinute At(DateTimeOffset minute, string tenant) => minutes.TryGetValue((minute, tenant), out var counts)
            ? counts
            : new ThroughputMinute(minute, 0, 0, 0, new Dictionary<string, int>(StringComparer.Ordinal), Tenant: tenant);
        foreach (var document in documents)
        {
            if (document.ReceivedAt >= from && document.ReceivedAt < to)
            {
                var counts = At(Floor(document.ReceivedAt), document.Tenant);
                minutes[(counts.Minute, counts.Tenant)] = counts with { Received = counts.Received + 1 };
            }
            if (document.FinishedAt is { } finished && finished >= from && finished < to && document.State is DocumentState.Completed or DocumentState.Failed)
            {
                var counts = At(Floor(finished), document.Tenant);
                if (document.State == DocumentState.Completed)
                {
                    counts = counts with
                    {
                        Completed = counts.Completed + 1,
                        Duplicates = counts.Duplicates + (document.Duplicate ? 1 : 0),
                        TokensIn = counts.TokensIn + (document.TokensIn ?? 0),
                        TokensOut = counts.TokensOut + (document.TokensOut ?? 0),
                    };
                }
                else
                {
                    var reasons = (Dictionary<string, int>)counts.FailedByReason;
                    var key = document.Reason ?? "unknown";
                    reasons[key] = reasons.GetValueOrDefault(key) + 1;
                    counts = counts with { Failed = counts.Failed + 1 };
                }
                minutes[(counts.Minute, counts.Tenant)] = counts;
            }
        }
        return minutes.Values.ToList();
    }
}

/// <summary>What the rollup reads of one document.</summary>
internal sealed record RolledUpDocument(
    DateTimeOffset ReceivedAt, DocumentState State, string? Reason, DateTimeOffset? FinishedAt, bool Duplicate, string Tenant, long? TokensIn, long? TokensOut);
