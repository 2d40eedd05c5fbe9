using NpgsqlTypes;

namespace Annotate.Gateway.Storage;

// API keys (schema step 8): the SHA-256 of each key with its tenant; the key itself is never stored.
public sealed partial class PostgresDocumentStore
{
    public async Task<bool> AddApiKeyAsync(StoredApiKey key, string keySha256, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO api_keys (id, key_sha256, tenant, name, created_at, revoked_at) VALUES (@id, @hash, @tenant, @name, @created, @revoked)
            ON CONFLICT DO NOTHING;
            """);
        var p = command.Parameters;
        p.AddWithValue("id", key.Id);
        p.AddWithValue("hash", keySha256);
        p.AddWithValue("tenant", key.Tenant);
        p.AddWithValue("name", NpgsqlDbType.Text, Nullable(key.Name));
        p.AddWithValue("created", Utc(key.CreatedAt));
        p.AddWithValue("revoked", NpgsqlDbType.TimestampTz, key.RevokedAt is { } revoked ? Utc(revoked) : DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<string?> FindApiKeyTenantAsync(string keySha256, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT tenant FROM api_keys WHERE key_sha256 = @hash AND revoked_at IS NULL;");
        command.Parameters.AddWithValue("hash", keySha256);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<IReadOnlyList<StoredApiKey>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT id, tenant, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<StoredApiKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new StoredApiKey(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return keys;
    }

    public async Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", Utc(revokedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> HasApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM api_keys);");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
