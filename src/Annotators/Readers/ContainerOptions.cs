using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Limits on documents inside documents (configuration section <c>Annotate:Containers</c>): e-mails whose attachments,
/// and ZIP archives whose entries, each become a document of their own.
/// </summary>
public sealed class ContainerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Containers";

    /// <summary>
    /// Deepest nesting of documents inside documents: a document sent on its own is at depth 0, an attachment of it at 1,
    /// a ZIP entry inside that attachment at 2. A container at this depth has its files listed, not annotated, with the
    /// notice <c>parts-too-deep</c>. Default 3.
    /// </summary>
    [Range(0, 16)]
    public int MaxDepth { get; set; } = 3;

    /// <summary>Most files one container hands on as documents; the others are named in the notice <c>parts-skipped</c>. Default 100.</summary>
    [Range(0, 10_000)]
    public int MaxParts { get; set; } = 100;

    /// <summary>Most bytes the files one container hands on may hold together; the others are named in <c>parts-skipped</c>. Default 512 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long MaxPartsBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Deepest MIME nesting (multiparts inside multiparts) of an e-mail read; what lies deeper is not read, with the
    /// notice <c>mime-too-deep</c>. Default 32: mail clients nest a handful of levels.
    /// </summary>
    [Range(1, 256)]
    public int MaxMimeDepth { get; set; } = 32;

    /// <summary>Most MIME parts (bodies, attachments, multiparts) an e-mail may hold; more fail with <c>too-large</c>. Default 1,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMimeParts { get; set; } = 1000;

    /// <summary>Most bytes of header fields one MIME part (or the message itself) may carry; more fail with <c>too-large</c>. Default 256 KiB.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxHeaderBytes { get; set; } = 256 * 1024;
}
