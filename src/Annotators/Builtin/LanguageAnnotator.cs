using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Lingua;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Detects the main language of the document (from its running text, or from a sample of text cells for
/// spreadsheets) and the language of every block long enough to tell, with Lingua restricted to the configured
/// languages.
/// </summary>
public sealed class LanguageAnnotator(LanguageDetectorProvider provider, IOptions<LanguageOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "language";

    // Lingua's cost grows with the text; a few thousand characters decide a language as well as a whole book.
    private const int DocumentSampleCharacters = 10_000;
    // A block weighs in the main language by its letters up to this many characters: a long block counts more than a
    // heading, a chapter no more than a few pages.
    private const int BlockWeightCharacters = 2_000;
    // A table's language comes from its first text cells; rows beyond this are not read for it.
    private const int TableSampleRows = 2_000;
    private const int MaxBlockDetections = 2_000;
    // Fewer detections than this run on the calling thread: starting workers would cost more than they save.
    private const int ParallelDetections = 16;

    private readonly int _minimumLetters = options.Value.MinimumBlockCharacters;
    private readonly int _blockSample = options.Value.BlockSampleCharacters;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 110;

    /// <inheritdoc />
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        using var lease = provider.Acquire();
        var detector = new Detection(lease.Value, provider.LinguaDetection);
        var truncated = false;
        var blocks = context.Document.Blocks;
        var runningText = new StringBuilder();
        var cellText = new StringBuilder();
        // The blocks to detect, in order, with their samples: detected on every core below, then recorded in order.
        var candidates = new List<(int Block, string Sample)>();
        for (var i = 0; i < blocks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = blocks[i];
            var sample = block is TableBlock table ? SampleTable(table, cancellationToken) : Truncate(block.Text, BlockWeightCharacters);
            Append(block is TableBlock ? cellText : runningText, sample);
            if (TextCounting.CountLetters(sample) < _minimumLetters || !HasWord(sample))
            {
                continue;
            }
            // Detected on its first characters, cut at a word's end (where one ends before the limit).
            sample = Sample(sample, _blockSample);
            if (candidates.Count == MaxBlockDetections)
            {
                if (!truncated)
                {
                    truncated = true;
                    // Under the list's lock: this annotator runs alongside the other local ones (RunsAlongside).
                    lock (context.Annotations.Notices)
                    {
                        context.Annotations.Notices.Add(new Notice("block-languages-truncated",
                            $"The language was detected for the first {MaxBlockDetections:N0} blocks only.") { Source = AnnotatorName });
                    }
                }
                continue;
            }
            candidates.Add((i, sample));
        }
        foreach (var (block, found) in DetectAll(detector, candidates, cancellationToken))
        {
            context.Annotations.BlockLanguages.Add(new BlockLanguageAnnotation(block, Code(found.Language), found.Confidence,
                blocks[block].Location with { Block = block }, AnnotatorName));
        }

        var main = MainLanguage(context.Annotations.BlockLanguages, blocks);
        if (main is null)
        {
            // No block was long enough on its own: let the detector judge all the text together.
            // Running text decides; a spreadsheet has none, so its text cells stand in.
            var documentText = TextCounting.CountLetters(runningText.ToString()) >= _minimumLetters ? runningText : runningText.Append(cellText);
            var text = Truncate(documentText.ToString(), DocumentSampleCharacters);
            if (TextCounting.CountLetters(text) < _minimumLetters)
            {
                context.Annotations.Language = null;
                return Task.FromResult(AnnotatorOutcome.Skipped($"too little text to tell the language (fewer than {_minimumLetters} letters)"));
            }
            if (!HasWord(text))
            {
                context.Annotations.Language = null;
                return Task.FromResult(AnnotatorOutcome.Skipped("no word to tell the language from (only addresses, code or symbols)"));
            }
            main = Detect(detector, text);
        }
        context.Annotations.Language = main is { } language
            ? new LanguageAnnotation(Code(language.Language), language.Language.ToString(), language.Confidence, AnnotatorName)
            : null;
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    /// <summary>
    /// The language holding most letters across the blocks, with the letter-weighted confidence of its blocks scaled
    /// by its share of the text: a document that is half English and half German is English with little confidence.
    /// Running Lingua over a mixed document as one text instead lets the minority language's n-grams win.
    /// </summary>
    private static (Language Language, double Confidence)? MainLanguage(List<BlockLanguageAnnotation> found, IReadOnlyList<Block> blocks)
    {
        if (found.Count == 0)
        {
            return null;
        }
        var letters = new Dictionary<string, (double Letters, double WeightedConfidence)>(StringComparer.Ordinal);
        var total = 0.0;
        foreach (var block in found)
        {
            var weight = (double)TextCounting.CountLetters(Truncate(blocks[block.Block].Text, BlockWeightCharacters));
            var current = letters.GetValueOrDefault(block.Code);
            letters[block.Code] = (current.Letters + weight, current.WeightedConfidence + (weight * block.Confidence));
            total += weight;
        }
        var (code, (sum, weighted)) = letters.MaxBy(l => l.Value.Letters);
        var language = LanguageInfo.All().First(l => Code(l) == code);
        return sum <= 0 ? null : (language, Math.Round(weighted / sum * (sum / total), 4));
    }

    /// <summary>
    /// The language of each candidate block that has one, in the blocks' order. A long document has thousands of blocks
    /// (a 500-page PDF: 2,000 detections, seconds of one core), and the detector is thread-safe: the detections run on
    /// every core, each distinct sample's on its own, so the results are those of one detection after another.
    /// </summary>
    private static IEnumerable<(int Block, (Language Language, double Confidence) Found)> DetectAll(Detection detector,
        List<(int Block, string Sample)> candidates, CancellationToken cancellationToken)
    {
        // A sample met again (a running header or footer, a repeated table heading) is detected once: the detector gives
        // the same text the same languages.
        var distinct = new List<string>();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var sampleOf = new int[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!indexOf.TryGetValue(candidates[i].Sample, out var index))
            {
                index = distinct.Count;
                indexOf.Add(candidates[i].Sample, index);
                distinct.Add(candidates[i].Sample);
            }
            sampleOf[i] = index;
        }
        var detected = new (Language Language, double Confidence)?[distinct.Count];
        if (distinct.Count < ParallelDetections || Environment.ProcessorCount == 1)
        {
            for (var i = 0; i < distinct.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                detected[i] = Detect(detector, distinct[i]);
            }
        }
        else
        {
            try
            {
                Parallel.For(0, distinct.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
                    i => detected[i] = Detect(detector, distinct[i]));
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
            {
                // What one detection threw, as a detection on this thread would have thrown it.
                ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
            }
        }
        for (var i = 0; i < candidates.Count; i++)
        {
            if (detected[sampleOf[i]] is { } language)
            {
                yield return (candidates[i].Block, language);
            }
        }
    }

    /// <summary>The detector, and the detection that computes its answers without the library's per-character costs.</summary>
    private readonly record struct Detection(LanguageDetector Detector, LinguaDetection Lingua);

    private static (Language Language, double Confidence)? Detect(Detection detection, string text) =>
        detection.Lingua.Detect(detection.Detector, text) is { } found ? (found.Language, Math.Round(found.Confidence, 4)) : null;

    private static string Code(Language language) => language.IsoCode6391().ToString().ToLowerInvariant();

    private static string SampleTable(TableBlock table, CancellationToken cancellationToken)
    {
        var sample = new StringBuilder();
        var rows = 0;
        foreach (var row in table.Rows)
        {
            if (++rows > TableSampleRows || sample.Length >= BlockWeightCharacters)
            {
                break;
            }
            if (rows % 1000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            foreach (var cell in row.Cells)
            {
                // Only cells with words say anything about the language; codes and numbers would only add noise.
                if (cell.Kind == CellKind.Text && TextCounting.CountLetters(cell.Text) >= 3)
                {
                    Append(sample, cell.Text);
                }
            }
        }
        return Truncate(sample.ToString(), BlockWeightCharacters);
    }

    private static void Append(StringBuilder target, string text)
    {
        if (text.Length == 0 || target.Length >= DocumentSampleCharacters)
        {
            return;
        }
        if (target.Length > 0)
        {
            target.Append('\n');
        }
        target.Append(text.AsSpan(0, Math.Min(text.Length, DocumentSampleCharacters - target.Length)));
    }

    /// <summary>
    /// Whether <paramref name="text"/> has a word: a run between white space that, leaving out punctuation, digits and
    /// invisible format characters, is letters and their combining marks only. Lingua tells a text's script from its
    /// words; a text without one (a web address with <c>=</c> in it, a line of code, a formula) it scores against every
    /// configured language instead, loading the models of every script for it (150 MiB and a second or more for the
    /// twenty default languages, paid by the first document with such a block) to name a language such a text does not
    /// have. Such a text is not detected.
    /// </summary>
    internal static bool HasWord(ReadOnlySpan<char> text)
    {
        var letters = false;
        var other = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                if (letters && !other)
                {
                    return true;
                }
                (letters, other) = (false, false);
                continue;
            }
            if (Rune.IsLetter(rune))
            {
                letters = true;
            }
            // What Lingua leaves out of a word (punctuation, digits) and what belongs to one without being a letter.
            else if (!Rune.IsPunctuation(rune) && !Rune.IsNumber(rune) && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.NonSpacingMark
                         or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format))
            {
                other = true;
            }
        }
        return letters && !other;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    /// <summary>The text's first <paramref name="length"/> characters at most, ending after the last whole word when one ends in the second half.</summary>
    internal static string Sample(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }
        var cut = text.AsSpan(0, length + 1).LastIndexOfAny(' ', '\n', '\t');
        return cut >= length / 2 ? text[..cut] : text[..length];
    }
}
