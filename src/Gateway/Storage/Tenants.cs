namespace Annotate.Gateway.Storage;

/// <summary>Names of tenants the gateway itself uses.</summary>
public static class Tenants
{
    /// <summary>
    /// Owner of documents from the inbox and from messages, and of uploads when no API keys are configured. An API key
    /// mapped to <c>default</c> sees them.
    /// </summary>
    public const string Default = "default";
}
