using System.Runtime.ExceptionServices;
using Annotate.Annotators.Documents;
using UglyToad.PdfPig;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Reads and analyses every page of a PDF once, in page order, on several threads when the document is long.
/// A <see cref="PdfDocument"/> is not thread-safe, so each extra thread opens the file once more (parsing only its
/// cross-reference data and catalog) and reads a contiguous share of the pages with it: each page is still parsed by one
/// thread only, and a font is parsed at most once per thread (pages near each other share fonts, so contiguous shares
/// rarely parse one font on both threads). The result does not depend on the number of threads.
/// </summary>
internal static class PdfPageReader
{
    /// <summary>Fewest pages that make another thread worth its copy of the document.</summary>
    internal const int RunPages = 8;

    /// <summary>
    /// Pages per thread read before the pages are committed in order (a window). Committing bounds what is held before
    /// the positioned-word bound applies, and makes the first failing page in order the one reported, as a sequential
    /// read would.
    /// </summary>
    private const int RunsPerWindow = 8;

    /// <summary>Reads the pages of <paramref name="pdf"/>.</summary>
    /// <param name="pdf">The document as opened; its thread reads pages too.</param>
    /// <param name="openAnother">Opens the same file once more, for another thread; disposed when the read ends.</param>
    /// <param name="threads">Most threads reading pages at once (1: the calling thread alone).</param>
    /// <param name="minPages">Documents with fewer pages are read by the calling thread alone.</param>
    /// <param name="cancellationToken">Checked before every page.</param>
    /// <param name="runPages">Fewest pages per thread (tests make it small to read short files on several threads).</param>
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
            Commit(PdfPageLayout.Analyse(pdf, number), pages, ref words);
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
                var state = new Window(first, last, threads, slots);
                var helpers = new Task[threads - 1];
                for (var thread = 1; thread < threads; thread++)
                {
                    var index = thread;
                    // Each helper opens its copy once, at its first window, on its own thread.
                    helpers[thread - 1] = Task.Run(() => Work(state, index, documents[index] ??= openAnother(), cancellationToken), CancellationToken.None);
                }
                Work(state, 0, pdf, cancellationToken);
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

    /// <summary>
    /// Reads the window's pages: first its own share from the front, one page at a time, then pages taken from the back
    /// of the share with the most left, so all threads finish together while each reads mostly consecutive pages.
    /// A page after one that has failed is left unread.
    /// </summary>
    private static void Work(Window window, int thread, PdfDocument document, CancellationToken cancellationToken)
    {
        while (window.Take(thread) is var number and > 0)
        {
            if (number > Volatile.Read(ref window.FirstFailure))
            {
                continue;
            }
            ref var slot = ref window.Slots[number - window.First];
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                slot.Page = PdfPageLayout.Analyse(document, number);
            }
            catch (Exception ex)
            {
                // Stored, not thrown: the pages before it are committed first and the first failure in page order is
                // reported, the one a sequential read would have met.
                slot.Failure = ExceptionDispatchInfo.Capture(ex);
                InterlockedMin(ref window.FirstFailure, number);
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

    /// <summary>A window's pages cut into one contiguous share per thread; a share is taken from its front by its thread
    /// and from its back by threads that have finished their own.</summary>
    private sealed class Window
    {
        /// <summary>Per share, the next page from the front (low 32 bits) and one past the last page left (high 32 bits).</summary>
        private readonly long[] _shares;

        public Window(int first, int last, int threads, PageSlot[] slots)
        {
            First = first;
            Slots = slots;
            _shares = new long[threads];
            var count = last - first + 1;
            for (var i = 0; i < threads; i++)
            {
                var from = first + (int)((long)count * i / threads);
                var to = first + (int)((long)count * (i + 1) / threads);
                _shares[i] = Pack(from, to);
            }
        }

        public int First { get; }
        public PageSlot[] Slots { get; }
        public int FirstFailure = int.MaxValue;

        /// <summary>The next page for <paramref name="thread"/>, or 0 when every page of the window is taken.</summary>
        public int Take(int thread)
        {
            while (true)
            {
                var own = Volatile.Read(ref _shares[thread]);
                var (next, end) = Unpack(own);
                if (next < end)
                {
                    if (Interlocked.CompareExchange(ref _shares[thread], Pack(next + 1, end), own) == own)
                    {
                        return next;
                    }
                    continue;
                }
                // Own share done: the last page of the share with the most left.
                var richest = -1;
                var most = 0;
                long seen = 0;
                for (var i = 0; i < _shares.Length; i++)
                {
                    var share = Volatile.Read(ref _shares[i]);
                    var (from, to) = Unpack(share);
                    if (to - from > most)
                    {
                        (richest, most, seen) = (i, to - from, share);
                    }
                }
                if (richest < 0)
                {
                    return 0;
                }
                var (head, tail) = Unpack(seen);
                if (Interlocked.CompareExchange(ref _shares[richest], Pack(head, tail - 1), seen) == seen)
                {
                    return tail - 1;
                }
            }
        }

        private static long Pack(int next, int end) => (long)end << 32 | (uint)next;

        private static (int Next, int End) Unpack(long share) => ((int)(share & 0xFFFFFFFF), (int)(share >> 32));
    }
}
