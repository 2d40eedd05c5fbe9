using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Docx;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.Extensions.Options;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace Annotate.Bench;

/// <summary>
/// Reads hostile and normal .docx files through <see cref="DocxReader"/> with the default limits, each in a fresh child
/// process, and reports the outcome, the time and the peak memory above the process's idle size (VmHWM − VmRSS before
/// reading, from /proc/self/status). A child that dies (a stack overflow) is reported with its exit code.
/// </summary>
internal static class DocxHostileBenchmark
{
    public const string ReadCommand = "docx-read-once";
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    private static readonly (string Name, string Description, Action<string> Write)[] Cases =
    [
        ("nested-20000", "20,000 nested tables (w:tbl/w:tr/w:tc)", path => WriteRaw(path, body => Nested(body, 20_000))),
        ("whitespace-3gb", "3 GB of whitespace between two paragraphs", path => WriteRaw(path, body => Whitespace(body, 3L * 1024 * 1024 * 1024))),
        ("whitespace-120mb", "120 MB body: 1 KB of random text + 50 KB of spaces in w:t + 10 KB between paragraphs, ratio < 100", path => WriteRaw(path, body => WhitespaceWithinRatio(body, 120L << 20))),
        ("whitespace-60mb", "the same, 60 MB (under MaxDocxPartBytes)", path => WriteRaw(path, body => WhitespaceWithinRatio(body, 60L << 20))),
        ("dense-paragraphs-120mb", "120 MB body of 3 million one-word paragraphs", path => WriteRaw(path, body => DenseParagraphs(body, 3_000_000))),
        ("dense-paragraphs-64mb", "64 MB body (just under MaxDocxPartBytes) of 1.6 million one-word paragraphs", path => WriteRaw(path, body => DenseParagraphs(body, 1_600_000))),
        ("padded-table-2m-cells", "one 2,000-cell header row over 999 one-cell rows: 2,000,000 cells once padded, at MaxDocxTableCells", path => WriteRaw(path, PaddedTable)),
        ("control-200-pages", "a normal 200-page report: headings, paragraphs, lists, tables", WriteReport),
    ];

    public static int Run(string[] args)
    {
        var keep = args.Contains("--keep");
        var only = args.SkipWhile(a => a != "--case").Skip(1).FirstOrDefault();
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-docx");
        Directory.CreateDirectory(folder);
        Console.WriteLine($"{"case",-26} {"docx KB",10} {"outcome",-60} {"seconds",8} {"peak above idle MB",19}");
        foreach (var (name, description, write) in Cases.Where(c => only is null || c.Name == only))
        {
            var path = Path.Combine(folder, name + ".docx");
            if (!File.Exists(path))
            {
                write(path);
            }
            var kb = new FileInfo(path).Length / 1024.0;
            var (exitCode, output, error) = RunChild(path);
            var fields = output.Split('\t');
            if (exitCode == 0 && fields.Length == 3)
            {
                Console.WriteLine($"{name,-26} {kb,10:N0} {fields[0],-60} {double.Parse(fields[1], CultureInfo.InvariantCulture),8:N2} {long.Parse(fields[2], CultureInfo.InvariantCulture) / 1024.0,19:N0}");
            }
            else
            {
                var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
                Console.WriteLine($"{name,-26} {kb,10:N0} {"process died, exit code " + exitCode + ": " + last,-60}");
            }
            Console.WriteLine($"{string.Empty,-26} {description}");
            if (!keep)
            {
                File.Delete(path);
            }
        }
        return 0;
    }

    /// <summary>Child process: reads one file; prints outcome, seconds and the peak resident memory above idle in KB.</summary>
    public static int ReadOnce(string[] args)
    {
        var path = args[0];
        var reader = new DocxReader(Options.Create(new ReaderOptions()));
        GC.Collect();
        var idle = StatusKb("VmRSS");
        var watch = Stopwatch.StartNew();
        string outcome;
        try
        {
            var document = reader.ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None).GetAwaiter().GetResult();
            var characters = document.Blocks.Sum(b => b switch
            {
                ParagraphBlock p => (long)p.Content.Length,
                HeadingBlock h => h.Content.Length,
                ListBlock l => l.Items.Sum(i => (long)i.Length),
                _ => 0,
            });
            outcome = $"read: {document.Blocks.Count:N0} blocks, {characters:N0} characters";
        }
        catch (AnnotationException ex)
        {
            outcome = $"{ex.Reason}: {(ex.Message.Length > 120 ? ex.Message[..120] + "…" : ex.Message)}";
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var peak = StatusKb("VmHWM");
        Console.WriteLine(string.Join('\t', outcome.Replace('\t', ' '),
            seconds.ToString("R", CultureInfo.InvariantCulture), (peak - idle).ToString(CultureInfo.InvariantCulture)));
        return 0;
    }

    private static long StatusKb(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static (int ExitCode, string Output, string Error) RunChild(string path)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet run` the process is the host and the first argument is this assembly.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(DocxHostileBenchmark).Assembly.Location);
        }
        start.ArgumentList.Add(ReadCommand);
        start.ArgumentList.Add(path);
        using var child = Process.Start(start)!;
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return (child.ExitCode, output.Trim().Split('\n').LastOrDefault() ?? string.Empty, error.GetAwaiter().GetResult());
    }

    private static void Nested(TextWriter body, int levels)
    {
        for (var i = 0; i < levels; i++)
        {
            body.Write("<w:tbl><w:tr><w:tc>");
        }
        body.Write("<w:p><w:r><w:t>inside</w:t></w:r></w:p>");
        for (var i = 0; i < levels; i++)
        {
            body.Write("</w:tc></w:tr></w:tbl>");
        }
    }

    private static void Whitespace(TextWriter body, long bytes)
    {
        body.Write("<w:p><w:r><w:t>Before</w:t></w:r></w:p>");
        var spaces = new string(' ', 1024 * 1024);
        for (long written = 0; written < bytes; written += spaces.Length)
        {
            body.Write(spaces);
        }
        body.Write("<w:p><w:r><w:t>After</w:t></w:r></w:p>");
    }

    private static void WhitespaceWithinRatio(TextWriter body, long bytes)
    {
        var random = new Random(42);
        var inText = new string(' ', 50 * 1024);
        var between = new string(' ', 10 * 1024);
        var text = new char[1024];
        for (long written = 0; written < bytes; written += text.Length + inText.Length + between.Length + 60)
        {
            for (var i = 0; i < text.Length; i++)
            {
                text[i] = (char)('a' + random.Next(26));
            }
            body.Write("<w:p><w:r><w:t xml:space=\"preserve\">");
            body.Write(text);
            body.Write(inText);
            body.Write("</w:t></w:r></w:p>");
            body.Write(between);
        }
    }

    private static void PaddedTable(TextWriter body)
    {
        body.Write("<w:tbl><w:tr>");
        for (var i = 0; i < 2_000; i++)
        {
            body.Write($"<w:tc><w:p><w:r><w:t>H{i}</w:t></w:r></w:p></w:tc>");
        }
        body.Write("</w:tr>");
        for (var i = 0; i < 999; i++)
        {
            body.Write($"<w:tr><w:tc><w:p><w:r><w:t>{i}</w:t></w:r></w:p></w:tc></w:tr>");
        }
        body.Write("</w:tbl>");
    }

    private static void DenseParagraphs(TextWriter body, int paragraphs)
    {
        for (var i = 0; i < paragraphs; i++)
        {
            body.Write("<w:p><w:r><w:t>w");
            body.Write(i.ToString(CultureInfo.InvariantCulture));
            body.Write("</w:t></w:r></w:p>");
        }
    }

    /// <summary>About 200 pages: per page a heading, five paragraphs of ~100 words, a short list; every fifth page a 20-row table.</summary>
    private static void WriteReport(string path)
    {
        var random = new Random(7);
        string[] words = ["plant", "scrap", "rate", "budget", "quarter", "supplier", "delivery", "quality", "audit", "line", "shift", "cost", "order", "review", "target"];
        string Sentence(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)])) + ".";
        using var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = word.AddMainDocumentPart();
        var body = new Body();
        for (var page = 1; page <= 200; page++)
        {
            body.Append(new Paragraph(new ParagraphProperties(new OutlineLevel { Val = 0 }), new Run(new Word.Text($"Section {page}"))));
            for (var p = 0; p < 5; p++)
            {
                body.Append(new Paragraph(new Run(new Word.Text(string.Join(' ', Enumerable.Range(0, 8).Select(_ => Sentence(12)))))));
            }
            if (page % 5 == 0)
            {
                var table = new Word.Table();
                for (var r = 0; r < 20; r++)
                {
                    table.Append(new Word.TableRow(Enumerable.Range(0, 4).Select(c =>
                        new TableCell(new Paragraph(new Run(new Word.Text(r == 0 ? $"Column {c}" : (random.NextDouble() * 1000).ToString("F2", CultureInfo.InvariantCulture))))))));
                }
                body.Append(table);
            }
        }
        main.Document = new Word.Document(body);
    }

    /// <summary>A minimal package written as raw bytes, so the body can be as large or as malformed as a case needs.</summary>
    private static void WriteRaw(string path, Action<TextWriter> writeBody)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Entry("[Content_Types].xml", w => w.Write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"));
        Entry("_rels/.rels", w => w.Write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"));
        Entry("word/document.xml", w =>
        {
            w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{W}\"><w:body>");
            writeBody(w);
            w.Write("</w:body></w:document>");
        });

        void Entry(string name, Action<TextWriter> write)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false), 1 << 16);
            write(writer);
        }
    }
}
