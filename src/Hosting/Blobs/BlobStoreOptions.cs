using System.ComponentModel.DataAnnotations;

namespace Annotate.Hosting.Blobs;

/// <summary>
/// Where the blob store keeps its files (configuration section <c>Annotate:Blobs</c>). The Gateway and every Worker
/// must see the same folders: on one machine the defaults do; across machines use a shared volume.
/// </summary>
public sealed class BlobStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Blobs";

    /// <summary>
    /// Folder of bytes kept per document (keys <c>sources/&lt;id&gt;/…</c>): a file taken from the inbox stays here until it
    /// is done, and other systems may put their documents' bytes here. Default <c>data/blobs</c>.
    /// </summary>
    [Required]
    public string Sources { get; set; } = "data/blobs";

    /// <summary>
    /// Folder of the bytes of accepted documents, each stored once under its SHA-256 (keys <c>content/sha256/…</c>);
    /// the gateway deletes what no unfinished document needs. Default <c>data/content</c>.
    /// </summary>
    [Required]
    public string Content { get; set; } = "data/content";

    /// <summary>Folder of the outputs, one sub-folder per document (keys <c>outputs/…</c>). Default <c>data/outbox</c>.</summary>
    [Required]
    public string Outputs { get; set; } = "data/outbox";

    /// <summary>
    /// Folder of the workers' records of finished work (keys <c>results/…</c>): which documents reached a final state,
    /// so a redelivered command is not annotated twice, and which content was annotated with which profile and model,
    /// so the same bytes are not annotated again. Default <c>data/results</c>.
    /// </summary>
    [Required]
    public string Results { get; set; } = "data/results";
}
