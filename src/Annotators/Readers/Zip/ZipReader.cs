using System.Globalization;
using System.IO.Compression;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Readers.Zip;

/// <summary>
/// Reads a ZIP archive of documents: its content lists the entries, and each regular file entry is handed on (see
/// <see cref="PartCollector"/>) to become a document of its own. Folders are skipped; links are never followed;
/// encrypted entries are named in the notice <c>encrypted-entries</c>. The hostile-input limits hold per entry, not for
/// the archive: an entry compressed past <see cref="ReaderOptions.MaxCompressionRatio"/> (a decompression bomb), entries
/// past <see cref="ReaderOptions.MaxZipEntries"/>, and files past the limits of <see cref="ContainerOptions"/> are skipped
/// and named in the notice <c>parts-skipped</c>, and the archive itself completes. Every entry is read through a bound,
/// so a declared size that lies gains nothing.
/// </summary>
public sealed class ZipReader(IOptions<ReaderOptions> readerOptions, IOptions<ContainerOptions> containerOptions) : IDocumentReader
{
    /// <summary>Code of the notice naming encrypted entries.</summary>
    public const string EncryptedNotice = "encrypted-entries";

    private const int ListedEntries = 1000;
    private const int SymbolicLink = 0xA000;

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Zip;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        var limits = readerOptions.Value;
        var collector = new PartCollector(source, containerOptions.Value, limits);
        var listed = new List<string>();
        var encrypted = new List<string>();
        var folders = 0;
        var files = 0;
        await using var stream = source.OpenRead();
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var entries = zip.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entry = entries[i];
            if (i == limits.MaxZipEntries)
            {
                collector.Skip($"{entries.Count - i} entries after the first {limits.MaxZipEntries}", "past Annotate:Readers:MaxZipEntries");
                files += entries.Count - i;
                break;
            }
            var path = PartCollector.SafePath(entry.FullName);
            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
            {
                folders++;
                continue;
            }
            files++;
            var status = "";
            if (((entry.ExternalAttributes >> 16) & 0xF000) == SymbolicLink)
            {
                collector.Skip(entry.FullName, "a symbolic link, never followed");
                status = " — a link, not read";
            }
            else if (entry.Length > limits.ZipRatioCheckBytes && entry.Length > (double)Math.Max(entry.CompressedLength, 1) * limits.MaxCompressionRatio)
            {
                collector.Skip(entry.FullName,
                    $"it inflates from {entry.CompressedLength.ToString("N0", CultureInfo.InvariantCulture)} to {entry.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, over the ratio of {limits.MaxCompressionRatio.ToString("N0", CultureInfo.InvariantCulture)}:1 allowed (Annotate:Readers:MaxCompressionRatio)");
                status = " — compressed too far, not read";
            }
            else if (entry.IsEncrypted)
            {
                encrypted.Add($"'{path}'");
                status = " — encrypted, not read";
            }
            else
            {
                var part = await collector.AddAsync(entry.FullName, entry.FullName, async (target, token) =>
                {
                    // Bounded by the sink whatever the entry declares; Open throws InvalidDataException for a damaged entry.
                    await using var content = entry.Open();
                    await content.CopyToAsync(target, token).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                status = part is null ? " — not annotated (see the notice)" : "";
            }
            if (listed.Count < ListedEntries)
            {
                listed.Add($"{(path.Length > 0 ? path : "(no name)")} ({entry.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes){status}");
            }
        }
        var notices = new List<Notice>(collector.Notices("zip"));
        if (encrypted.Count > 0)
        {
            notices.Add(new Notice(EncryptedNotice,
                $"'{source.FileName}' holds {encrypted.Count} encrypted entr{(encrypted.Count == 1 ? "y" : "ies")}, not read: {string.Join(", ", encrypted.Take(20))}{(encrypted.Count > 20 ? " and more" : "")}.")
            { Source = "zip" });
        }
        List<Block> blocks =
        [
            new HeadingBlock(1, source.FileName),
            new ParagraphBlock($"A ZIP archive of {files} file(s){(folders > 0 ? $" in {folders} folder(s)" : "")}; {collector.Parts.Count} annotated as documents of their own."),
        ];
        if (listed.Count > 0)
        {
            blocks.Add(new ListBlock(false, files > listed.Count ? [.. listed, $"… and {files - listed.Count} more"] : listed));
        }
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Zip,
            SizeBytes = source.Length,
            Blocks = blocks,
            Parts = collector.Parts,
            Notices = notices,
        };
    }
}
