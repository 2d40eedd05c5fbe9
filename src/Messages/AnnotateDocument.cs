namespace Annotate.Messages;

/// <summary>
/// Command: annotate one document whose bytes are stored at <see cref="SourceUri"/> or carried in <see cref="ContentBase64"/>.
/// Any system may publish it as plain JSON; the README shows an example.
/// </summary>
public sealed record AnnotateDocument
{
    /// <summary>Identifier chosen by the sender, unique per document: 1–64 characters of letters, digits, '-', '_' or '.'. It names the output folder.</summary>
    public required string DocumentId { get; init; }

    /// <summary>
    /// Where the bytes are: a <c>blob:content/sha256/…</c> or <c>blob:sources/…</c> reference into the shared blob store, an <c>http(s)://</c> URL on a host
    /// the worker may fetch from (<c>Annotate:Worker:FetchHosts</c>), or, only where the worker allows it, an absolute path
    /// or <c>file://</c> URI. Empty (or, in plain JSON, omitted) when <see cref="ContentBase64"/> carries the bytes.
    /// </summary>
    public required string SourceUri { get; init; }

    /// <summary>The file name the document had when it was submitted, e.g. <c>invoice-2024-03.pdf</c>. Used for display and as a format hint for text files only.</summary>
    public required string FileName { get; init; }

    /// <summary>Optional name of the annotation profile to apply; the default profile when absent.</summary>
    public string? Profile { get; init; }

    /// <summary>Optional list of outputs to produce (<c>annotations</c>, <c>markdown</c>, <c>xlsx</c>, <c>csv</c>, <c>reformat</c>, <c>qa</c>, <c>original</c>); all that apply when absent or empty.</summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>Optional identifier the sender uses to match events to its own records; copied onto every event about this document.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Optional lowercase hex SHA-256 of the bytes; when given, the worker checks it before reading.</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>Optional folder (absolute path or <c>file://</c> URI) for the outputs; the worker's configured outbox when absent.</summary>
    public string? OutputUri { get; init; }

    /// <summary>
    /// Optional: the document's bytes themselves, base64-encoded, for small documents (the worker's
    /// <c>Annotate:Worker:MaxInlineBytes</c>, 16 MiB decoded by default). When given, <see cref="SourceUri"/> must be empty.
    /// </summary>
    public string? ContentBase64 { get; init; }

    /// <summary>Optional time the document was submitted (ISO-8601).</summary>
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>
    /// Optional id of the document this one was found inside (an e-mail it was attached to, a ZIP archive it was an entry
    /// of); its <c>annotations.json</c> names it. Null for a document sent on its own.
    /// </summary>
    public string? ParentDocumentId { get; init; }

    /// <summary>
    /// Optional: how deep the document sits inside other documents (0 or absent when sent on its own, 1 for an attachment
    /// of it…). A container at <c>Annotate:Containers:MaxDepth</c> lists its files without handing them on.
    /// </summary>
    public int? Depth { get; init; }

    /// <summary>
    /// Optional key, in the blob store gateway and workers share, of the profile's reviewed examples (a JSON array the
    /// gateway keeps, newest first), which the model's prompts show when the profile's <c>FewShotExamples</c> is above 0.
    /// Absent, or a blob that does not exist, means no examples.
    /// </summary>
    public string? ExamplesKey { get; init; }
}
