using System.Globalization;

namespace Annotate.Gateway.Storage;

// API keys (schema step 8): the SHA-256 of each key with its tenant; the key itself is never stored.
public sealed partial class SqliteDocumentStore
{
    public async Task<bool> AddApiKeyAsync(StoredApiKey key, string keySha256, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, key_sha256, tenant, name, created_at, revoked_at) VALUES ($id, $hash, $tenant, $name, $created, $revoked)
            ON CONFLICT DO NOTHING;
            """;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$hash", keySha256);
        command.Parameters.AddWithValue("$tenant", key.Tenant);
        command.Parameters.AddWithValue("$name", (object?)key.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", Format(key.CreatedAt));
        command.Parameters.AddWithValue("$revoked", key.RevokedAt is { } revoked ? Format(revoked) : DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<string?> FindApiKeyTenantAsync(string keySha256, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant FROM api_keys WHERE key_sha256 = $hash AND revoked_at IS NULL;";
        command.Parameters.AddWithValue("$hash", keySha256);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<IReadOnlyList<StoredApiKey>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, tenant, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<StoredApiKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new StoredApiKey(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                Parse(reader.GetString(3)), reader.IsDBNull(4) ? null : Parse(reader.GetString(4))));
        }
        return keys;
    }

    public async Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL;";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", Format(revokedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> HasApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, "SELECT EXISTS (SELECT 1 FROM api_keys);", cancellationToken), CultureInfo.InvariantCulture) != 0;
    }
}
