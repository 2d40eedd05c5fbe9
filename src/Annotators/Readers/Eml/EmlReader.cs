using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Html;
using Annotate.Annotators.Readers.Text;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Annotate.Annotators.Readers.Eml;

/// <summary>
/// Reads an e-mail (<c>.eml</c>, RFC 5322 with MIME) with MimeKit: its header fields as properties (from, to, cc, date,
/// subject, message id), its body as content (the text/plain body, or the HTML body read the way a web page is), and
/// every attachment, including e-mails attached to it, handed on (see <see cref="PartCollector"/>) to become a document
/// of its own. Bounded: MIME nesting past <see cref="ContainerOptions.MaxMimeDepth"/> is not read (notice
/// <c>mime-too-deep</c>); more parts than <see cref="ContainerOptions.MaxMimeParts"/>, or header fields over
/// <see cref="ContainerOptions.MaxHeaderBytes"/> in one part, fail with <c>too-large</c>; a body larger than
/// <see cref="ReaderOptions.MaxHtmlBytes"/> is not read (notice <c>body-too-large</c>).
/// </summary>
public sealed class EmlReader(IOptions<ReaderOptions> readerOptions, IOptions<ContainerOptions> containerOptions) : IDocumentReader
{
    /// <summary>Code of the notice for MIME parts nested too deep to be read.</summary>
    public const string MimeTooDeepNotice = "mime-too-deep";

    /// <summary>Code of the notice for a body too large to be read.</summary>
    public const string BodyTooLargeNotice = "body-too-large";

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Eml;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        var limits = containerOptions.Value;
        await using var stream = source.OpenRead();
        MimeMessage message;
        try
        {
            // Persistent: the parts' contents stay in the file and are read from it when copied, never held in memory.
            message = await MimeMessage.LoadAsync(new ParserOptions { MaxMimeDepth = limits.MaxMimeDepth }, stream, persistent: true, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new AnnotationException(FailureReason.Corrupt, $"'{source.FileName}' is not a readable e-mail: {ex.Message}", inner: ex);
        }
        var notices = new List<Notice>();
        var walk = new Walk(source, limits, readerOptions.Value, notices);
        walk.Check(message.Headers, "the message");
        if (message.Body is { } body)
        {
            await walk.VisitAsync(body, depth: 1, insideRelated: false, cancellationToken).ConfigureAwait(false);
        }

        var headers = new EmailHeaders
        {
            From = Addresses(message.From),
            To = Addresses(message.To),
            Cc = Addresses(message.Cc),
            Date = message.Headers.Contains(HeaderId.Date) ? message.Date : null,
            Subject = Clean(message.Subject),
            MessageId = Clean(message.MessageId),
        };
        var blocks = new List<Block> { new HeadingBlock(1, headers.Subject ?? "(no subject)") };
        var fields = new List<string>();
        AddField(fields, "From", headers.From);
        AddField(fields, "To", headers.To);
        AddField(fields, "Cc", headers.Cc);
        if (headers.Date is { } date)
        {
            fields.Add($"Date: {date.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}");
        }
        if (fields.Count > 0)
        {
            blocks.Add(new ListBlock(false, fields));
        }
        blocks.AddRange(walk.BodyBlocks(source.FileName, notices, cancellationToken));
        var parts = walk.Collector.Parts;
        if (walk.Attachments.Count > 0)
        {
            blocks.Add(new HeadingBlock(2, "Attachments"));
            blocks.Add(new ListBlock(false, walk.Attachments));
        }
        notices.AddRange(walk.Collector.Notices("eml"));
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Eml,
            SizeBytes = source.Length,
            Properties = new DocumentProperties
            {
                Title = headers.Subject,
                Author = headers.From.Count > 0 ? string.Join(", ", headers.From) : null,
                Created = headers.Date,
                Email = headers,
            },
            Blocks = blocks,
            Outline = blocks.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
            Parts = parts,
            Notices = notices,
        };
    }

    private static void AddField(List<string> fields, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            fields.Add($"{name}: {string.Join(", ", values)}");
        }
    }

    private static List<string> Addresses(InternetAddressList list) =>
        list.Select(a => Clean(a is MailboxAddress { Name: { Length: > 0 } name } mailbox ? $"{name} <{mailbox.Address}>" : a is MailboxAddress plain ? plain.Address : a.ToString(encode: false)))
            .OfType<string>().Take(1000).ToList();

    /// <summary>Header text without control characters (a header cannot forge lines in content.md), trimmed; null when empty.</summary>
    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return clean.Length == 0 ? null : clean;
    }

    /// <summary>One pass over the MIME tree: counts and checks the parts, finds the body, hands on the attachments.</summary>
    private sealed class Walk(DocumentSource source, ContainerOptions limits, ReaderOptions readers, List<Notice> notices)
    {
        private int _entities;
        private TextPart? _plain;
        private TextPart? _html;
        private bool _tooDeepNoticed;

        public PartCollector Collector { get; } = new(source, limits, readers);

        /// <summary>What content.md lists under "Attachments": each file with its size, or why it was not annotated.</summary>
        public List<string> Attachments { get; } = [];

        public void Check(HeaderList headers, string where)
        {
            long bytes = 0;
            foreach (var header in headers)
            {
                bytes += header.RawField.Length + header.RawValue.Length + 1;
            }
            if (bytes > limits.MaxHeaderBytes)
            {
                throw ZipPackageLimits.TooLarge(source.FileName,
                    $"the header fields of {where} take {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, over the limit of {limits.MaxHeaderBytes.ToString("N0", CultureInfo.InvariantCulture)} (Annotate:Containers:MaxHeaderBytes)");
            }
        }

        public async Task VisitAsync(MimeEntity entity, int depth, bool insideRelated, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (++_entities > limits.MaxMimeParts)
            {
                throw ZipPackageLimits.TooLarge(source.FileName,
                    $"it holds more than {limits.MaxMimeParts.ToString("N0", CultureInfo.InvariantCulture)} MIME parts (Annotate:Containers:MaxMimeParts)");
            }
            Check(entity.Headers, $"MIME part {_entities}");
            switch (entity)
            {
                case Multipart multipart:
                    var related = insideRelated || multipart.ContentType.IsMimeType("multipart", "related");
                    foreach (var child in multipart)
                    {
                        await VisitAsync(child, depth + 1, related, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case MessagePart attached:
                    // An e-mail inside the e-mail (forwarded as an attachment) is a document of its own, one level deeper.
                    var subject = attached.Message?.Subject;
                    await AddAsync(attached.ContentDisposition?.FileName ?? $"{(string.IsNullOrWhiteSpace(subject) ? "message" : subject)}.eml",
                        (target, token) => attached.Message is { } inner ? inner.WriteToAsync(target, token) : Task.CompletedTask,
                        cancellationToken).ConfigureAwait(false);
                    break;
                case MimePart part when part.ContentType.MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase)
                                        || part.ContentType.IsMimeType("message", "rfc822"):
                    // The parser stops recursing at MaxMimeDepth and leaves what is deeper as a leaf: say so once.
                    if (!_tooDeepNoticed)
                    {
                        _tooDeepNoticed = true;
                        notices.Add(new Notice(MimeTooDeepNotice,
                            $"'{source.FileName}' nests MIME parts more than {limits.MaxMimeDepth} levels deep (Annotate:Containers:MaxMimeDepth): what lies deeper is not read.")
                        { Source = "eml" });
                    }
                    break;
                case TextPart text when !text.IsAttachment && (text.IsPlain || text.IsHtml) && (text.IsPlain ? _plain : _html) is null:
                    if (text.IsPlain)
                    {
                        _plain = text;
                    }
                    else
                    {
                        _html = text;
                    }
                    break;
                case MimePart part when insideRelated && !part.IsAttachment && part.ContentId is not null:
                    // Pictures the HTML body shows (logos, signatures) are part of the body, not documents sent along.
                    Collector.Skip(part.FileName ?? part.ContentType.MimeType, "a picture shown inside the HTML body");
                    break;
                case MimePart part:
                    await AddAsync(part.FileName ?? $"attachment{Extension(part.ContentType)}",
                        (target, token) => part.Content is { } content ? content.DecodeToAsync(target, token) : Task.CompletedTask,
                        cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        private async Task AddAsync(string name, Func<Stream, CancellationToken, Task> copyTo, CancellationToken cancellationToken)
        {
            var path = $"attachment {Attachments.Count + 1}: {PartCollector.SafeName(name, Attachments.Count)}";
            var part = await Collector.AddAsync(name, path, copyTo, cancellationToken).ConfigureAwait(false);
            Attachments.Add(part is null
                ? $"{PartCollector.SafeName(name, Attachments.Count)} — not annotated (see the notice)"
                : $"{part.Name} ({part.SizeBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
        }

        /// <summary>The body as blocks: the text/plain body when there is one, else the HTML body; nothing when neither.</summary>
        public IReadOnlyList<Block> BodyBlocks(string fileName, List<Notice> notices, CancellationToken cancellationToken)
        {
            var body = _plain ?? _html;
            if (body is null)
            {
                return [];
            }
            if (body.Content?.Stream is { CanSeek: true } content && content.Length > readers.MaxHtmlBytes)
            {
                notices.Add(new Notice(BodyTooLargeNotice,
                    $"The body of '{fileName}' is {content.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than the {readers.MaxHtmlBytes.ToString("N0", CultureInfo.InvariantCulture)} read (Annotate:Readers:MaxHtmlBytes); it is not read.")
                { Source = "eml" });
                return [];
            }
            var text = body.Text ?? "";
            return body.IsPlain ? PlainTextReader.Parse(text, cancellationToken) : HtmlReader.ReadBlocks(text, fileName, notices, cancellationToken);
        }

        private static string Extension(ContentType type) =>
            MimeTypes.TryGetExtension(type.MimeType, out var extension) ? extension : ".bin";
    }
}
