namespace Annotate.Gateway.Storage;

/// <summary>Where document states are kept (configuration section <c>Annotate:State</c>).</summary>
public sealed class StateStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:State";

    /// <summary>Name of the connection string setting, for messages (never its value: it may hold a password).</summary>
    public const string PostgresConnectionStringKey = Section + ":PostgresConnectionString";

    /// <summary>
    /// Npgsql connection string (<c>Host=db;Username=annotate;Password=…;Database=annotate</c>); environment variable
    /// <c>Annotate__State__PostgresConnectionString</c>. Default empty: states are kept in the SQLite file
    /// <c>Annotate:Gateway:Database</c>, which suits one process; several gateways need PostgreSQL.
    /// </summary>
    public string PostgresConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// How long the state changes that document events bring (Processing, Completed, Failed) are retried while the state
    /// store cannot be reached (a PostgreSQL restart or fail-over), waiting longer between tries up to 15 s; only then
    /// does the event go to its error queue. Default 2 minutes.
    /// </summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The waits between the retries of a state change: from half a second, doubling up to 15 s, until <see cref="RetryFor"/> is covered.</summary>
    public IReadOnlyList<TimeSpan> RetryIntervals()
    {
        var intervals = new List<TimeSpan>();
        var total = TimeSpan.Zero;
        for (var next = TimeSpan.FromMilliseconds(500); total < RetryFor; next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, TimeSpan.FromSeconds(15).Ticks)))
        {
            intervals.Add(next);
            total += next;
        }
        return intervals;
    }

    /// <summary>Whether PostgreSQL is configured.</summary>
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);
}
