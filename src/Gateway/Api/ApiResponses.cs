using Annotate.Gateway.Storage;
using Annotate.Messages;

namespace Annotate.Gateway.Api;

/// <summary>A document as the API shows it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="FileName">The uploaded name, made safe (last path segment, unsafe characters replaced, at most 150 characters).</param>
/// <param name="State">Received, Processing, Completed or Failed.</param>
/// <param name="Channel">How it arrived: upload, inbox or a message.</param>
/// <param name="Tenant">Who it belongs to.</param>
/// <param name="Profile">The annotation profile, when one was chosen.</param>
/// <param name="Reason">Why it failed (machine-readable), when it did.</param>
/// <param name="Message">Why it failed, for people.</param>
/// <param name="Retryable">Whether sending it again may succeed.</param>
/// <param name="DuplicateOf">The document whose outputs it reuses, when its content was annotated before.</param>
/// <param name="Sha256">SHA-256 of its bytes, once accepted.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="Attempts">How often a worker started it.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="StartedAt">When a worker last started it.</param>
/// <param name="FinishedAt">When it completed or failed.</param>
/// <param name="Timings">Time spent per stage.</param>
/// <param name="Digest">Summary of the annotations.</param>
/// <param name="Outputs">Its output files, each with a download URL.</param>
/// <param name="OutputsZip">URL of all outputs as one zip, once completed.</param>
/// <param name="ReviewedAt">When a person last reviewed its annotations; null when never.</param>
/// <param name="ParentId">The document it was found inside (an e-mail it was attached to, a ZIP archive it was an entry of); null for one sent on its own.</param>
/// <param name="Depth">How deep it sits inside other documents: 0 when sent on its own.</param>
/// <param name="Children">The documents found inside it (its attachments, its archive's entries), in the order received; only on <c>GET /api/documents/{id}</c>, null in lists.</param>
public sealed record DocumentView(
    string Id,
    string FileName,
    string State,
    string Channel,
    string Tenant,
    string? Profile,
    string? Reason,
    string? Message,
    bool Retryable,
    string? DuplicateOf,
    string? Sha256,
    long SizeBytes,
    int Attempts,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    StageTimings? Timings,
    AnnotationDigest? Digest,
    IReadOnlyList<OutputView> Outputs,
    string? OutputsZip,
    DateTimeOffset? ReviewedAt = null,
    string? ParentId = null,
    int Depth = 0,
    IReadOnlyList<ChildView>? Children = null)
{
    /// <summary>The view of a record with its children.</summary>
    public static DocumentView Of(DocumentRecord r, IReadOnlyList<DocumentRecord> children) =>
        Of(r) with { Children = [.. children.Select(c => new ChildView(c.Id, c.FileName, c.State.ToString(), c.Reason, $"/api/documents/{c.Id}"))] };

    /// <summary>The view of a record.</summary>
    public static DocumentView Of(DocumentRecord r) => new(
        r.Id, r.FileName, r.State.ToString(), r.Channel, r.Tenant, r.Profile, r.Reason, r.Message, r.Retryable, r.DuplicateOf,
        r.Sha256, r.SizeBytes, r.Attempts, r.ReceivedAt, r.StartedAt, r.FinishedAt, r.Timings, r.Digest,
        [.. r.Outputs.Select(o => new OutputView(o.Name, o.Kind, o.MediaType, o.SizeBytes, $"/api/documents/{r.Id}/files/{Uri.EscapeDataString(o.Name)}",
            r.ReviewedAt is not null && Review.ReviewedDownloads.HasReviewedForm(o) ? $"/api/documents/{r.Id}/files/{Uri.EscapeDataString(o.Name)}?reviewed=true" : null))],
        r.State == DocumentState.Completed && r.Outputs.Count > 0 ? $"/api/documents/{r.Id}/outputs.zip" : null,
        r.ReviewedAt,
        r.ParentId,
        r.Depth);
}

/// <summary>A document found inside another, as its parent's view lists it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="FileName">Its name (the attachment's or entry's, made safe).</param>
/// <param name="State">Received, Processing, Completed or Failed.</param>
/// <param name="Reason">Why it failed, when it did.</param>
/// <param name="Status">URL of its status.</param>
public sealed record ChildView(string Id, string FileName, string State, string? Reason, string Status);

/// <summary>One output file of a document.</summary>
/// <param name="Name">File name, e.g. <c>annotations.json</c>.</param>
/// <param name="Kind">What it is: annotations, markdown, xlsx, csv, reformat, qa or original.</param>
/// <param name="MediaType">Its media type.</param>
/// <param name="SizeBytes">Its size.</param>
/// <param name="Url">Where to download it.</param>
/// <param name="ReviewedUrl">Where to download its reviewed form (the reviewer's row fields over the model's), once the document is reviewed; only <c>annotated.xlsx</c> and the CSVs have one.</param>
public sealed record OutputView(string Name, string Kind, string MediaType, long SizeBytes, string Url, string? ReviewedUrl = null);

/// <summary>A document accepted from an upload.</summary>
/// <param name="Id">Its id.</param>
/// <param name="FileName">Its name, made safe.</param>
/// <param name="State">Its state (Received).</param>
/// <param name="Status">URL of its status.</param>
/// <param name="DuplicateOf">The document whose outputs it reuses, when known already.</param>
public sealed record AcceptedDocument(string Id, string FileName, string State, string Status, string? DuplicateOf);

/// <summary>
/// The answer to an upload: every document it created, one per file, in the order sent. <c>id</c>, <c>state</c>,
/// <c>status</c> and <c>duplicateOf</c> repeat the first, for clients that send one file.
/// </summary>
/// <param name="Id">Id of the first document.</param>
/// <param name="State">State of the first document.</param>
/// <param name="Status">Status URL of the first document.</param>
/// <param name="DuplicateOf">DuplicateOf of the first document.</param>
/// <param name="Documents">Every document created, one per file.</param>
public sealed record UploadAccepted(string Id, string State, string Status, string? DuplicateOf, IReadOnlyList<AcceptedDocument> Documents);
