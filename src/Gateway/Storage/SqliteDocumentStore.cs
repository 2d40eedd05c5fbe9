using System.Globalization;
using System.Text.Json;
using Annotate.Messages;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Storage;

/// <summary>Document states in a SQLite file (WAL mode), for the one-process mode.</summary>
public sealed partial class SqliteDocumentStore : IDocumentStore, IApiKeyStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;

    public SqliteDocumentStore(IOptions<GatewayOptions> options)
    {
        var path = Path.GetFullPath(options.Value.Database);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Default, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => MigrateAsync(Migrations.Length, cancellationToken);

    /// <summary>Applies the schema steps up to <paramref name="targetVersion"/>; tests use it to make a database of an older release.</summary>
    internal async Task MigrateAsync(int targetVersion, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);
        // Versioned schema: each step runs once, in order, inside a transaction with the version bump (PRAGMA
        // user_version), so a failed step is an error, never skipped. Databases made before versioning have the table
        // (version 0 with a documents table): step 1 creates it only when missing, step 2 adds what they may lack.
        var version = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
        for (var step = version; step < targetVersion; step++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var sql in await Migrations[step](connection, cancellationToken))
            {
                await ExecuteAsync(connection, sql, cancellationToken);
            }
            await ExecuteAsync(connection, $"PRAGMA user_version = {step + 1};", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static readonly Func<SqliteConnection, CancellationToken, Task<string[]>>[] Migrations =
    [
        (_, _) => Task.FromResult(new[]
        {
            """
            CREATE TABLE IF NOT EXISTS documents (
                id TEXT PRIMARY KEY,
                file_name TEXT NOT NULL,
                channel TEXT NOT NULL,
                state TEXT NOT NULL,
                profile TEXT,
                source_uri TEXT,
                output_uri TEXT,
                sha256 TEXT,
                size_bytes INTEGER NOT NULL DEFAULT 0,
                reason TEXT,
                message TEXT,
                retryable INTEGER NOT NULL DEFAULT 0,
                correlation_id TEXT,
                duplicate_of TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                received_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                timings_json TEXT,
                digest_json TEXT,
                outputs_json TEXT
            );
            """,
            "CREATE INDEX IF NOT EXISTS ix_documents_state ON documents(state);",
            "CREATE INDEX IF NOT EXISTS ix_documents_sha256 ON documents(sha256);",
            "CREATE INDEX IF NOT EXISTS ix_documents_received ON documents(received_at);",
        }),
        // Provenance of the outputs (databases of the first release may already have these columns).
        async (connection, cancellationToken) =>
        {
            var existing = await ColumnsAsync(connection, cancellationToken);
            return new[] { "profile_fingerprint", "model_sha256" }
                .Where(c => !existing.Contains(c))
                .Select(c => $"ALTER TABLE documents ADD COLUMN {c} TEXT;")
                .ToArray();
        },
        // How often the document was handed to a worker: counted before each dispatch, so a document in flight
        // when the process died has its attempt counted even though no event about it was recorded.
        (_, _) => Task.FromResult(new[] { "ALTER TABLE documents ADD COLUMN dispatches INTEGER NOT NULL DEFAULT 0;" }),
        // Scheduled work: when a document was last handed over (the sweeper's deadline counts from it), when retention
        // purged it, and the per-minute counts the rollup keeps.
        (_, _) => Task.FromResult(new[]
        {
            "ALTER TABLE documents ADD COLUMN dispatched_at TEXT;",
            "ALTER TABLE documents ADD COLUMN purged_at TEXT;",
            "CREATE INDEX IF NOT EXISTS ix_documents_finished ON documents(finished_at);",
            """
            CREATE TABLE IF NOT EXISTS throughput_minutes (
                minute TEXT PRIMARY KEY,
                received INTEGER NOT NULL,
                completed INTEGER NOT NULL,
                failed INTEGER NOT NULL,
                failed_by_reason TEXT NOT NULL
            );
            """,
        }),
        // PostgreSQL's step 5 creates the scheduler's tables; SQLite runs the scheduler in memory, so the step is empty here
        // and a version number still means the same schema in both stores.
        (_, _) => Task.FromResult(Array.Empty<string>()),
        // Statistics: duplicates per minute (completed by copying an earlier document's outputs), and an index for the
        // latency percentiles, which read the completed documents by finish time.
        (_, _) => Task.FromResult(new[]
        {
            "ALTER TABLE throughput_minutes ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;",
            "CREATE INDEX IF NOT EXISTS ix_documents_state_finished ON documents(state, finished_at);",
        }),
        // Tenants: every document so far belongs to the default tenant (the inbox, messages and uploads without keys).
        (_, _) => Task.FromResult(new[]
        {
            $"ALTER TABLE documents ADD COLUMN tenant TEXT NOT NULL DEFAULT '{Tenants.Default}';",
            "CREATE INDEX IF NOT EXISTS ix_documents_tenant_received ON documents(tenant, received_at);",
        }),
        // API keys kept in the store (their SHA-256 only); model tokens per document; the per-minute counts per tenant, with
        // tokens. SQLite cannot change a primary key, so the minutes move to a new table; the minutes counted before were
        // not kept per tenant and stay the default tenant's (the rollup recounts its window from the documents). An index
        // for re-driving the failures of one reason.
        (_, _) => Task.FromResult(new[]
        {
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                key_sha256 TEXT NOT NULL UNIQUE,
                tenant TEXT NOT NULL,
                name TEXT,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            """,
            "ALTER TABLE documents ADD COLUMN tokens_in INTEGER;",
            "ALTER TABLE documents ADD COLUMN tokens_out INTEGER;",
            """
            CREATE TABLE throughput_tenant_minutes (
                minute TEXT NOT NULL,
                tenant TEXT NOT NULL,
                received INTEGER NOT NULL,
                completed INTEGER NOT NULL,
                failed INTEGER NOT NULL,
                failed_by_reason TEXT NOT NULL,
                duplicates INTEGER NOT NULL DEFAULT 0,
                tokens_in INTEGER NOT NULL DEFAULT 0,
                tokens_out INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (minute, tenant)
            );
            """,
            $"""
            INSERT INTO throughput_tenant_minutes (minute, tenant, received, completed, failed, failed_by_reason, duplicates)
            SELECT minute, '{Tenants.Default}', received, completed, failed, failed_by_reason, duplicates FROM throughput_minutes;
            """,
            "DROP TABLE throughput_minutes;",
            "ALTER TABLE throughput_tenant_minutes RENAME TO throughput_minutes;",
            "CREATE INDEX ix_documents_failed_reason ON documents(tenant, reason, received_at, id) WHERE state = 'Failed';",
        }),
        // Review: when a person last reviewed the document's annotations (the review itself is a blob beside the outputs).
        (_, _) => Task.FromResult(new[] { "ALTER TABLE documents ADD COLUMN reviewed_at TEXT;" }),
        // Exact duplicates the gateway skips wait for the earlier document: finding them when it finishes reads this index.
        (_, _) => Task.FromResult(new[] { "CREATE INDEX ix_documents_duplicate_of ON documents(duplicate_of) WHERE duplicate_of IS NOT NULL;" }),
        // Documents inside documents: the document an attachment or archive entry was found in, and how deep it sits.
        (_, _) => Task.FromResult(new[]
        {
            "ALTER TABLE documents ADD COLUMN parent_id TEXT;",
            "ALTER TABLE documents ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;",
            "CREATE INDEX ix_documents_parent ON documents(parent_id, received_at) WHERE parent_id IS NOT NULL;",
        }),
    ];

    private static async Task<HashSet<string>> ColumnsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('documents');";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }

    public async Task<bool> TryAddAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO documents (id, file_name, channel, state, profile, source_uri, output_uri, sha256, size_bytes, reason, message,
                retryable, correlation_id, duplicate_of, profile_fingerprint, model_sha256, attempts, dispatches, received_at, started_at,
                finished_at, timings_json, digest_json, outputs_json, dispatched_at, purged_at, tenant, tokens_in, tokens_out, parent_id, depth)
            VALUES ($id, $file_name, $channel, $state, $profile, $source_uri, $output_uri, $sha256, $size_bytes, $reason, $message,
                $retryable, $correlation_id, $duplicate_of, $profile_fingerprint, $model_sha256, $attempts, $dispatches, $received_at, $started_at,
                $finished_at, $timings_json, $digest_json, $outputs_json, $dispatched_at, $purged_at, $tenant, $tokens_in, $tokens_out, $parent_id, $depth)
            ON CONFLICT(id) DO NOTHING;
            """;
        Bind(command, record);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<DocumentRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT * FROM documents WHERE id = $id", c => c.Parameters.AddWithValue("$id", id), cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents ORDER BY received_at DESC, id DESC LIMIT $limit", c => c.Parameters.AddWithValue("$limit", limit), cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListForTenantAsync(string tenant, int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE tenant = $tenant ORDER BY received_at DESC, id DESC LIMIT $limit", c =>
        {
            c.Parameters.AddWithValue("$tenant", tenant);
            c.Parameters.AddWithValue("$limit", limit);
        }, cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListChildrenAsync(string parentId, int limit, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE parent_id = $parent ORDER BY received_at, id LIMIT $limit", c =>
        {
            c.Parameters.AddWithValue("$parent", parentId);
            c.Parameters.AddWithValue("$limit", limit);
        }, cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListByStateAsync(IReadOnlyCollection<DocumentState> states, CancellationToken cancellationToken)
    {
        var names = states.Select((s, i) => (Name: "$s" + i.ToString(CultureInfo.InvariantCulture), Value: s.ToString())).ToList();
        return QueryAsync($"SELECT * FROM documents WHERE state IN ({string.Join(", ", names.Select(n => n.Name))}) ORDER BY received_at",
            c => names.ForEach(n => c.Parameters.AddWithValue(n.Name, n.Value)), cancellationToken);
    }

    public async Task<DocumentRecord?> FindCompletedAsync(string sha256, string? profile, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            "SELECT * FROM documents WHERE sha256 = $sha AND state = 'Completed' AND IFNULL(profile, '') = $profile AND duplicate_of IS NULL ORDER BY finished_at DESC LIMIT 1",
            c =>
            {
                c.Parameters.AddWithValue("$sha", sha256);
                c.Parameters.AddWithValue("$profile", profile ?? string.Empty);
            }, cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task<DocumentRecord?> FindEarliestCopyAsync(string sha256, string tenant, string? profile, string id, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            """
            SELECT * FROM documents WHERE sha256 = $sha AND tenant = $tenant AND COALESCE(NULLIF(profile, ''), 'default') = $profile
                AND (received_at < $received OR (received_at = $received AND id < $id)) AND duplicate_of IS NULL AND purged_at IS NULL AND state IN ('Completed', 'Received', 'Processing')
            ORDER BY received_at, id LIMIT 1
            """,
            c =>
            {
                c.Parameters.AddWithValue("$sha", sha256);
                c.Parameters.AddWithValue("$tenant", tenant);
                c.Parameters.AddWithValue("$profile", string.IsNullOrEmpty(profile) ? "default" : profile);
                c.Parameters.AddWithValue("$id", id);
                c.Parameters.AddWithValue("$received", Format(receivedAt));
            }, cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task<bool> SetDuplicateOfAsync(string id, string? earlierId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE documents SET duplicate_of = $earlier WHERE id = $id AND state = 'Received';";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$earlier", (object?)earlierId ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListWaitingDuplicatesAsync(string earlierId, CancellationToken cancellationToken) =>
        QueryAsync("SELECT * FROM documents WHERE duplicate_of = $id AND state = 'Received' ORDER BY received_at, id LIMIT 1000",
            c => c.Parameters.AddWithValue("$id", earlierId), cancellationToken);

    public async Task<bool> TryCountFirstStartAsync(string id, int attempt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE documents SET attempts = MAX(1, $attempt) WHERE id = $id AND attempts = 0;";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$attempt", attempt);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkProcessingAsync(string id, DateTimeOffset startedAt, int attempt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE documents SET state = 'Processing', started_at = $started, attempts = MAX(attempts, $attempt)
            WHERE id = $id AND state IN ('Received', 'Processing');
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$started", Format(startedAt));
        command.Parameters.AddWithValue("$attempt", attempt);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkCompletedAsync(string id, DocumentCompletion completion, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE documents SET state = 'Completed', output_uri = $output, outputs_json = $outputs, digest_json = $digest,
                timings_json = $timings, finished_at = $finished, duplicate_of = $duplicate, reason = NULL, message = NULL, retryable = 0,
                started_at = IFNULL(started_at, MAX(received_at, $started)),
                profile_fingerprint = $fingerprint, model_sha256 = $model, tokens_in = $tokens_in, tokens_out = $tokens_out
            WHERE id = $id AND state IN ('Received', 'Processing');
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$tokens_in", (object?)completion.TokensIn ?? DBNull.Value);
        command.Parameters.AddWithValue("$tokens_out", (object?)completion.TokensOut ?? DBNull.Value);
        command.Parameters.AddWithValue("$output", completion.OutputUri);
        command.Parameters.AddWithValue("$outputs", JsonSerializer.Serialize(completion.Outputs, Json));
        command.Parameters.AddWithValue("$digest", JsonSerializer.Serialize(completion.Digest, Json));
        command.Parameters.AddWithValue("$timings", JsonSerializer.Serialize(completion.Timings, Json));
        command.Parameters.AddWithValue("$finished", Format(completion.CompletedAt));
        command.Parameters.AddWithValue("$started", Format(completion.StartedAt));
        command.Parameters.AddWithValue("$duplicate", (object?)completion.DuplicateOf ?? DBNull.Value);
        command.Parameters.AddWithValue("$fingerprint", (object?)completion.ProfileFingerprint ?? DBNull.Value);
        command.Parameters.AddWithValue("$model", (object?)completion.ModelSha256 ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkFailedAsync(string id, string reason, string message, bool retryable, DateTimeOffset failedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE documents SET state = 'Failed', reason = $reason, message = $message, retryable = $retryable, finished_at = $finished
            WHERE id = $id AND state IN ('Received', 'Processing');
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$message", message);
        command.Parameters.AddWithValue("$retryable", retryable ? 1 : 0);
        command.Parameters.AddWithValue("$finished", Format(failedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> SetContentAsync(string id, string sourceUri, string sha256, long sizeBytes, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE documents SET source_uri = $source, sha256 = $sha, size_bytes = $size
            WHERE id = $id AND state IN ('Received', 'Processing');
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$source", sourceUri);
        command.Parameters.AddWithValue("$sha", sha256);
        command.Parameters.AddWithValue("$size", sizeBytes);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<int?> CountDispatchAsync(string id, DateTimeOffset dispatchedAt, int? expectedDispatches, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE documents SET dispatches = dispatches + 1, dispatched_at = $at
            WHERE id = $id AND state IN ('Received', 'Processing') AND ($expected IS NULL OR dispatches = $expected)
            RETURNING dispatches;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", Format(dispatchedAt));
        command.Parameters.AddWithValue("$expected", (object?)expectedDispatches ?? DBNull.Value);
        return await command.ExecuteScalarAsync(cancellationToken) is long count ? (int)count : null;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListStuckAsync(DateTimeOffset lastActivityBefore, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT * FROM documents
            WHERE (state = 'Processing' OR (state = 'Received' AND dispatches > 0))
              AND MAX(IFNULL(started_at, received_at), IFNULL(dispatched_at, received_at)) < $before
            ORDER BY received_at LIMIT $limit
            """,
            c =>
            {
                c.Parameters.AddWithValue("$before", Format(lastActivityBefore));
                c.Parameters.AddWithValue("$limit", limit);
            }, cancellationToken);

    public Task<IReadOnlyList<DocumentRecord>> ListPurgeableAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT * FROM documents
            WHERE state IN ('Completed', 'Failed') AND purged_at IS NULL AND finished_at < $before
            ORDER BY finished_at LIMIT $limit
            """,
            c =>
            {
                c.Parameters.AddWithValue("$before", Format(finishedBefore));
                c.Parameters.AddWithValue("$limit", limit);
            }, cancellationToken);

    public async Task<bool> MarkPurgedAsync(string id, DateTimeOffset purgedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE documents SET purged_at = $at WHERE id = $id AND state IN ('Completed', 'Failed') AND purged_at IS NULL;";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", Format(purgedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> MarkReviewedAsync(string id, DateTimeOffset reviewedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE documents SET reviewed_at = $at WHERE id = $id AND state = 'Completed';";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", Format(reviewedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task RollUpThroughputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        from = ThroughputMinute.Floor(from);
        to = ThroughputMinute.Floor(to);
        await using var connection = await OpenAsync(cancellationToken);
        // The delete comes first, so the transaction takes the write lock before the documents are read: a rollup running
        // at the same time (the scheduled one, a test's) waits, then reads what this one saw and more, and can never
        // write counts older than the ones it replaces.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var clear = connection.CreateCommand())
        {
            clear.CommandText = "DELETE FROM throughput_minutes WHERE minute >= $from AND minute < $to;";
            clear.Parameters.AddWithValue("$from", Format(from));
            clear.Parameters.AddWithValue("$to", Format(to));
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        var documents = new List<RolledUpDocument>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = """
                SELECT received_at, state, reason, finished_at, duplicate_of IS NOT NULL, tenant, tokens_in, tokens_out FROM documents
                WHERE (received_at >= $from AND received_at < $to) OR (finished_at >= $from AND finished_at < $to)
                """;
            read.Parameters.AddWithValue("$from", Format(from));
            read.Parameters.AddWithValue("$to", Format(to));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                documents.Add(new RolledUpDocument(Parse(reader.GetString(0)), Enum.Parse<DocumentState>(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : Parse(reader.GetString(3)), reader.GetInt64(4) != 0,
                    reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt64(7)));
            }
        }
        var minutes = ThroughputMinute.Count(documents, from, to);
        foreach (var minute in minutes)
        {
            await using var upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO throughput_minutes (minute, tenant, received, completed, failed, failed_by_reason, duplicates, tokens_in, tokens_out)
                VALUES ($minute, $tenant, $received, $completed, $failed, $reasons, $duplicates, $tokens_in, $tokens_out)
                ON CONFLICT(minute, tenant) DO UPDATE SET received = excluded.received, completed = excluded.completed,
                    failed = excluded.failed, failed_by_reason = excluded.failed_by_reason, duplicates = excluded.duplicates,
                    tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out;
                """;
            upsert.Parameters.AddWithValue("$minute", Format(minute.Minute));
            upsert.Parameters.AddWithValue("$tenant", minute.Tenant);
            upsert.Parameters.AddWithValue("$received", minute.Received);
            upsert.Parameters.AddWithValue("$completed", minute.Completed);
            upsert.Parameters.AddWithValue("$failed", minute.Failed);
            upsert.Parameters.AddWithValue("$reasons", JsonSerializer.Serialize(minute.FailedByReason, Json));
            upsert.Parameters.AddWithValue("$duplicates", minute.Duplicates);
            upsert.Parameters.AddWithValue("$tokens_in", minute.TokensIn);
            upsert.Parameters.AddWithValue("$tokens_out", minute.TokensOut);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ThroughputMinute>> ListThroughputAsync(DateTimeOffset from, DateTimeOffset to, string? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT minute, received, completed, failed, failed_by_reason, duplicates, tenant, tokens_in, tokens_out FROM throughput_minutes
            WHERE minute >= $from AND minute < $to AND ($tenant IS NULL OR tenant = $tenant) ORDER BY minute, tenant
            """;
        command.Parameters.AddWithValue("$from", Format(ThroughputMinute.Floor(from)));
        command.Parameters.AddWithValue("$to", Format(to));
        command.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ThroughputMinute>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ThroughputMinute(Parse(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(4), Json) ?? [], reader.GetInt32(5),
                reader.GetString(6), reader.GetInt64(7), reader.GetInt64(8)));
        }
        return rows;
    }

    public async Task<int> CountUnfinishedAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM documents WHERE state IN ('Received', 'Processing') AND ($tenant IS NULL OR tenant = $tenant);";
        command.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<double>> ListLatenciesAsync(DateTimeOffset from, DateTimeOffset to, int limit, string? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT received_at, finished_at FROM documents
            WHERE state = 'Completed' AND finished_at >= $from AND finished_at < $to AND ($tenant IS NULL OR tenant = $tenant)
            ORDER BY finished_at DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$from", Format(from));
        command.Parameters.AddWithValue("$to", Format(to));
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var latencies = new List<double>();
        while (await reader.ReadAsync(cancellationToken))
        {
            latencies.Add(Math.Max(0, (Parse(reader.GetString(1)) - Parse(reader.GetString(0))).TotalMilliseconds));
        }
        return latencies;
    }

    public Task<IReadOnlyList<DocumentRecord>> ListFailedAsync(string? tenant, string reason, FailedPageCursor? after, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT * FROM documents
            WHERE state = 'Failed' AND reason = $reason AND ($tenant IS NULL OR tenant = $tenant)
              AND ($after_at IS NULL OR received_at > $after_at OR (received_at = $after_at AND id > $after_id))
            ORDER BY received_at, id LIMIT $limit
            """,
            c =>
            {
                c.Parameters.AddWithValue("$reason", reason);
                c.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
                c.Parameters.AddWithValue("$after_at", after is null ? DBNull.Value : Format(after.ReceivedAt));
                c.Parameters.AddWithValue("$after_id", (object?)after?.Id ?? DBNull.Value);
                c.Parameters.AddWithValue("$limit", limit);
            }, cancellationToken);

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE id = $id AND state IN ('Received', 'Processing');";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Each pooled connection keeps a page cache of its own (2 MiB by default) that fills as the file grows, in the
        // native heap: four connections held 8 MiB more after a few thousand documents. The system caches the file
        // anyway, so a small one serves the store's lookups as well (issue 12, soak).
        await ExecuteAsync(connection, PageCachePragma, cancellationToken);
        return connection;
    }

    /// <summary>A connection's page cache: 512 KiB (a negative size is in KiB).</summary>
    internal const string PageCachePragma = "PRAGMA cache_size = -512;";

    /// <summary>The page cache size of a connection as the store opens it (SQLite's <c>cache_size</c>: negative in KiB).</summary>
    internal async Task<long> PageCacheSizeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, "PRAGMA cache_size;", cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<DocumentRecord>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<DocumentRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }
        return rows;
    }

    private static void Bind(SqliteCommand command, DocumentRecord r)
    {
        void Add(string name, object? value) => command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        Add("$id", r.Id);
        Add("$file_name", r.FileName);
        Add("$channel", r.Channel);
        Add("$state", r.State.ToString());
        Add("$profile", r.Profile);
        Add("$source_uri", r.SourceUri);
        Add("$output_uri", r.OutputUri);
        Add("$sha256", r.Sha256);
        Add("$size_bytes", r.SizeBytes);
        Add("$reason", r.Reason);
        Add("$message", r.Message);
        Add("$retryable", r.Retryable ? 1 : 0);
        Add("$correlation_id", r.CorrelationId);
        Add("$duplicate_of", r.DuplicateOf);
        Add("$profile_fingerprint", r.ProfileFingerprint);
        Add("$model_sha256", r.ModelSha256);
        Add("$attempts", r.Attempts);
        Add("$dispatches", r.Dispatches);
        Add("$received_at", Format(r.ReceivedAt));
        Add("$started_at", r.StartedAt is { } s ? Format(s) : null);
        Add("$finished_at", r.FinishedAt is { } f ? Format(f) : null);
        Add("$timings_json", r.Timings is null ? null : JsonSerializer.Serialize(r.Timings, Json));
        Add("$digest_json", r.Digest is null ? null : JsonSerializer.Serialize(r.Digest, Json));
        Add("$outputs_json", JsonSerializer.Serialize(r.Outputs, Json));
        Add("$dispatched_at", r.DispatchedAt is { } d ? Format(d) : null);
        Add("$purged_at", r.PurgedAt is { } p ? Format(p) : null);
        Add("$tenant", r.Tenant);
        Add("$tokens_in", r.TokensIn);
        Add("$tokens_out", r.TokensOut);
        Add("$parent_id", r.ParentId);
        Add("$depth", r.Depth);
    }

    private static DocumentRecord Read(SqliteDataReader reader)
    {
        string? Text(string column) => reader[column] is string s ? s : null;
        DateTimeOffset? Time(string column) => Text(column) is { } t ? Parse(t) : null;
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
            Retryable = (long)reader["retryable"] != 0,
            CorrelationId = Text("correlation_id"),
            DuplicateOf = Text("duplicate_of"),
            ProfileFingerprint = Text("profile_fingerprint"),
            ModelSha256 = Text("model_sha256"),
            Attempts = (int)(long)reader["attempts"],
            Dispatches = (int)(long)reader["dispatches"],
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
            Depth = (int)(long)reader["depth"],
        };
    }

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    // Fixed-width UTC so that text order is time order.
    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
