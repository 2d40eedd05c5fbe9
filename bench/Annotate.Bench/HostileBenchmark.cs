using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Annotate.Annotators;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Xlsx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Bench;

/// <summary>
/// Hostile workbooks (a 1.5 GB shared string, 3 GB of whitespace, a million identical rows in a few hundred KB) and a
/// normal 100,000-row control: each is generated, then read in a fresh child process that reports the outcome, the
/// wall time and its peak resident memory (VmHWM) above its idle size. With <c>--pipeline</c> the child runs the whole
/// pipeline (every annotator and writer) instead of reading and enumerating every row once.
/// </summary>
internal static class HostileBenchmark
{
    public const string RunCommand = "hostile-run";

    private sealed record Case(string Name, string Description, Action<string> Generate, bool RatioCheckOff = false, string Extension = ".xlsx")
    {
        /// <summary>Cases that are no workbook run only through the whole pipeline.</summary>
        public bool PipelineOnly => Extension != ".xlsx";
    }

    private static readonly Case[] Cases =
    [
        new("shared-string", "one 1.5 GB shared string", path => SharedStringBomb(path, 1_500_000_000)),
        new("shared-string-ratio-off", "the same, MaxCompressionRatio off", path => SharedStringBomb(path, 1_500_000_000), RatioCheckOff: true),
        new("whitespace", "3 GB of whitespace between two rows", path => Whitespace(path, 3_000_000_000)),
        new("whitespace-ratio-off", "1.9 GB of whitespace, MaxCompressionRatio off", path => Whitespace(path, 1_900_000_000), RatioCheckOff: true),
        new("identical-rows", "1,040,000 identical rows without references", path => IdenticalRows(path, 1_040_000)),
        new("control", "100,000 x 10 normal workbook", path => XlsxBenchmark.Generate(path, 100_000)),
        new("markdown-nesting", "9 MB of Markdown lists nested 3,000 levels deep", path => NestedMarkdown(path, 3_000, 9_000_000), Extension: ".md"),
        new("csv-nul", "20 MB CSV with NUL bytes after its first 64 KB", path => CsvWithNuls(path, 20_000_000), Extension: ".csv"),
    ];

    public static int Run(string[] args)
    {
        var pipeline = args.Contains("--pipeline");
        var keep = args.Contains("--keep");
        var only = args.SkipWhile(a => a != "--case").Skip(1).FirstOrDefault();
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-hostile");
        Directory.CreateDirectory(folder);
        Console.WriteLine($"mode: {(pipeline ? "whole pipeline" : "read + enumerate every row")}");
        Console.WriteLine();
        Console.WriteLine("| case | file | inflates to | outcome | seconds | peak above idle MB |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var test in Cases.Where(c => (only is null || c.Name == only) && (pipeline || !c.PipelineOnly)))
        {
            var path = Path.Combine(folder, test.Name + test.Extension);
            if (!File.Exists(path))
            {
                test.Generate(path);
            }
            long inflated = new FileInfo(path).Length;
            if (!test.PipelineOnly)
            {
                using var zip = ZipFile.OpenRead(path);
                inflated = zip.Entries.Sum(e => e.Length);
            }
            var line = RunChild(path, test.RatioCheckOff, pipeline);
            var f = (line ?? "crashed\t0\t0").Split('\t');
            Console.WriteLine($"| {test.Name}: {test.Description} | {Size(new FileInfo(path).Length)} | {Size(inflated)} | {f[0]} | {double.Parse(f[1], CultureInfo.InvariantCulture):N1} | {long.Parse(f[2], CultureInfo.InvariantCulture) / 1048576.0:N0} |");
            if (!keep)
            {
                File.Delete(path);
            }
        }
        return 0;
    }

    /// <summary>Child process: warms up on a tiny workbook, notes its resident size, then reads the case and prints outcome, seconds, peak above idle.</summary>
    public static int RunOnce(string[] args)
    {
        var path = args[0];
        var ratioOff = args[1] == "ratio-off";
        var pipeline = args[2] == "pipeline";
        var options = new ReaderOptions { MaxCompressionRatio = ratioOff ? int.MaxValue : new ReaderOptions().MaxCompressionRatio };
        var folder = Path.Combine(Path.GetTempPath(), "annotate-bench-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var warm = Path.Combine(folder, "warm.xlsx");
            XlsxBenchmark.Generate(warm, 200);
            Func<string, Task<string>> run = pipeline ? PipelineRunner(options, folder) : ReaderRunner(options);
            run(warm).GetAwaiter().GetResult();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var idle = Status("VmRSS");
            ResetPeak();
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                outcome = run(path).GetAwaiter().GetResult();
            }
            catch (AnnotationException ex)
            {
                outcome = $"failed {ex.Reason}: {ex.Message}";
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var peak = Status("VmHWM");
            Console.WriteLine(string.Join('\t', outcome.Replace('\t', ' ').Replace('|', '/'), seconds.ToString("R", CultureInfo.InvariantCulture),
                Math.Max(0, peak - idle).ToString(CultureInfo.InvariantCulture)));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Func<string, Task<string>> ReaderRunner(ReaderOptions options) => async path =>
    {
        var reader = new XlsxReader(Options.Create(options));
        var document = await reader.ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);
        long rows = 0;
        foreach (var table in document.Blocks.OfType<TableBlock>())
        {
            foreach (var row in table.Rows)
            {
                rows += row.Cells.Count > 0 ? 1 : 0;
            }
        }
        return Completed(document, rows);
    };

    private static Func<string, Task<string>> PipelineRunner(ReaderOptions options, string folder)
    {
        var settings = new Dictionary<string, string?>
        {
            [ReaderOptions.Section + ":" + nameof(ReaderOptions.MaxCompressionRatio)] = options.MaxCompressionRatio.ToString(CultureInfo.InvariantCulture),
        };
        var pipeline = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Error))
            .AddAnnotators()
            .BuildServiceProvider()
            .GetRequiredService<IDocumentPipeline>();
        return async path =>
        {
            var result = await pipeline.RunAsync(new AnnotationRequest
            {
                DocumentId = Guid.NewGuid().ToString("N"),
                Source = new DocumentSource(path, Path.GetFileName(path)),
                OutputDirectory = Path.Combine(folder, "out-" + Guid.NewGuid().ToString("N")),
            }, CancellationToken.None);
            var notices = result.Annotations.Notices.Select(n => n.Code).Distinct().ToList();
            return $"completed ({result.Document.Format.ToString().ToLowerInvariant()}{(result.Document.Properties.Reader is { } reader ? ", " + reader : "")}, "
                + $"{result.Document.Sheets.Sum(s => s.RowCount):N0} rows, {result.Outputs.Count} outputs{(notices.Count > 0 ? ", notices: " + string.Join(' ', notices) : "")})";
        };
    }

    /// <summary>A list item indented one level deeper on every line, repeated until the file reaches its size.</summary>
    private static void NestedMarkdown(string path, int levels, long bytes)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        long written = 0;
        for (var round = 0; written < bytes; round++)
        {
            for (var level = 0; level < levels && written < bytes; level++)
            {
                var line = new string(' ', level * 2) + $"- item {round}.{level}\n";
                writer.Write(line);
                written += line.Length;
            }
        }
    }

    /// <summary>An ordinary CSV whose cells start carrying NUL bytes after the first 64 KB.</summary>
    private static void CsvWithNuls(string path, long bytes)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.Write("id,name,amount,note\n");
        long written = 0;
        for (var row = 0; written < bytes; row++)
        {
            var note = written > 65_536 && row % 7 == 0 ? "bad\0byte" : "fine";
            var line = $"{row},Customer {row % 997},{row % 1000}.50,{note}\n";
            writer.Write(line);
            written += line.Length;
        }
    }

    private static string Completed(Document document, long rows)
    {
        var notices = document.Notices.Select(n => n.Code).Distinct().ToList();
        return $"completed ({document.Properties.Reader}, {rows:N0} rows{(notices.Count > 0 ? ", notices: " + string.Join(' ', notices) : "")})";
    }

    private static string? RunChild(string path, bool ratioOff, bool pipeline)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet run` the process is the host and the first argument is this assembly.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(HostileBenchmark).Assembly.Location);
        }
        start.ArgumentList.Add(RunCommand);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(ratioOff ? "ratio-off" : "ratio-on");
        start.ArgumentList.Add(pipeline ? "pipeline" : "read");
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return child.ExitCode == 0 ? output.Trim().Split('\n').LastOrDefault() : null;
    }

    /// <summary>A line of /proc/self/status in bytes (the kernel reports kB).</summary>
    private static long Status(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    /// <summary>Resets VmHWM to the current size (Linux: write 5 to clear_refs), so the peak is the case's own, not the warm-up's.</summary>
    private static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>A minimal package around a sheet part and an optional shared strings part, both written by callbacks.</summary>
    private static void Package(string path, Action<TextWriter> sheet, Action<TextWriter>? sharedStrings)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Entry(string name, Action<TextWriter> write)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false), 1 << 16);
            write(writer);
        }
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        Entry("[Content_Types].xml", w => w.Write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + (sharedStrings is null ? "" : "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>")
            + "</Types>"));
        Entry("_rels/.rels", w => w.Write(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"));
        Entry("xl/_rels/workbook.xml.rels", w => w.Write(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
            + $"<Relationship Id=\"rId2\" Type=\"{rel}/styles\" Target=\"styles.xml\"/>"
            + (sharedStrings is null ? "" : $"<Relationship Id=\"rId3\" Type=\"{rel}/sharedStrings\" Target=\"sharedStrings.xml\"/>")
            + "</Relationships>"));
        Entry("xl/workbook.xml", w => w.Write(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{Main}\" xmlns:r=\"{rel}\"><sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"));
        Entry("xl/styles.xml", w => w.Write(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"{Main}\"><fonts count=\"1\"><font/></fonts><fills count=\"1\"><fill/></fills><borders count=\"1\"><border/></borders>"
            + "<cellStyleXfs count=\"1\"><xf/></cellStyleXfs><cellXfs count=\"1\"><xf/></cellXfs></styleSheet>"));
        Entry("xl/worksheets/sheet1.xml", sheet);
        if (sharedStrings is not null)
        {
            Entry("xl/sharedStrings.xml", sharedStrings);
        }
    }

    private static void Repeat(TextWriter writer, char c, long count)
    {
        var chunk = new string(c, 1 << 20);
        for (var left = count; left > 0; left -= chunk.Length)
        {
            writer.Write(chunk.AsSpan(0, (int)Math.Min(left, chunk.Length)));
        }
    }

    private static void SharedStringBomb(string path, long characters) => Package(path,
        w => w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{Main}\"><sheetData>"
            + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Note</t></is></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>"),
        w =>
        {
            w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{Main}\" count=\"1\" uniqueCount=\"1\"><si><t>");
            Repeat(w, 'a', characters);
            w.Write("</t></si></sst>");
        });

    private static void Whitespace(string path, long spaces) => Package(path,
        w =>
        {
            w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{Main}\"><sheetData>"
                + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Item</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Qty</t></is></c></row>");
            Repeat(w, ' ', spaces);
            w.Write("<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>widget</t></is></c><c r=\"B2\"><v>1</v></c></row></sheetData></worksheet>");
        },
        sharedStrings: null);

    private static void IdenticalRows(string path, int rows) => Package(path,
        w =>
        {
            w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{Main}\"><sheetData>"
                + "<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c></row>");
            for (var i = 0; i < rows; i++)
            {
                w.Write("<row><c t=\"s\"><v>3</v></c><c><v>42</v></c><c t=\"s\"><v>4</v></c></row>");
            }
            w.Write("</sheetData></worksheet>");
        },
        w => w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{Main}\"><si><t>Item</t></si><si><t>Qty</t></si><si><t>Note</t></si><si><t>widget</t></si><si><t>same as above</t></si></sst>"));

    private static string Size(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("N2", CultureInfo.InvariantCulture) + " GiB"
        : bytes >= 1 << 20 ? (bytes / 1048576.0).ToString("N1", CultureInfo.InvariantCulture) + " MiB" : (bytes / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " KiB";
}
