using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfPageReaderTests
{
    private static readonly ParsingOptions Parsing = new() { UseLenientParsing = true, SkipMissingFonts = true };

    public static TheoryData<string> CorpusPdfs() => [.. CorpusFiles()];

    private static IEnumerable<string> CorpusFiles() =>
        Directory.GetFiles(Path.Combine(TestFiles.Shared, "corpus", "pdf"), "*.pdf").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(CorpusPdfs))]
    public void Pages_read_on_several_threads_equal_the_pages_read_on_one(string file)
    {
        var path = TestFiles.Corpus("pdf/" + file);

        var sequential = ReadPages(path, threads: 1, out _);
        // Runs of one page, so even a one-page file is shared between threads where it has more pages.
        var parallel = ReadPages(path, threads: 3, out var opened);

        Assert.Equal(Describe(sequential), Describe(parallel));
        Assert.Equal(Describe(PdfBlockBuilder.Build(sequential)), Describe(PdfBlockBuilder.Build(parallel)));
        Assert.Equal(Math.Min(2, sequential.Count - 1), opened);
        Assert.NotEmpty(sequential);
    }

    [Fact]
    public async Task A_generated_500_page_pdf_reads_the_same_on_two_threads_as_on_one()
    {
        using var dir = new TempDir();
        var path = dir.File("long.pdf");
        File.WriteAllBytes(path, Merged(500));
        var source = new DocumentSource(path, "long.pdf");

        var sequential = await Reader(threads: 1).ReadAsync(source, CancellationToken.None);
        var parallel = await Reader(threads: 2).ReadAsync(source, CancellationToken.None);

        Assert.True(sequential.Pages.Count >= 500, $"{sequential.Pages.Count} pages");
        Assert.Equal(Describe(sequential), Describe(parallel));
        Assert.Contains(sequential.Blocks, b => b.Location.Page == sequential.Pages.Count);
    }

    [Fact]
    public async Task A_pdf_read_from_the_file_by_each_thread_equals_it_read_once_into_memory()
    {
        using var dir = new TempDir();
        var path = dir.File("long.pdf");
        File.WriteAllBytes(path, Merged(40));
        var source = new DocumentSource(path, "long.pdf");
        var fromFile = new PdfReader(NullLogger<PdfReader>.Instance,
            options: Options.Create(new ReaderOptions { PdfPageThreads = 2, PdfInMemoryMaxBytes = 0 }));
        var justFits = new PdfReader(NullLogger<PdfReader>.Instance,
            options: Options.Create(new ReaderOptions { PdfPageThreads = 2, PdfInMemoryMaxBytes = new FileInfo(path).Length }));

        var read = await fromFile.ReadAsync(source, CancellationToken.None);
        var inMemory = await justFits.ReadAsync(source, CancellationToken.None);

        Assert.True(read.Pages.Count >= 40, $"{read.Pages.Count} pages");
        Assert.Equal(Describe(read), Describe(inMemory));
        Assert.Equal(read.Properties, inMemory.Properties);
        Assert.Equal(read.Outline.Count, inMemory.Outline.Count);
    }

    [Fact]
    public void A_failure_on_another_thread_fails_the_read_with_its_own_exception()
    {
        var path = TestFiles.Corpus("pdf/pdflatex-4-pages.pdf");
        using var pdf = PdfDocument.Open(path, Parsing);

        var ex = Assert.Throws<InvalidOperationException>(() => PdfPageReader.Read(pdf,
            () => throw new InvalidOperationException("cannot open the file again"), threads: 2, minPages: 1, CancellationToken.None, runPages: 1));

        Assert.Equal("cannot open the file again", ex.Message);
    }

    [Fact]
    public void Cancellation_stops_a_read_on_several_threads()
    {
        var path = TestFiles.Corpus("pdf/pdflatex-4-pages.pdf");
        using var pdf = PdfDocument.Open(path, Parsing);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => PdfPageReader.Read(pdf, () => PdfDocument.Open(path, Parsing),
            threads: 2, minPages: 1, cancelled.Token, runPages: 1));
    }

    [Fact]
    public void A_short_pdf_is_read_on_one_thread()
    {
        var path = TestFiles.Corpus("pdf/pdflatex-4-pages.pdf");
        using var pdf = PdfDocument.Open(path, Parsing);
        var opened = 0;

        var pages = PdfPageReader.Read(pdf, () => { opened++; return PdfDocument.Open(path, Parsing); },
            threads: 2, minPages: 16, CancellationToken.None, runPages: 1);

        Assert.Equal(4, pages.Count);
        Assert.Equal(0, opened);
    }

    private static List<PdfPageText> ReadPages(string path, int threads, out int opened)
    {
        using var pdf = PdfDocument.Open(path, Parsing);
        var count = 0;
        var pages = PdfPageReader.Read(pdf, () => { Interlocked.Increment(ref count); return PdfDocument.Open(path, Parsing); },
            threads, minPages: 1, CancellationToken.None, runPages: 1);
        opened = count;
        return pages;
    }

    private static PdfReader Reader(int threads) =>
        new(NullLogger<PdfReader>.Instance, options: Options.Create(new ReaderOptions { PdfPageThreads = threads }));

    /// <summary>The corpus PDFs merged one after another until the file has at least <paramref name="pages"/> pages.</summary>
    internal static byte[] Merged(int pages)
    {
        var files = CorpusFiles().Select(file => File.ReadAllBytes(TestFiles.Corpus("pdf/" + file))).ToList();
        var counts = files.Select(bytes => { using var pdf = PdfDocument.Open(bytes); return pdf.NumberOfPages; }).ToList();
        var merged = new List<byte[]>();
        for (var (total, i) = (0, 0); total < pages; i++)
        {
            merged.Add(files[i % files.Count]);
            total += counts[i % files.Count];
        }
        return PdfMerger.Merge(merged);
    }

    private static string Describe(IEnumerable<PdfPageText> pages)
    {
        var text = new StringBuilder();
        foreach (var page in pages)
        {
            text.Append(CultureInfo.InvariantCulture, $"page {page.Page} body {page.BodyFontSize:R} text {page.HasText} images {page.HasImages}\n");
            foreach (var region in page.Regions)
            {
                text.Append(CultureInfo.InvariantCulture, $"  region {region.FontSize:R} {region.Bold}\n");
                foreach (var line in region.Lines)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    {line.FontSize:R} {line.Bold} {line.Text}\n");
                }
            }
            DescribeWords(page.Words, text);
        }
        return text.ToString();
    }

    private static string Describe(IEnumerable<Block> blocks) =>
        string.Join('\n', blocks.Select(b => $"{b.Kind} {b.Location} {b.Role} {b.Text} {(b as HeadingBlock)?.Level}"));

    private static string Describe(Document document)
    {
        var text = new StringBuilder()
            .AppendLine(document.Properties.ToString())
            .AppendLine(string.Join('\n', document.Outline))
            .AppendLine(string.Join('\n', document.Notices))
            .AppendLine(Describe(document.Blocks))
            .AppendLine(string.Join("\n---\n", document.Pages));
        foreach (var page in document.PageWords)
        {
            text.Append(CultureInfo.InvariantCulture, $"words of page {page.Page}\n");
            DescribeWords(page.Words, text);
        }
        return text.ToString();
    }

    private static void DescribeWords(IEnumerable<PageWord> words, StringBuilder text)
    {
        foreach (var word in words)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {word.Text} {word.Box.Left:R} {word.Box.Bottom:R} {word.Box.Right:R} {word.Box.Top:R}\n");
        }
    }
}
