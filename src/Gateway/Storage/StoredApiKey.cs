namespace Annotate.Gateway.Storage;

/// <summary>An API key kept in the state store, without the key: only its SHA-256 is stored, and never shown.</summary>
/// <param name="Id">Short identifier to list and revoke it by (random; says nothing about the key).</param>
/// <param name="Tenant">The tenant whose documents the key sees.</param>
/// <param name="Name">What the key is for, as given when it was made (for people; may be null).</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="RevokedAt">When it was revoked, or null while it admits requests.</param>
public sealed record StoredApiKey(string Id, string Tenant, string? Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null);
