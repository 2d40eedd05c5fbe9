using System.Runtime.ExceptionServices;
using Annotate.Annotators.Documents;
using UglyToad.PdfPig;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Reads and analyses every page of a PDF once, in page order, on several threads when the document is long.
/// A <see cref="PdfDocument"/> is not thread-safe, so each extra thread opens the file once more (parsing only its
/// cross-reference data and catalog) and reads whole runs of pages with it: each page is still parsed by one thread only,
/// and a font is parsed at most once per thread. The result does not depend on the number of threads.
/// </summary>
internal static class PdfPageReader
{
    /// <summary>
    /// Pages a thread takes at a time: consecutive pages share fonts, which each thread's document parses once, and
    /// threads fetch runs rather than pages so they rarely meet on the shared counter.
    /// </summary>
    internal const int RunPages = 8;

    /// <summary>
    /// Runs read before the pages are committed in order. Committing bounds what is held before the positioned-word
    /// bound applies, and makes the first failing page in order the one reported, as a sequential read would.
    /// </summary>
    private const int RunsPerWindow = 8;

    /// <summary>Reads the pages of <paramref name="pdf"/>.</summary>
    /// <param name="pdf">The document as opened; its thread reads pages too.</param>
    /// <param name="openAnother">Opens the same file once more, for another thread; disposed when the read ends.</param>
    /// <param name="threads">Most threads reading pages at once (1: the calling thread alone).</param>
    /// <param name="minPages">Documents with fewer pages are read by the calling thread alone.</param>
    /// <param name="cancellationToken">Checked before every page.</param>
    /// <param name="runPages">Pages a thread takes at a time (tests make it small to read short files on several threads).</param>
    public static List<PdfPageText> Read(PdfDocument pdf, Func<PdfDocument> openAnother, int threads, int minPages,
        CancellationToken cancellationToken, int runPages = RunPages)
    {
        var count = pdf.NumberOfPages;
        var useful = Math.Min(threads, (count + runPages - 1) / runPages);
        return count < minPages || useful <= 1
            ? Sequential(pdf, cancellationToken)
            : Parallel(pdf, openAnother, useful, runPages, cancellationToken);
    }

    private static List<PdfPageText> Sequential(PdfDocument pdf, CancellationToken cancellationToken)
    {
        var pages = new List<PdfPageText>(pdf.NumberOfPages);
        var words = 0;
        for (var number = 1; number <= pdf.NumberOfPages; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Commit(PdfPageLayout.Analyse(pdf.GetPage(number)), pages, ref words);
        }
        return pages;
    }

    /// <summary>Past the bound a page keeps its text but not its word boxes, so a huge file is not held twice.</summary>
    private static void Commit(PdfPageText page, List<PdfPageText> pages, ref int words)
    {
        words += page.Words.Count;
        pages.Add(words > Document.MaxPositionedWords ? page with { Words = [] } : page);
    }

    private static List<PdfPageText> Parallel(PdfDocument pdf, Func<PdfDocument> openAnother, int threads, int runPages,
        CancellationToken cancellationToken)
    {
        var count = pdf.NumberOfPages;
        var pages = new List<PdfPageText>(count);
        var documents = new PdfDocument?[threads];
        documents[0] = pdf;
        var window = runPages * RunsPerWindow * threads;
        var slots = new PageSlot[Math.Min(window, count)];
        var words = 0;
        try
        {
            for (var first = 1; first <= count; first += window)
            {
                var last = Math.Min(count, first + window - 1);
                var state = new Window(first, last, runPages, slots);
                var helpers = new Task[threads - 1];
                for (var thread = 1; thread < threads; thread++)
                {
                    var index = thread;
                    // Each helper opens its copy once, at its first window, on its own thread.
                    helpers[thread - 1] = Task.Run(() => Work(state, documents[index] ??= openAnother(), cancellationToken), CancellationToken.None);
                }
                Work(state, pdf, cancellationToken);
                try
                {
                    Task.WaitAll(helpers, CancellationToken.None);
                }
                catch (AggregateException ex)
                {
                    // Only opening the copy can fault a helper (pages keep their own failures): the file is the same, so
                    // this is the reason the file cannot be read.
                    ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
                }
                for (var number = first; number <= last; number++)
                {
                    ref var slot = ref slots[number - first];
                    if (slot.Failure is { } failure)
                    {
                        failure.Throw();
                    }
                    Commit(slot.Page!, pages, ref words);
                    slot = default;
                }
            }
            return pages;
        }
        finally
        {
            foreach (var document in documents.Skip(1))
            {
                document?.Dispose();
            }
        }
    }

    /// <summary>Takes runs of the window's pages until none is left, or until a page before the next run has failed.</summary>
    private static void Work(Window window, PdfDocument document, CancellationToken cancellationToken)
    {
        while (true)
        {
            var start = window.First + (Interlocked.Increment(ref window.NextRun) - 1) * window.RunPages;
            if (start > window.Last || start > Volatile.Read(ref window.FirstFailure))
            {
                return;
            }
            for (var number = start; number <= Math.Min(window.Last, start + window.RunPages - 1); number++)
            {
                ref var slot = ref window.Slots[number - window.First];
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    slot.Page = PdfPageLayout.Analyse(document.GetPage(number));
                }
                catch (Exception ex)
                {
                    // Stored, not thrown: the pages before it are committed first and the first failure in page order is
                    // reported, the one a sequential read would have met.
                    slot.Failure = ExceptionDispatchInfo.Capture(ex);
                    InterlockedMin(ref window.FirstFailure, number);
                    break;
                }
            }
        }
    }

    private static void InterlockedMin(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private struct PageSlot
    {
        public PdfPageText? Page;
        public ExceptionDispatchInfo? Failure;
    }

    private sealed class Window(int first, int last, int runPages, PageSlot[] slots)
    {
        public int First { get; } = first;
        public int Last { get; } = last;
        public int RunPages { get; } = runPages;
        public PageSlot[] Slots { get; } = slots;
        public int NextRun;
        public int FirstFailure = int.MaxValue;
    }
}
