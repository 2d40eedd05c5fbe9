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
public sealed partial class PostgresDocumentStore : IDocumentStore, IApiKeyStore, IAsyncDisposable
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
        // Scheduled work: when a document was last handed over, when retention purged it, the rollup's per-minute counts.
        [
            "ALTER TABLE documents ADD COLUMN dispatched_at timestamptz, ADD COLUMN purged_at timestamptz;",
            "CREATE INDEX ix_documents_finished ON documents (finished_at);",
            """
            CREATE TABLE throughput_minutes (
                minute timestamptz PRIMARY KEY,
                received integer NOT NULL,
                completed integer NOT NULL,
                failed integer NOT NULL,
                failed_by_reason jsonb NOT NULL
            );
            """,
        ],
        // The tables of the clustered scheduler (Quartz.NET's qrtz_* tables), which does not create them itself by default.
        QuartzSchema.PostgresStatements(QuartzSchema.TablePrefix),
        // Statistics: duplicates per minute, and an index for the latency percentiles.
        [
            "ALTER TABLE throughput_minutes ADD COLUMN duplicates integer NOT NULL DEFAULT 0;",
            "CREATE INDEX ix_documents_state_finished ON documents (state, finished_at);",
        ],
        // Tenants: every document so far belongs to the default tenant (the inbox, messages and uploads without keys).
        [
            $"ALTER TABLE documents ADD COLUMN tenant text NOT NULL DEFAULT '{Tenants.Default}';",
            "CREATE INDEX ix_documents_tenant_received ON documents (tenant, received_at);",
        ],
        // API keys kept in the store (their SHA-256 only); model tokens per document; the per-minute counts per tenant, with
        // tokens (the minutes counted before were not kept per tenant and stay the default tenant's; the rollup recounts its
        // window from the documents). An index for re-driving the failures of one reason.
        [
            """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                key_sha256 text NOT NULL UNIQUE,
                tenant text NOT NULL,
                name text,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz
            );
            """,
            "ALTER TABLE documents ADD COLUMN tokens_in bigint, ADD COLUMN tokens_out bigint;",
            $"ALTER TABLE throughput_minutes ADD COLUMN tenant text NOT NULL DEFAULT '{Tenants.Default}', ADD COLUMN tokens_in bigint NOT NULL DEFAULT 0, ADD COLUMN tokens_out bigint NOT NULL DEFAULT 0;",
            "ALTER TABLE throughput_minutes ALTER COLUMN tenant DROP DEFAULT, DROP CONSTRAINT throughput_minutes_pkey, ADD PRIMARY KEY (minute, tenant);",
            "CREATE INDEX ix_documents_failed_reason ON documents (tenant, reason, received_at, id) WHERE state = 'Failed';",
        ],
        // Review: when a person last reviewed the document's annotations (the review itself is a blob beside the outputs).
        ["ALTER TABLE documents ADD COLUMN reviewed_at timestamptz;"],
        // Exact duplicates the gateway skips wait for the earlier document: finding them when it finishes reads this index.
        ["CREATE INDEX ix_documents_duplicate_of ON documents(duplicate_of) WHERE duplicate_of IS NOT NULL;"],
        // Documents inside documents: the document an attachment or archive entry was found in, and how deep it sits.
        [
            "ALTER TABLE documents ADD COLUMN parent_id text, ADD COLUMN depth integer NOT NULL DEFAULT 0;",
            "CREATE INDEX ix_documents_parent ON documents (parent_id, received_at) WHERE parent_id IS NOT NULL;",
        ],
    ];

    public async Task<bool> TryAddAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO documents (id, file_name, channel, state, profile, source_uri, output_uri, sha256, size_bytes, reason, message,
                retryable, correlation_id, duplicate_of, profile_fingerprint, model_sha256, attempts, dispatches, received_at, started_at,
                finished_at, timings_json, digest_json, outputs_json, dispatched_at, purged_at, tenant, tokens_in, tokens_out, parent_id, depth)
            VALUES (@id, @file_name, @channel, @state, @profile, @source_uri, @output_uri, @sha256, @size_bytes, @reason, @message,
                @retryable, @correlation_id, @duplicate_of, @profile_fingerprint, @model_sha256, @attempts, @dispatches, @received_at, @started_at,
                @finished_at, @timings_json, @digest_json, @outputs_json, @dispatched_at, @purged_at, @tenant, @tokens_in, @tokens_out, @parent_id, @depth)
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
        p.AddWithValue("dispatched_at", NpgsqlDbType.TimestampTz, r.DispatchedAt is { } d ? Utc(d) : DBNull.Value);
        p.AddWithValue("purged_at", NpgsqlDbType.TimestampTz, r.PurgedAt is { } pu ? Utc(pu) : DBNull.Value);
        p.AddWithValue("tenant", r.Tenant);
        p.AddWithValue("tokens_in", NpgsqlDbType.Bigint, (object?)r.TokensIn ?? DBNull.Value);
        p.AddWithValue("tokens_out", NpgsqlDbType.Bigint, (object?)r.TokensOut ?? DBNull.Value);
        p.AddWithValue("parent_id", Nullable(r.ParentId));
        p.AddWithValue("depth", r.Depth);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<DocumentRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT * FROM documents WHERE id = @id", p => p.AddWithValue("id", id), cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents ORDER BY received_at DESC, id DESC LIMIT @limit", p => p.AddWithValue("limit", limit), cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListForTenantAsync(string tenant, int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE tenant = @tenant ORDER BY received_at DESC, id DESC LIMIT @limit", p =>
        {
            p.AddWithValue("tenant", tenant);
            p.AddWithValue("limit", limit);
        }, cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListChildrenAsync(string parentId, int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE parent_id = @parent ORDER BY received_at, id LIMIT @limit", p =>
        {
            p.AddWithValue("parent", parentId);
            p.AddWithValue("limit", limit);
        }, cancellationToken);

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

    public async Task<DocumentRecord?> FindEarliestCopyAsync(string sha256, string tenant, string? profile, string id, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            """
            SELECT * FROM documents WHERE sha256 = @sha AND tenant = @tenant AND COALESCE(NULLIF(profile, ''), 'default') = @profile
                AND (received_at < @received OR (received_at = @received AND id < @id)) AND duplicate_of IS NULL AND purged_at IS NULL AND state IN ('Completed', 'Received', 'Processing')
            ORDER BY received_at, id LIMIT 1
            """,
            p =>
            {
                p.AddWithValue("sha", sha256);
                p.AddWithValue("tenant", tenant);
                p.AddWithValue("profile", string.IsNullOrEmpty(profile) ? "default" : profile);
                p.AddWithValue("id", id);
                p.AddWithValue("received", receivedAt);
            }, cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task<bool> SetDuplicateOfAsync(string id, string? earlierId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("UPDATE documents SET duplicate_of = @earlier WHERE id = @id AND state = 'Received';");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("earlier", NpgsqlTypes.NpgsqlDbType.Text, (object?)earlierId ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListWaitingDuplicatesAsync(string earlierId, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE duplicate_of = @id AND state = 'Received' ORDER BY received_at, id LIMIT 1000",
            p => p.AddWithValue("id", earlierId), cancellationToken);

    public async Task<bool> TryCountFirstStartAsync(string id, int attempt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("UPDATE documents SET attempts = GREATEST(1, @attempt) WHERE id = @id AND attempts = 0;");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("attempt", attempt);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
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
                started_at = COALESCE(started_at, GREATEST(received_at, @started)),
                profile_fingerprint = @fingerprint, model_sha256 = @model, tokens_in = @tokens_in, tokens_out = @tokens_out
            WHERE id = @id AND state IN ('Received', 'Processing');
            """);
        var p = command.Parameters;
        p.AddWithValue("id", id);
        p.AddWithValue("tokens_in", NpgsqlDbType.Bigint, (object?)completion.TokensIn ?? DBNull.Value);
        p.AddWithValue("tokens_out", NpgsqlDbType.Bigint, (object?)completion.TokensOut ?? DBNull.Value);
        p.AddWithValue("output", completion.OutputUri);
        p.AddWithValue("outputs", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(completion.Outputs, Json));
        p.AddWithValue("digest", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(completion.Digest, Json));
        p.AddWithValue("timings", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(completion.Timings, Json));
        p.AddWithValue("finished", Utc(completion.CompletedAt));
        p.AddWithValue("started", Utc(completion.StartedAt));
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

    public async Task<int?> CountDispatchAsync(string id, DateTimeOffset dispatchedAt, int? expectedDispatches, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE documents SET dispatches = dispatches + 1, dispatched_at = @at
            WHERE id = @id AND state IN ('Received', 'Processing') AND (@expected::integer IS NULL OR dispatches = @expected::integer)
            RETURNING dispatches;
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", Utc(dispatchedAt));
        command.Parameters.AddWithValue("expected", NpgsqlDbType.Integer, (object?)expectedDispatches ?? DBNull.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is int count ? count : null;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListStuckAsync(DateTimeOffset lastActivityBefore, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT * FROM documents
            WHERE (state = 'Processing' OR (state = 'Received' AND dispatches > 0))
              AND GREATEST(COALESCE(started_at, received_at), COALESCE(dispatched_at, received_at)) < @before
            ORDER BY received_at LIMIT @limit
            """,
            p =>
            {
                p.AddWithValue("before", Utc(lastActivityBefore));
                p.AddWithValue("limit", limit);
            }, cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListPurgeableAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT * FROM documents
            WHERE state IN ('Completed', 'Failed') AND purged_at IS NULL AND finished_at < @before
            ORDER BY finished_at LIMIT @limit
            """,
            p =>
            {
                p.AddWithValue("before", Utc(finishedBefore));
                p.AddWithValue("limit", limit);
            }, cancellationToken);

    public async Task<bool> MarkPurgedAsync(string id, DateTimeOffset purgedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "UPDATE documents SET purged_at = @at WHERE id = @id AND state IN ('Completed', 'Failed') AND purged_at IS NULL;");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", Utc(purgedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkReviewedAsync(string id, DateTimeOffset reviewedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("UPDATE documents SET reviewed_at = @at WHERE id = @id AND state = 'Completed';");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", Utc(reviewedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    // pg_advisory_xact_lock key of the throughput rollup: a constant of its own, beside the migrations' key.
    private const long RollUpLockKey = 0x616E6E6F7461_01;

    public async Task RollUpThroughputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        from = ThroughputMinute.Floor(from);
        to = ThroughputMinute.Floor(to);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // One rollup at a time across gateways, and the documents read only once the lock is held: a rollup that started
        // at the same time waits, then reads what this one saw and more, and can never write counts older than these.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var serialise = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
        {
            serialise.Parameters.AddWithValue("key", RollUpLockKey);
            await serialise.ExecuteNonQueryAsync(cancellationToken);
        }
        var documents = new List<RolledUpDocument>();
        await using (var read = new NpgsqlCommand("""
            SELECT received_at, state, reason, finished_at, duplicate_of IS NOT NULL, tenant, tokens_in, tokens_out FROM documents
            WHERE (received_at >= @from AND received_at < @to) OR (finished_at >= @from AND finished_at < @to)
            """, connection, transaction))
        {
            read.Parameters.AddWithValue("from", from);
            read.Parameters.AddWithValue("to", to);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                documents.Add(new RolledUpDocument(reader.GetFieldValue<DateTimeOffset>(0), Enum.Parse<DocumentState>(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4),
                    reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt64(7)));
            }
        }
        var minutes = ThroughputMinute.Count(documents, from, to);
        // The delete removes minutes whose documents are gone.
        await using (var clear = new NpgsqlCommand("""
            DELETE FROM throughput_minutes t WHERE t.minute >= @from AND t.minute < @to
              AND NOT EXISTS (SELECT 1 FROM unnest(@kept_minutes, @kept_tenants) AS k(minute, tenant) WHERE k.minute = t.minute AND k.tenant = t.tenant);
            """, connection, transaction))
        {
            clear.Parameters.AddWithValue("from", from);
            clear.Parameters.AddWithValue("to", to);
            clear.Parameters.AddWithValue("kept_minutes", minutes.Select(m => m.Minute).ToArray());
            clear.Parameters.AddWithValue("kept_tenants", minutes.Select(m => m.Tenant).ToArray());
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var minute in minutes)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO throughput_minutes (minute, tenant, received, completed, failed, failed_by_reason, duplicates, tokens_in, tokens_out)
                VALUES (@minute, @tenant, @received, @completed, @failed, @reasons, @duplicates, @tokens_in, @tokens_out)
                ON CONFLICT (minute, tenant) DO UPDATE SET received = excluded.received, completed = excluded.completed,
                    failed = excluded.failed, failed_by_reason = excluded.failed_by_reason, duplicates = excluded.duplicates,
                    tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out;
                """, connection, transaction);
            upsert.Parameters.AddWithValue("minute", minute.Minute);
            upsert.Parameters.AddWithValue("tenant", minute.Tenant);
            upsert.Parameters.AddWithValue("received", minute.Received);
            upsert.Parameters.AddWithValue("completed", minute.Completed);
            upsert.Parameters.AddWithValue("failed", minute.Failed);
            upsert.Parameters.AddWithValue("reasons", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(minute.FailedByReason, Json));
            upsert.Parameters.AddWithValue("duplicates", minute.Duplicates);
            upsert.Parameters.AddWithValue("tokens_in", minute.TokensIn);
            upsert.Parameters.AddWithValue("tokens_out", minute.TokensOut);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ThroughputMinute>> ListThroughputAsync(DateTimeOffset from, DateTimeOffset to, string? tenant, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT minute, received, completed, failed, failed_by_reason::text, duplicates, tenant, tokens_in, tokens_out FROM throughput_minutes
            WHERE minute >= @from AND minute < @to AND (@tenant::text IS NULL OR tenant = @tenant::text) ORDER BY minute, tenant
            """);
        command.Parameters.AddWithValue("from", ThroughputMinute.Floor(from));
        command.Parameters.AddWithValue("to", Utc(to));
        command.Parameters.AddWithValue("tenant", NpgsqlDbType.Text, Nullable(tenant));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ThroughputMinute>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ThroughputMinute(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(4), Json) ?? [], reader.GetInt32(5),
                reader.GetString(6), reader.GetInt64(7), reader.GetInt64(8)));
        }
        return rows;
    }

    public async Task<int> CountUnfinishedAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT COUNT(*) FROM documents WHERE state IN ('Received', 'Processing') AND (@tenant::text IS NULL OR tenant = @tenant::text);");
        command.Parameters.AddWithValue("tenant", NpgsqlDbType.Text, Nullable(tenant));
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<double>> ListLatenciesAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? tenant, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT EXTRACT(EPOCH FROM (finished_at - received_at))::double precision * 1000 FROM documents
            WHERE state = 'Completed' AND finished_at >= @from AND finished_at < @to AND (@tenant::text IS NULL OR tenant = @tenant::text)
            ORDER BY finished_at DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("from", Utc(from));
        command.Parameters.AddWithValue("to", Utc(to));
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("tenant", NpgsqlDbType.Text, Nullable(tenant));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var latencies = new List<double>();
        while (await reader.ReadAsync(cancellationToken))
        {
            latencies.Add(Math.Max(0, reader.GetDouble(0)));
        }
        return latencies;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListFailedAsync(string? tenant, string reason, FailedPageCursor? after, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT * FROM documents
            WHERE state = 'Failed' AND reason = @reason AND (@tenant::text IS NULL OR tenant = @tenant::text)
              AND (@after_at::timestamptz IS NULL OR (received_at, id) > (@after_at::timestamptz, @after_id::text))
            ORDER BY received_at, id LIMIT @limit
            """,
            p =>
            {
                p.AddWithValue("reason", reason);
                p.AddWithValue("tenant", NpgsqlDbType.Text, Nullable(tenant));
                p.AddWithValue("after_at", NpgsqlDbType.TimestampTz, after is null ? DBNull.Value : Utc(after.ReceivedAt));
                p.AddWithValue("after_id", NpgsqlDbType.Text, Nullable(after?.Id));
                p.AddWithValue("limit", limit);
            }, cancellationToken);

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
            DispatchedAt = Time("dispatched_at"),
            PurgedAt = Time("purged_at"),
            ReviewedAt = Time("reviewed_at"),
            Timings = FromJson<StageTimings>("timings_json"),
            Digest = FromJson<AnnotationDigest>("digest_json"),
            Outputs = FromJson<List<OutputFile>>("outputs_json") ?? [],
            Tenant = Text("tenant") ?? Tenants.Default,
            TokensIn = reader["tokens_in"] is long tokensIn ? tokensIn : null,
            TokensOut = reader["tokens_out"] is long tokensOut ? tokensOut : null,
            ParentId = Text("parent_id"),
            Depth = (int)reader["depth"],
        };
    }

    private static object Nullable(string? value) => (object?)value ?? DBNull.Value;

    // Npgsql writes timestamptz only from UTC values.
    private static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();
}
