using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Collects the files a container (an e-mail, a ZIP archive) holds, for the readers of both: writes each into the
/// source's <see cref="DocumentSource.PartsDirectory"/> under a number (never under a name the file brought), hashing and
/// counting on the way, and keeps the limits of <see cref="ContainerOptions"/>: a file over
/// <see cref="ReaderOptions.MaxDocumentBytes"/>, past <see cref="ContainerOptions.MaxParts"/> or past
/// <see cref="ContainerOptions.MaxPartsBytes"/> in all is skipped, and <see cref="Notices"/> names each skipped file and why.
/// </summary>
public sealed class PartCollector(DocumentSource source, ContainerOptions options, ReaderOptions readers)
{
    /// <summary>Code of the notice naming the files not handed on.</summary>
    public const string SkippedNotice = "parts-skipped";

    private const int NamedInNotice = 20;
    private readonly List<EmbeddedFile> _parts = [];
    private readonly List<string> _skipped = [];
    private long _bytes;

    /// <summary>The files kept, in the order they were added.</summary>
    public IReadOnlyList<EmbeddedFile> Parts => _parts;

    /// <summary>Whether a file that could be kept now would be: false once the count is reached.</summary>
    public bool HasRoom => _parts.Count < options.MaxParts;

    /// <summary>
    /// Adds one file: <paramref name="copyTo"/> writes its bytes into the stream it is given. Returns the file kept, or null
    /// when it was skipped (and recorded for the notice) or <paramref name="copyTo"/> failed with
    /// <see cref="InvalidDataException"/> (a damaged entry), which is recorded too.
    /// </summary>
    public async Task<EmbeddedFile?> AddAsync(string name, string path, Func<Stream, CancellationToken, Task> copyTo, CancellationToken cancellationToken)
    {
        if (!HasRoom)
        {
            Skip(path, $"more than {Count(options.MaxParts)} files (Annotate:Containers:MaxParts)");
            return null;
        }
        var room = options.MaxPartsBytes - _bytes;
        var limit = Math.Min(readers.MaxDocumentBytes, room);
        var staged = source.PartsDirectory is { } folder
            ? System.IO.Path.Combine(folder, _parts.Count.ToString("D4", CultureInfo.InvariantCulture))
            : null;
        if (staged is not null)
        {
            Directory.CreateDirectory(source.PartsDirectory!);
        }
        try
        {
            await using var sink = new PartSink(staged, limit);
            await copyTo(sink, cancellationToken).ConfigureAwait(false);
            var file = new EmbeddedFile
            {
                Name = SafeName(name, _parts.Count),
                Path = SafePath(path),
                SizeBytes = sink.Written,
                Sha256 = sink.Sha256(),
                StagedPath = staged,
            };
            _bytes += sink.Written;
            _parts.Add(file);
            return file;
        }
        catch (Exception ex) when (ex is PartTooLargeException or InvalidDataException or NotSupportedException or FormatException)
        {
            Delete(staged);
            Skip(path, ex is PartTooLargeException
                ? limit == readers.MaxDocumentBytes
                    ? $"larger than {Count(readers.MaxDocumentBytes)} bytes (Annotate:Readers:MaxDocumentBytes)"
                    : $"the files before it take the {Count(options.MaxPartsBytes)} bytes allowed in all (Annotate:Containers:MaxPartsBytes)"
                : $"damaged ({ex.Message})");
            return null;
        }
        catch
        {
            Delete(staged);
            throw;
        }
    }

    /// <summary>Records a file that is not handed on, with why (an encrypted ZIP entry, a link, an inline image).</summary>
    public void Skip(string path, string why) => _skipped.Add($"'{SafePath(path)}' ({why})");

    /// <summary>The notice naming the files not handed on (the first 20, and how many more), or none.</summary>
    public IReadOnlyList<Notice> Notices(string format) => _skipped.Count == 0
        ? []
        : [new Notice(SkippedNotice,
            $"'{source.FileName}': {Count(_skipped.Count)} file(s) inside it are not annotated as documents of their own: "
            + string.Join(", ", _skipped.Take(NamedInNotice))
            + (_skipped.Count > NamedInNotice ? $" and {Count(_skipped.Count - NamedInNotice)} more" : "") + ".") { Source = format }];

    /// <summary>
    /// The last part of a name a file brought (<c>../../x.pdf</c> → <c>x.pdf</c>), without control, format (bidirectional
    /// overrides) or replacement characters and the characters file systems refuse, at most 150 characters keeping the
    /// extension; <c>part-N</c> when nothing is left.
    /// </summary>
    public static string SafeName(string? name, int index)
    {
        var last = (name ?? "").Replace('\\', '/');
        last = last[(last.LastIndexOf('/') + 1)..];
        var safe = Clean(last).Trim().TrimStart('.').Trim();
        if (safe.Length > 150)
        {
            var extension = System.IO.Path.GetExtension(safe);
            extension = extension.Length is > 0 and <= 16 ? extension : "";
            safe = safe[..(150 - extension.Length)] + extension;
        }
        return safe.Length == 0 ? $"part-{(index + 1).ToString(CultureInfo.InvariantCulture)}" : safe;
    }

    /// <summary>A path inside a container, for people: cleaned like a name, '/'-separated, without empty, '.' or '..' parts.</summary>
    public static string SafePath(string? path)
    {
        var parts = (path ?? "").Replace('\\', '/').Split('/')
            .Select(p => Clean(p).Trim())
            .Where(p => p.Length > 0 && p is not "." and not "..");
        var joined = string.Join('/', parts);
        return joined.Length > 300 ? joined[..300] + "…" : joined;
    }

    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            builder.Append(category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                || rune.Value is 0xFFFD or '<' or '>' or ':' or '"' or '|' or '?' or '*' ? "_" : rune.ToString());
        }
        return builder.ToString();
    }

    private static void Delete(string? path)
    {
        if (path is not null && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private sealed class PartTooLargeException : Exception;

    /// <summary>A write-only stream that hashes and counts what passes, stops past a limit, and writes to a file when given one.</summary>
    private sealed class PartSink(string? path, long limit) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly FileStream? _file = path is null ? null
            : new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);

        public long Written { get; private set; }

        public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => _file?.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Count(buffer);
            _file?.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Span);
            if (_file is not null)
            {
                await _file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Count(ReadOnlySpan<byte> buffer)
        {
            Written += buffer.Length;
            if (Written > limit)
            {
                throw new PartTooLargeException();
            }
            _hash.AppendData(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file?.Dispose();
                _hash.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_file is not null)
            {
                await _file.DisposeAsync().ConfigureAwait(false);
            }
            _hash.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
