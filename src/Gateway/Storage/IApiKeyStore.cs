namespace Annotate.Gateway.Storage;

/// <summary>API keys kept in the state store (by the SQLite and PostgreSQL document stores, schema step 8): hashes only.</summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key by the SHA-256 of the key (lower-case hex). False when the id or the hash exists already.</summary>
    Task<bool> AddApiKeyAsync(StoredApiKey key, string keySha256, CancellationToken cancellationToken);

    /// <summary>The tenant of the key with this SHA-256 when it is stored and not revoked; otherwise null.</summary>
    Task<string?> FindApiKeyTenantAsync(string keySha256, CancellationToken cancellationToken);

    /// <summary>Every stored key, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<StoredApiKey>> ListApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>Revokes a key by id. True when it changed (known and not revoked before).</summary>
    Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>True once any key was stored, revoked or not: from then on the API needs a key (revoking the last one does not open it).</summary>
    Task<bool> HasApiKeysAsync(CancellationToken cancellationToken);
}
