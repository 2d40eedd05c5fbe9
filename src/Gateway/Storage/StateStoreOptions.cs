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

    /// <summary>Whether PostgreSQL is configured.</summary>
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);
}
