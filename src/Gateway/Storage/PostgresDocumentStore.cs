using System.Net.Sockets;
using System.Text.Json;
using Annotate.Messages;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Annotate.Gateway.Storage;

/// <summary>
/// Document states in PostgreSQL, so several gateways share them. Same semantics as <see cref="SqliteDocumentStore"/>:
/// every state change says whether it changed anything, and finished documents are never changed again.
/// </summary>
public sealed class PostgresDocumentStore : IDocumentStore, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Any constant works as long as nothing else in the database uses it; this one is "annotate" in ASCII.
    private const long MigrationLockKey = 0x616e6e6f74617465;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _server;

    public PostgresDocumentStore(IOptions<StateStoreOptions> options)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.Value.PostgresConnectionString);
        }
        catch (ArgumentException ex)
        {
            // The builder's message names the bad keyword, not the value, so it cannot leak the password.
            throw new InvalidOperationException($"{StateStoreOptions.PostgresConnectionStringKey} is not a valid connection string: {ex.Message}", ex);
        }
        _server = $"{builder.Host}:{builder.Port}/{builder.Database}";
        // One pooled data source for the life of the gateway; connections are borrowed per call.
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => MigrateAsync(Migrations.Length, cancellationToken);

    /// <summary>Applies the schema steps up to <paramref name="targetVersion"/>; tests use it to make a database of an older release.</summary>
    internal async Task MigrateAsync(int targetVersion, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            // Named by the setting and the server only: the connection string may carry a password.
            throw new InvalidOperationException(
                $"Cannot reach the PostgreSQL state store {_server} ({StateStoreOptions.PostgresConnectionStringKey}): {ex.Message}", ex);
        }
        await using (connection)
        {
            // Each step in its own transaction with its version row. Gateways starting together serialize on the
            // advisory lock (released at commit) and re-read the version under it, so a step is never applied twice.
            while (true)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", cancellationToken);
                await ExecuteAsync(connection,
                    "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());",
                    cancellationToken);
                await using (var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection))
                {
                    var version = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
                    if (version >= targetVersion)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        return;
                    }
                    foreach (var sql in Migrations[version])
                    {
                        await ExecuteAsync(connection, sql, cancellationToken);
                    }
                    await using var bump = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES (@version);", connection);
                    bump.Parameters.AddWithValue("version", version + 1);
                    await bump.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
            }
        }
    }

    // The same steps as the SQLite store's, so a schema version means the same columns in both stores.
    private static readonly string[][] Migrations =
    [
        [
            """
            CREATE TABLE documents (
                id text PRIMARY KEY,
                file_name text NOT NULL,
                channel text NOT NULL,
                state text NOT NULL,
                profile text,
                source_uri text,
                output_uri text,
                sha256 text,
                size_bytes bigint NOT NULL DEFAULT 0,
                reason text,
                message text,
                retryable boolean NOT NULL DEFAULT false,
                correlation_id text,
                duplicate_of text,
                attempts integer NOT NULL DEFAULT 0,
                received_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz,
                timings_json jsonb,
                digest_json jsonb,
                outputs_json jsonb
            );
            """,
            "CREATE INDEX ix_documents_state ON documents (state);",
            "CREATE INDEX ix_documents_sha256 ON documents (sha256);",
            "CREATE INDEX ix_documents_received ON documents (received_at);",
        ],
        // Provenance of the outputs.
        ["ALTER TABLE documents ADD COLUMN profile_fingerprint text, ADD COLUMN model_sha256 text;"],
        // How often the document was handed to a worker, counted before each dispatch.
        ["ALTER TABLE documents ADD COLUMN dispatches integer NOT NULL DEFAULT 0;"],
    ];

    public async Task<bool> TryAddAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO documents (id, file_name, channel, state, profile, source_uri, output_uri, sha256, size_bytes, reason, message,
                retryable, correlation_id, duplicate_of, profile_fingerprint, model_sha256, attempts, dispatches, received_at, started_at,
                finished_at, timings_json, digest_json, outputs_json)
            VALUES (@id, @file_name, @channel, @state, @profile, @source_uri, @output_uri, @sha256, @size_bytes, @reason, @message,
                @retryable, @correlation_id, @duplicate_of, @profile_fingerprint, @model_sha256, @attempts, @dispatches, @received_at, @started_at,
                @finished_at, @timings_json, @digest_json, @outputs_json)
            ON CONFLICT (id) DO NOTHING;
            """);
        var r = record;
        var p = command.Parameters;
        p.AddWithValue("id", r.Id);
        p.AddWithValue("file_name", r.FileName);
        p.AddWithValue("channel", r.Channel);
        p.AddWithValue("state", r.State.ToString());
        p.AddWithValue("profile", Nullable(r.Profile));
        p.AddWithValue("source_uri", Nullable(r.SourceUri));
        p.AddWithValue("output_uri", Nullable(r.OutputUri));
        p.AddWithValue("sha256", Nullable(r.Sha256));
        p.AddWithValue("size_bytes", r.SizeBytes);
        p.AddWithValue("reason", Nullable(r.Reason));
        p.AddWithValue("message", Nullable(r.Message));
        p.AddWithValue("retryable", r.Retryable);
        p.AddWithValue("correlation_id", Nullable(r.CorrelationId));
        p.AddWithValue("duplicate_of", Nullable(r.DuplicateOf));
        p.AddWithValue("profile_fingerprint", Nullable(r.ProfileFingerprint));
        p.AddWithValue("model_sha256", Nullable(r.ModelSha256));
        p.AddWithValue("attempts", r.Attempts);
        p.AddWithValue("dispatches", r.Dispatches);
        p.AddWithValue("received_at", Utc(r.ReceivedAt));
        p.AddWithValue("started_at", NpgsqlDbType.TimestampTz, r.StartedAt is { } s ? Utc(s) : DBNull.Value);
        p.AddWithValue("finished_at", NpgsqlDbType.TimestampTz, r.FinishedAt is { } f ? Utc(f) : DBNull.Value);
        p.AddWithValue("timings_json", NpgsqlDbType.Jsonb, r.Timings is null ? DBNull.Value : JsonSerializer.Serialize(r.Timings, Json));
        p.AddWithValue("digest_json", NpgsqlDbType.Jsonb, r.Digest is null ? DBNull.Value : JsonSerializer.Serialize(r.Digest, Json));
        p.AddWithValue("outputs_json", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(r.Outputs, Json));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<DocumentRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT * FROM documents WHERE id = @id", p => p.AddWithValue("id", id), cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents ORDER BY received_at DESC, id DESC LIMIT @limit", p => p.AddWithValue("limit", limit), cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListByStateAsync(IReadOnlyCollection<DocumentState> states, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE state = ANY(@states) ORDER BY received_at",
            p => p.AddWithValue("states", states.Select(s => s.ToString()).ToArray()), cancellationToken);

    public async Task<DocumentRecord?> FindCompletedAsync(string sha256, string? profile, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            """
            SELECT * FROM documents WHERE sha256 = @sha AND state = 'Completed' AND COALESCE(profile, '') = @profile AND duplicate_of IS NULL
            ORDER BY finished_at DESC LIMIT 1
            """,
            p =>
            {
                p.AddWithValue("sha", sha256);
                p.AddWithValue("profile", profile ?? string.Empty);
            }, cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task<bool> MarkProcessingAsync(string id, DateTimeOffset startedAt, int attempt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE documents SET state = 'Processing', started_at = @started, attempts = GREATEST(attempts, @attempt)
            WHERE id = @id AND state IN ('Received', 'Processing');
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("started", Utc(startedAt));
        command.Parameters.AddWithValue("attempt", attempt);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkCompletedAsync(string id, DocumentCompletion completion, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE documents SET state = 'Completed', output_uri = @output, outputs_json = @outputs, digest_json = @digest,
                timings_json = @timings, finished_at = @finished, duplicate_of = @duplicate, reason = NULL, message = NULL, retryable = false,
                profile_fingerprint = @fingerprint, model_sha256 = @model
            WHERE id = @id AND state IN ('Received', 'Processing');
            """);
        var p = command.Parameters;
        p.AddWithValue("id", id);
        p.AddWithValue("output", completion.OutputUri);
        p.AddWithValue("outputs", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(completion.Outputs, Json));
        p.AddWithValue("digest", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(completion.Digest, Json));
        p.AddWithValue("timings", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(completion.Timings, Json));
        p.AddWithValue("finished", Utc(completion.CompletedAt));
        p.AddWithValue("duplicate", NpgsqlDbType.Text, Nullable(completion.DuplicateOf));
        p.AddWithValue("fingerprint", NpgsqlDbType.Text, Nullable(completion.ProfileFingerprint));
        p.AddWithValue("model", NpgsqlDbType.Text, Nullable(completion.ModelSha256));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkFailedAsync(string id, string reason, string message, bool retryable, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE documents SET state = 'Failed', reason = @reason, message = @message, retryable = @retryable, finished_at = @finished
            WHERE id = @id AND state IN ('Received', 'Processing');
            """);
        var p = command.Parameters;
        p.AddWithValue("id", id);
        p.AddWithValue("reason", reason);
        p.AddWithValue("message", message);
        p.AddWithValue("retryable", retryable);
        p.AddWithValue("finished", Utc(failedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> SetContentAsync(string id, string sourceUri, string sha256, long sizeBytes, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE documents SET source_uri = @source, sha256 = @sha, size_bytes = @size
            WHERE id = @id AND state IN ('Received', 'Processing');
            """);
        var p = command.Parameters;
        p.AddWithValue("id", id);
        p.AddWithValue("source", sourceUri);
        p.AddWithValue("sha", sha256);
        p.AddWithValue("size", sizeBytes);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<int?> CountDispatchAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE documents SET dispatches = dispatches + 1
            WHERE id = @id AND state IN ('Received', 'Processing')
            RETURNING dispatches;
            """);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is int count ? count : null;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM documents WHERE id = @id AND state IN ('Received', 'Processing');");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<DocumentRecord>> QueryAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<DocumentRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }
        return rows;
    }

    private static DocumentRecord Read(NpgsqlDataReader reader)
    {
        string? Text(string column) => reader[column] is string s ? s : null;
        DateTimeOffset? Time(string column) => reader[column] is DateTime t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        T? FromJson<T>(string column) where T : class => Text(column) is { } j ? JsonSerializer.Deserialize<T>(j, Json) : null;
        return new DocumentRecord
        {
            Id = Text("id")!,
            FileName = Text("file_name")!,
            Channel = Text("channel")!,
            State = Enum.Parse<DocumentState>(Text("state")!),
            Profile = Text("profile"),
            SourceUri = Text("source_uri"),
            OutputUri = Text("output_uri"),
            Sha256 = Text("sha256"),
            SizeBytes = (long)reader["size_bytes"],
            Reason = Text("reason"),
            Message = Text("message"),
            Retryable = (bool)reader["retryable"],
            CorrelationId = Text("correlation_id"),
            DuplicateOf = Text("duplicate_of"),
            ProfileFingerprint = Text("profile_fingerprint"),
            ModelSha256 = Text("model_sha256"),
            Attempts = (int)reader["attempts"],
            Dispatches = (int)reader["dispatches"],
            ReceivedAt = Time("received_at")!.Value,
            StartedAt = Time("started_at"),
            FinishedAt = Time("finished_at"),
            Timings = FromJson<StageTimings>("timings_json"),
            Digest = FromJson<AnnotationDigest>("digest_json"),
            Outputs = FromJson<List<OutputFile>>("outputs_json") ?? [],
        };
    }

    private static object Nullable(string? value) => (object?)value ?? DBNull.Value;

    // Npgsql writes timestamptz only from UTC values.
    private static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();
}
