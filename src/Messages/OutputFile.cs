namespace Annotate.Messages;

/// <summary>One output file of an annotated document.</summary>
public sealed record OutputFile
{
    /// <summary>File name inside the output folder, e.g. <c>annotations.json</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the file is: <c>annotations</c>, <c>markdown</c>, <c>xlsx</c>, <c>csv</c>, <c>reformat</c>, <c>qa</c> or <c>original</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>IANA media type, e.g. <c>application/json</c>.</summary>
    public required string MediaType { get; init; }

    /// <summary>Size in bytes.</summary>
    public long SizeBytes { get; init; }
}
