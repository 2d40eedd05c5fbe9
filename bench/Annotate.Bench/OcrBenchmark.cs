using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Ocr;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Bench;

/// <summary>
/// OCR: pages per second per core through Annotate's path (a scanned PDF read by <see cref="PdfReader"/>: each page
/// rendered with pdftoppm, recognised with Tesseract under its limits, converted to blocks and words) against
/// <c>tesseract</c> run by hand on the same pages already rendered, in interleaved rounds; and the share of the
/// generated pages' words OCR gives back.
/// </summary>
internal static class OcrBenchmark
{
    private static readonly string[] Vocabulary =
    [
        "invoice", "payment", "delivery", "customer", "contract", "amount", "quarter", "harbour", "warehouse", "Bristol",
        "Thursday", "pallets", "services", "consulting", "travel", "expenses", "approved", "supplier", "schedule", "budget",
        "meeting", "minutes", "account", "balance", "receipt", "shipment", "order", "number", "total", "due",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var pages = Option(args, "--pages", 4);
        var rounds = Option(args, "--rounds", 3);
        var dpi = Option(args, "--dpi", 300);
        // --jpeg: the scan's pages stored as JPEG streams (pdftoppm writes three components even with -gray), as most scanners write them (default: deflated gray samples).
        var jpeg = args.Contains("--jpeg");
        var folder = Directory.CreateTempSubdirectory("annotate-ocr-bench-");
        try
        {
            var random = new Random(13);
            var truth = Enumerable.Range(0, pages).Select(_ => Enumerable.Range(0, 24)
                .Select(_ => string.Join(' ', Enumerable.Range(0, 6).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]))).ToList()).ToList();
            var text = Path.Combine(folder.FullName, "text.pdf");
            TextPdf(text, truth);
            var images = new List<string>();
            for (var page = 1; page <= pages; page++)
            {
                images.Add(Render(text, page, dpi, Path.Combine(folder.FullName, $"page-{page}")));
            }
            var scan = Path.Combine(folder.FullName, "scan.pdf");
            ScanPdf(scan, images, dpi, jpeg ? page => RenderJpeg(text, page, dpi, Path.Combine(folder.FullName, $"jpeg-{page}")) : null);
            // By hand, Tesseract reads the pages as Annotate renders them from the scan: the same pixels, so the
            // difference is rendering and orchestration only.
            images = Enumerable.Range(1, pages).Select(page => Render(scan, page, dpi, Path.Combine(folder.FullName, $"scan-{page}"))).ToList();

            var ocr = new TesseractOcr(Options.Create(new OcrOptions { Dpi = dpi, Languages = ["en"], Deskew = !args.Contains("--no-deskew") }), Options.Create(new LanguageOptions()), NullLogger<TesseractOcr>.Instance);
            var reader = new PdfReader(NullLogger<PdfReader>.Instance, ocr);
            var tesseract = Environment.GetEnvironmentVariable("TESSERACT") ?? "tesseract";

            Console.WriteLine($"{pages} page(s) of 24 lines × 6 words at {dpi} dpi, {rounds} interleaved round(s), one core each, scan stored as {(jpeg ? "JPEG" : "deflated gray samples")}");
            Console.WriteLine("CPU s: this process and every child process it waited for (getrusage), so other load on the machine does not count");
            Console.WriteLine();
            Console.WriteLine("| round | Annotate wall s | by hand wall s | Annotate CPU s | by hand CPU s | of which .NET s | Annotate pages/CPU-s | by hand pages/CPU-s | CPU ratio |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            var ratios = new List<double>();
            double accuracy = 0;
            // One unmeasured run of each warms the page cache and Tesseract's model files.
            await reader.ReadAsync(new DocumentSource(scan, "scan.pdf"), CancellationToken.None);
            ByHand(tesseract, images[0], dpi);
            for (var round = 1; round <= rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var cpu = CpuSeconds();
                var own = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
                var document = await reader.ReadAsync(new DocumentSource(scan, "scan.pdf"), CancellationToken.None);
                var (annotate, annotateCpu) = (clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
                own = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - own;
                clock.Restart();
                cpu = CpuSeconds();
                foreach (var image in images)
                {
                    ByHand(tesseract, image, dpi);
                }
                var (byHand, byHandCpu) = (clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
                ratios.Add(annotateCpu / byHandCpu);
                accuracy = Accuracy(truth, document.PageWords.Select(p => p.Words.Select(w => w.Text).ToList()).ToList());
                if (accuracy < 0.9)
                {
                    Console.WriteLine($"word accuracy {accuracy:P1}; notices: {string.Join(" | ", document.Notices.Select(n => n.Code + ": " + n.Message))}");
                }
                Console.WriteLine($"| {round} | {annotate:F2} | {byHand:F2} | {annotateCpu:F2} | {byHandCpu:F2} | {own:F2} | {pages / annotateCpu:F3} | {pages / byHandCpu:F3} | {annotateCpu / byHandCpu:F3} |");
            }
            ratios.Sort();
            Console.WriteLine();
            Console.WriteLine($"median CPU ratio (Annotate ÷ by hand): {ratios[ratios.Count / 2]:F3}; word accuracy: {accuracy:P2} of {truth.Sum(p => p.Sum(l => l.Split(' ').Length))} words");
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>CPU seconds of this process and of the child processes it has waited for (user and system).</summary>
    private static double CpuSeconds()
    {
        var children = new long[18];
        if (GetRusage(-1, children) != 0)
        {
            throw new InvalidOperationException("getrusage failed");
        }
        // struct rusage starts with ru_utime and ru_stime, each a timeval of seconds and microseconds (64-bit Linux).
        var childSeconds = children[0] + (children[1] / 1e6) + children[2] + (children[3] / 1e6);
        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds + childSeconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, long[] usage);

    /// <summary>Share of each page's words found among the words OCR read on that page (each found word counted once).</summary>
    private static double Accuracy(List<List<string>> truth, List<List<string>> read)
    {
        int expected = 0, found = 0;
        for (var page = 0; page < truth.Count; page++)
        {
            var bag = (page < read.Count ? read[page] : []).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
            foreach (var word in truth[page].SelectMany(l => l.Split(' ')))
            {
                expected++;
                if (bag.TryGetValue(word, out var left) && left > 0)
                {
                    bag[word] = left - 1;
                    found++;
                }
            }
        }
        return (double)found / expected;
    }

    /// <summary>Tesseract as a user runs it on a rendered page: the same arguments Annotate passes, TSV to standard output.</summary>
    private static void ByHand(string tesseract, string image, int dpi)
    {
        var start = new ProcessStartInfo(tesseract) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { image, "stdout", "-l", "eng", "--psm", "1", "--dpi", dpi.ToString(CultureInfo.InvariantCulture), "tsv" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OMP_THREAD_LIMIT"] = "1";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("tesseract failed: " + errors.Result);
        }
    }

    private static string Render(string pdf, int page, int dpi, string prefix)
    {
        var start = new ProcessStartInfo("pdftoppm") { UseShellExecute = false };
        foreach (var argument in new[] { "-f", $"{page}", "-l", $"{page}", "-r", $"{dpi}", "-gray", "-singlefile", pdf, prefix })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return prefix + ".pgm";
    }

    /// <summary>An A4 PDF per page of lines in 11-point Helvetica.</summary>
    private static void TextPdf(string path, List<List<string>> pages)
    {
        var objects = new List<string> { "<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>" };
        var kids = new List<string>();
        foreach (var lines in pages)
        {
            var content = string.Concat(lines.Select((line, i) => $"BT /F1 11 Tf 60 {780 - (i * 28)} Td ({line}) Tj ET\n"));
            kids.Add($"{objects.Count + 1} 0 R");
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {objects.Count + 2} 0 R >>");
            objects.Add($"<< /Length {content.Length} >>\nstream\n{content}\nendstream");
        }
        objects[1] = $"<< /Type /Pages /Kids [{string.Join(' ', kids)}] /Count {pages.Count} >>";
        WritePdf(path, objects.Select(o => Encoding.ASCII.GetBytes(o)).ToList());
    }

    /// <summary>The rendered pages back in a PDF as images only, as a scanner writes them.</summary>
    private static byte[] RenderJpeg(string pdf, int page, int dpi, string prefix)
    {
        var start = new ProcessStartInfo("pdftoppm") { UseShellExecute = false };
        foreach (var argument in new[] { "-f", $"{page}", "-l", $"{page}", "-r", $"{dpi}", "-gray", "-jpeg", "-singlefile", pdf, prefix })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return File.ReadAllBytes(prefix + ".jpg");
    }

    private static void ScanPdf(string path, List<string> images, int dpi, Func<int, byte[]>? jpegOf)
    {
        var objects = new List<byte[]> { "<< /Type /Catalog /Pages 2 0 R >>"u8.ToArray(), Array.Empty<byte>() };
        var kids = new List<string>();
        foreach (var image in images)
        {
            var bytes = File.ReadAllBytes(image);
            var header = Encoding.ASCII.GetString(bytes, 0, 40).Split((char[])['\n', ' '], 5);
            var (width, height) = (int.Parse(header[1], CultureInfo.InvariantCulture), int.Parse(header[2], CultureInfo.InvariantCulture));
            var pixels = bytes[^(width * height)..];
            using var packed = new MemoryStream();
            if (jpegOf is null)
            {
                using var zlib = new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true);
                zlib.Write(pixels);
            }
            else
            {
                packed.Write(jpegOf(kids.Count + 1));
            }
            var filter = jpegOf is null ? "FlateDecode" : "DCTDecode";
            var size = string.Create(CultureInfo.InvariantCulture, $"{width * 72.0 / dpi:0.###} {height * 72.0 / dpi:0.###}");
            var id = objects.Count + 1;
            kids.Add($"{id} 0 R");
            var draw = $"q {size.Replace(" ", " 0 0 ")} 0 0 cm /I Do Q";
            objects.Add(Encoding.ASCII.GetBytes($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size}] /Resources << /XObject << /I {id + 1} 0 R >> >> /Contents {id + 2} 0 R >>"));
            objects.Add([.. Encoding.ASCII.GetBytes($"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /{(jpegOf is null ? "DeviceGray" : "DeviceRGB")} /BitsPerComponent 8 /Filter /{filter} /Length {packed.Length} >>\nstream\n"), .. packed.ToArray(), .. "\nendstream"u8.ToArray()]);
            objects.Add(Encoding.ASCII.GetBytes($"<< /Length {draw.Length} >>\nstream\n{draw}\nendstream"));
        }
        objects[1] = Encoding.ASCII.GetBytes($"<< /Type /Pages /Kids [{string.Join(' ', kids)}] /Count {images.Count} >>");
        WritePdf(path, objects);
    }

    private static void WritePdf(string path, List<byte[]> objects)
    {
        using var file = File.Create(path);
        var offsets = new List<long>();
        file.Write("%PDF-1.4\n"u8);
        foreach (var (body, index) in objects.Select((o, i) => (o, i)))
        {
            offsets.Add(file.Position);
            file.Write(Encoding.ASCII.GetBytes($"{index + 1} 0 obj\n"));
            file.Write(body);
            file.Write("\nendobj\n"u8);
        }
        var xref = file.Position;
        var table = new StringBuilder($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        offsets.ForEach(o => table.Append(CultureInfo.InvariantCulture, $"{o:D10} 00000 n \n"));
        table.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        file.Write(Encoding.ASCII.GetBytes(table.ToString()));
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
