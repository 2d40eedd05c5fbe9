using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lingua;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Lingua's answer for a text, found the way the library finds it: its clean-up and word split, its rules by script and
/// by characters, its models and its sums (on trigrams alone for a text of 120 characters or more once cleaned up, or
/// any text in low-accuracy mode; on 1- to 5-letter sequences for a shorter one in high-accuracy mode). What it leaves
/// out is what the library spends per character and per n-gram: its rules look up each character's script against
/// every alphabet and build a query for the languages with characters of their own, its scoring finds each n-gram's
/// model in a concurrent dictionary, makes a string of the n-gram for every language and takes the logarithm of each
/// probability it finds. Here each character's languages are kept in a table, and the logarithms of the models of up to
/// three letters by packed n-gram beside the library's models (longer ones are looked up in the library's, by span).
/// That is four fifths of the library's time on a long document's blocks (docs/BENCHMARKS.md, <i>Language detection
/// without the library's per-character costs</i>).
/// <para>
/// The library's internal steps and model caches are reached with <see cref="UnsafeAccessorAttribute"/>, on the version
/// the project pins (SearchPioneer.Lingua 2.0.0): a test compares every answer with the library's own, in both modes, on
/// texts of the default languages. Where they are missing (another version), <see cref="Available"/> is false and every
/// text is left to the library.
/// </para>
/// </summary>
internal sealed class LinguaDetection
{
    // The library scores a cleaned-up text this long or longer on trigrams alone in high-accuracy mode.
    private const int TrigramsOnlyLength = 120;
    // The longest n-grams the library has models of.
    private const int MaxLength = 5;

    private static readonly Language[] NoLanguage = [];

    /// <summary>A thread's set and lists of n-grams are kept for the next text only up to this many (a block's sample has a few thousand).</summary>
    private const int MaxKeptNgrams = 1 << 15;

    // The distinct n-grams of the text being scored, one set for each thread (see DistinctNgrams), and their lists by length.
    [ThreadStatic]
    private static HashSet<UInt128>? _seenOnThread;
    [ThreadStatic]
    private static List<UInt128>?[]? _ngramsOnThread;

    // What the library's rules know of each language and each script, for the configured languages.
    private readonly Dictionary<Language, HashSet<UnicodeScript>> _scriptsOf = [];
    private readonly Dictionary<UnicodeScript, Language> _oneLanguageScripts = [];
    private readonly Language[] _withUniqueCharacters = [];
    private readonly (string Characters, Language[] Languages)[] _characterRules = [];
    private readonly SearchValues<char> _ruleCharacters = SearchValues.Create("");
    private readonly HashSet<UnicodeScript> _alphabetScripts = [];

    // The models, by language and n-gram length, read from the library's files on first use and held here instead of
    // in the library's caches (NgramTable), mapped from files so that an idle process gives their pages back.
    private readonly ConcurrentDictionary<(Language Language, int Length), Lazy<NgramTable>> _models = new();

    // The languages each character counts for in the script rule, filled in as characters are met (a race writes the
    // same array twice).
    private readonly Language[]?[] _characterLanguages = new Language[]?[char.MaxValue + 1];

    private readonly string? _tablesFolder;

    /// <summary>
    /// Prepares the rules for <paramref name="languages"/>, the detector's languages; the models' tables are mapped from
    /// files written to <paramref name="tablesFolder"/> (null, or where it cannot be written: held in memory).
    /// </summary>
    public LinguaDetection(IReadOnlyCollection<Language> languages, string? tablesFolder)
    {
        _tablesFolder = tablesFolder;
        try
        {
            // Lingua's alphabets are its scripts under the same names (its internal Alphabet enum, None aside).
            var alphabet = typeof(LanguageDetector).Assembly.GetType("Lingua.Internal.Alphabet", throwOnError: true)!;
            var alphabetScripts = Enum.GetNames(alphabet).Where(n => n != "None").Select(Enum.Parse<UnicodeScript>).ToList();
            _alphabetScripts = [.. alphabetScripts];
            var properties = (IDictionary)typeof(LanguageInfo).GetField("LanguageProperties", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
            foreach (DictionaryEntry entry in properties)
            {
                var alphabets = (IEnumerable)entry.Value!.GetType().GetProperty("Alphabets")!.GetValue(entry.Value)!;
                _scriptsOf[(Language)entry.Key] = [.. alphabets.Cast<object>().Select(a => a.ToString()!).Where(a => a != "None").Select(Enum.Parse<UnicodeScript>)];
            }
            // The library's order of alphabets, keeping those only one language (of all it knows) is written in.
            foreach (var script in alphabetScripts)
            {
                var writtenIn = _scriptsOf.Where(l => l.Value.Contains(script)).Select(l => l.Key).ToList();
                if (writtenIn.Count == 1 && languages.Contains(writtenIn[0]))
                {
                    _oneLanguageScripts[script] = writtenIn[0];
                }
            }
            _withUniqueCharacters = [.. languages.Where(l => !string.IsNullOrWhiteSpace(l.UniqueCharacters()))];
            _characterRules = [.. CharactersToLanguages(null).Select(rule => (rule.Key, rule.Value.ToArray()))];
            _ruleCharacters = SearchValues.Create(string.Concat(_characterRules.Select(rule => rule.Characters)));
            Available = InternalsFound;
        }
        catch (Exception ex) when (ex is MissingMemberException or TypeLoadException or NullReferenceException or InvalidCastException or ArgumentException)
        {
            Available = false;
        }
    }

    /// <summary>Whether the library's internals were found and read: false leaves every text to the library.</summary>
    public bool Available { get; }

    /// <summary>
    /// Whether every internal member of the library this reaches is there (the pinned version has them all), looked for
    /// once, so a missing one shows at start rather than in a document.
    /// </summary>
    internal static bool InternalsFound { get; } = FindInternals();

    private static bool FindInternals()
    {
        const BindingFlags Any = BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance;
        var detector = typeof(LanguageDetector);
        try
        {
            return new[] { "CleanUpInputText", "SplitTextIntoWords", "ReadLanguageModel" }.All(m => detector.GetMethod(m, Any) is not null)
                && new[] { "_isLowAccuracyModeEnabled", "_languageModelsDirectory", "CharsToLanguagesMapping" }.All(f => detector.GetField(f, Any) is not null)
                && detector.Assembly.GetType("Lingua.Internal.Alphabet") is not null
                && typeof(LanguageInfo).GetField("LanguageProperties", Any) is not null
                && SplitTextIntoWords(null, CleanUpInputText(null, " Annotate, ")).SequenceEqual(["annotate"]);
        }
        catch (MissingMemberException)
        {
            return false;
        }
    }

    /// <summary>
    /// The language the library ranks first for <paramref name="text"/> and its confidence, or null where it finds none
    /// (its first value Unknown or zero); asked of the library's public call when <see cref="Available"/> is false.
    /// </summary>
    public (Language Language, double Confidence)? Detect(LanguageDetector detector, string text)
    {
        if (TryDetect(detector, text, out var found))
        {
            return found;
        }
        foreach (var (language, confidence) in detector.ComputeLanguageConfidenceValues(text))
        {
            // Values come sorted, highest first; Unknown or zero means the detector could not decide.
            return language == Language.Unknown || confidence <= 0 ? null : (language, confidence);
        }
        return null;
    }

    /// <summary>
    /// The language the library ranks first for <paramref name="text"/> and its confidence, or null where it finds none
    /// (its first value Unknown or zero); false, with nothing found, when <see cref="Available"/> is false: ask the library.
    /// </summary>
    public bool TryDetect(LanguageDetector detector, string text, out (Language Language, double Confidence)? found)
    {
        found = null;
        if (!Available)
        {
            return false;
        }
        var cleaned = CleanUpInputText(null, text);
        var lowAccuracy = IsLowAccuracyModeEnabled(detector);
        // The library's answers in its own order: no letter, nothing; the rules, one language for sure; then the models.
        if (!TextCounting.HasLetter(cleaned))
        {
            return true;
        }
        var languages = detector.Languages;
        var words = SplitTextIntoWords(null, cleaned);
        var byRules = LanguageByRules(words, languages);
        if (byRules != Language.Unknown)
        {
            found = (byRules, 1.0);
            return true;
        }
        var candidates = FilterByRules(words, languages);
        if (candidates.Count == 1)
        {
            found = (candidates[0], 1.0);
            return true;
        }
        if (lowAccuracy && cleaned.Length < 3)
        {
            return true;
        }
        int[] lengths = cleaned.Length >= TrigramsOnlyLength || lowAccuracy ? [3] : [.. Enumerable.Range(1, Math.Min(cleaned.Length, MaxLength))];
        found = Score(cleaned, candidates, languages, LanguageModelsDirectory(detector), lengths);
        return true;
    }

    /// <summary>The library's first rule: the language most words are written in for sure (by a script or characters only it has).</summary>
    private Language LanguageByRules(List<string> words, IReadOnlySet<Language> languages)
    {
        var verdicts = new Dictionary<Language, int>();
        var perWord = new Dictionary<Language, int>();
        foreach (var word in words)
        {
            perWord.Clear();
            foreach (var character in word)
            {
                foreach (var language in CharacterLanguages(character))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(perWord, language, out _)++;
                }
            }
            var verdict = perWord.Count switch
            {
                0 => Language.Unknown,
                1 when languages.Contains(perWord.Keys.First()) => perWord.Keys.First(),
                1 => Language.Unknown,
                _ => StrictlyFirst(perWord) is { } first && languages.Contains(first) ? first : Language.Unknown,
            };
            CollectionsMarshal.GetValueRefOrAddDefault(verdicts, verdict, out _)++;
        }
        if (verdicts.GetValueOrDefault(Language.Unknown) < 0.5 * words.Count)
        {
            verdicts.Remove(Language.Unknown);
        }
        return verdicts.Count switch
        {
            0 => Language.Unknown,
            1 => verdicts.Keys.First(),
            2 when verdicts.ContainsKey(Language.Chinese) && verdicts.ContainsKey(Language.Japanese) => Language.Japanese,
            _ => StrictlyFirst(verdicts) ?? Language.Unknown,
        };
    }

    /// <summary>The language with the most counts, when no other has as many.</summary>
    private static Language? StrictlyFirst(Dictionary<Language, int> counts)
    {
        var (first, most, second) = (Language.Unknown, -1, -1);
        foreach (var (language, count) in counts)
        {
            if (count > most)
            {
                (first, second, most) = (language, most, count);
            }
            else if (count > second)
            {
                second = count;
            }
        }
        return most > second ? first : null;
    }

    /// <summary>The languages a character counts for in the library's first rule.</summary>
    private Language[] CharacterLanguages(char character)
    {
        return Volatile.Read(ref _characterLanguages[character]) ?? FindCharacterLanguages(character);
    }

    // Apart from the lookup above: a lambda over the character makes its closure on every call of the method it is in.
    private Language[] FindCharacterLanguages(char character)
    {
        var script = character.GetScript();
        Language[] languages;
        if (_oneLanguageScripts.TryGetValue(script, out var only))
        {
            languages = [only];
        }
        else if (script == UnicodeScript.Han)
        {
            languages = [Language.Chinese];
        }
        else if (script is UnicodeScript.Hiragana or UnicodeScript.Katakana)
        {
            languages = [Language.Japanese];
        }
        else if (script is UnicodeScript.Latin or UnicodeScript.Cyrillic or UnicodeScript.Devanagari)
        {
            languages = [.. _withUniqueCharacters.Where(l => l.UniqueCharacters()!.Contains(character))];
        }
        else
        {
            languages = NoLanguage;
        }
        languages = languages.Length == 0 ? NoLanguage : languages;
        Volatile.Write(ref _characterLanguages[character], languages);
        return languages;
    }

    /// <summary>
    /// The library's second rule: the languages written in the alphabet most of the words' letters are in, narrowed to
    /// those whose characters half the words have, in the library's order.
    /// </summary>
    private List<Language> FilterByRules(List<string> words, IReadOnlySet<Language> languages)
    {
        var letters = new Dictionary<UnicodeScript, int>();
        foreach (var word in words)
        {
            // A word counts for an alphabet when all its characters are in that alphabet's script.
            var script = word[0].GetScript();
            if (_alphabetScripts.Contains(script) && AllInScript(word, script))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(letters, script, out _) += word.Length;
            }
        }
        if (letters.Count == 0 || (letters.Count > 1 && letters.Values.Distinct().Count() == 1))
        {
            return [.. languages];
        }
        var mostLetters = letters.MaxBy(l => l.Value).Key;
        var inAlphabet = languages.Where(l => _scriptsOf[l].Contains(mostLetters)).ToHashSet();
        // Each rule's characters found in each word count once for each of the rule's languages in that alphabet.
        var counts = new Dictionary<Language, int>();
        foreach (var (characters, ruleLanguages) in _characterRules)
        {
            var found = 0;
            foreach (var word in words)
            {
                if (word.AsSpan().ContainsAny(_ruleCharacters))
                {
                    foreach (var character in characters)
                    {
                        found += word.Contains(character, StringComparison.Ordinal) ? 1 : 0;
                    }
                }
            }
            if (found > 0)
            {
                foreach (var language in ruleLanguages.Where(inAlphabet.Contains))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, language, out _) += found;
                }
            }
        }
        var half = 0.5 * words.Count;
        var narrowed = counts.Where(c => c.Value >= half).Select(c => c.Key).ToList();
        return narrowed.Count != 0 ? narrowed : [.. inAlphabet];
    }

    /// <summary>
    /// The library's scores: for each candidate and each n-gram length, the sum of the logarithms of the text's distinct
    /// n-grams' probabilities (an n-gram the model lacks counts by its longest prefix the models have); in high-accuracy
    /// mode the sums of the lengths together divided by how many of the text's letters the language's unigram model
    /// has. The first in the detector's order of the highest, with its share of the exponentials, or the best of the
    /// shortest length with all of it when every exponential is too small to be told from zero (as on any long text).
    /// </summary>
    private (Language Language, double Confidence)? Score(string cleaned, List<Language> candidates,
        IReadOnlySet<Language> languages, string modelsDirectory, int[] lengths)
    {
        // The lists of each length, kept by the thread for its next text as the set of n-grams seen is.
        var ngrams = _ngramsOnThread ??= new List<UInt128>?[MaxLength];
        for (var l = 0; l < lengths.Length; l++)
        {
            DistinctNgrams(cleaned, lengths[l], ngrams[l] ??= []);
        }
        // By length and candidate: the sum where it is below zero (the library keeps no other), else zero.
        var sums = new double[lengths.Length, candidates.Count];
        var unigramsFound = new int[candidates.Count];
        Span<char> ngram = stackalloc char[MaxLength];
        for (var c = 0; c < candidates.Count; c++)
        {
            var models = new Models(this, candidates[c], lengths[^1], modelsDirectory);
            for (var l = 0; l < lengths.Length; l++)
            {
                var length = lengths[l];
                var sum = 0.0;
                foreach (var packed in ngrams[l]!)
                {
                    Unpack(packed, ngram[..length]);
                    for (var prefix = length; prefix > 0; prefix--)
                    {
                        if (models.Logarithm(ngram[..prefix]) is { } logarithm)
                        {
                            sum += logarithm;
                            break;
                        }
                    }
                    if (length == 1)
                    {
                        unigramsFound[c] += models.Logarithm(ngram[..1]) is null ? 0 : 1;
                    }
                }
                sums[l, c] = sum < 0 ? sum : 0;
            }
        }
        for (var l = 0; l < lengths.Length; l++)
        {
            if (ngrams[l]!.Count > MaxKeptNgrams)
            {
                ngrams[l] = null;
            }
        }
        var exponentials = new double?[candidates.Count];
        var total = 0.0;
        for (var c = 0; c < candidates.Count; c++)
        {
            var sum = 0.0;
            for (var l = 0; l < lengths.Length; l++)
            {
                sum += sums[l, c];
            }
            if (unigramsFound[c] > 0)
            {
                sum /= unigramsFound[c];
            }
            if (sum != 0)
            {
                exponentials[c] = Math.Exp(sum);
                total += exponentials[c]!.Value;
            }
        }
        if (!exponentials.Any(e => e is not null))
        {
            return null;
        }
        if (total == 0)
        {
            // The library's maximum of the shortest length's sums takes the first of equals in the candidates' order,
            // or the default of none.
            var best = default(Language);
            var highest = double.NegativeInfinity;
            for (var c = 0; c < candidates.Count; c++)
            {
                if (sums[0, c] < 0 && sums[0, c] > highest)
                {
                    (best, highest) = (candidates[c], sums[0, c]);
                }
            }
            return languages.Contains(best) ? (best, 1.0) : null;
        }
        (Language Language, double Share)? first = null;
        foreach (var language in languages)
        {
            if (candidates.IndexOf(language) is var c and >= 0 && exponentials[c] is { } exponential
                && (first is null || exponential / total > first.Value.Share))
            {
                first = (language, exponential / total);
            }
        }
        return first;
    }

    /// <summary>A candidate's models, by n-gram length (the first for one letter).</summary>
    private readonly struct Models
    {
        private readonly NgramTable[] _byLength;

        public Models(LinguaDetection detection, Language language, int longest, string modelsDirectory)
        {
            _byLength = new NgramTable[longest];
            for (var i = 0; i < longest; i++)
            {
                _byLength[i] = detection.Model(language, i + 1, modelsDirectory);
            }
        }

        /// <summary>The logarithm of the n-gram's probability, or null where the model lacks it (or holds it at zero).</summary>
        public double? Logarithm(ReadOnlySpan<char> ngram) => _byLength[ngram.Length - 1].Logarithm(ngram);
    }

    /// <summary>
    /// The model of <paramref name="language"/> for n-grams of <paramref name="length"/> letters, read from the
    /// library's file the first time and held until <see cref="Unload"/>.
    /// </summary>
    private NgramTable Model(Language language, int length, string modelsDirectory) =>
        _models.GetOrAdd((language, length), static (key, directory) => new Lazy<NgramTable>(
            () => NgramTable.From(ReadLanguageModel(null, key.Language, key.Length, directory.Models), directory.Tables)), (Models: modelsDirectory, Tables: _tablesFolder)).Value;

    /// <summary>
    /// Gives back the models read so far (their pages at once, their mappings once collected); the next detection reads
    /// those it needs again.
    /// </summary>
    public void Unload()
    {
        TrimResident();
        _models.Clear();
    }

    /// <summary>
    /// Gives back the resident pages of the models read so far, which stay loaded: the next detection faults in, from the
    /// kernel's file cache, the pages it reads. Returns the bytes advised.
    /// </summary>
    public long TrimResident() =>
        _models.Values.Where(model => model.IsValueCreated).Sum(model => model.Value.DropResident());

    /// <summary>
    /// True when the detections go through these models (<see cref="Available"/>) and every one read so far is mapped
    /// from its file, so that <see cref="TrimResident"/> gives back all they hold but the n-grams kept by text.
    /// </summary>
    public bool AllMapped => Available && _models.Values.All(model => !model.IsValueCreated || model.Value.Mapped);

    /// <summary>The tables read so far (for tests).</summary>
    internal IEnumerable<NgramTable> Tables => _models.Values.Where(model => model.IsValueCreated).Select(model => model.Value);

    /// <summary>
    /// Reads every model the detector's languages can need (one to five letters, or in low-accuracy mode the trigrams and
    /// the shorter ones they fall back to), as the library's preloading would, but held here. Nothing when
    /// <see cref="Available"/> is false.
    /// </summary>
    public void Preload(LanguageDetector detector)
    {
        if (!Available)
        {
            return;
        }
        var longest = IsLowAccuracyModeEnabled(detector) ? 3 : MaxLength;
        var directory = LanguageModelsDirectory(detector);
        Parallel.ForEach(detector.Languages.SelectMany(language => Enumerable.Range(1, longest).Select(length => (language, length))),
            model => Model(model.language, model.length, directory));
    }

    /// <summary>How many models are held (for tests).</summary>
    internal int ModelsHeld => _models.Count;

    /// <summary>
    /// Fills <paramref name="ngrams"/> with the distinct runs of <paramref name="length"/> letters within the text's
    /// words, each packed in a number, in order of appearance.
    /// </summary>
    private static void DistinctNgrams(string text, int length, List<UInt128> ngrams)
    {
        // A set kept by each thread: a new one for each text and length was a tenth of what a long PDF's detection allocated.
        var seen = _seenOnThread ??= [];
        seen.Clear();
        ngrams.Clear();
        var i = 0;
        while (TextCounting.NextLetterRun(text, ref i, out var start))
        {
            for (var j = start; j + length <= i; j++)
            {
                var packed = PackWide(text.AsSpan(j, length));
                if (seen.Add(packed))
                {
                    ngrams.Add(packed);
                }
            }
        }
        if (seen.Count > MaxKeptNgrams)
        {
            _seenOnThread = null;
        }
    }

    private static UInt128 PackWide(ReadOnlySpan<char> letters)
    {
        var packed = UInt128.Zero;
        for (var i = 0; i < letters.Length; i++)
        {
            packed |= (UInt128)letters[i] << (16 * i);
        }
        return packed;
    }

    private static ReadOnlySpan<char> Unpack(UInt128 packed, Span<char> letters)
    {
        for (var i = 0; i < letters.Length; i++)
        {
            letters[i] = (char)(ushort)(packed >> (16 * i));
        }
        return letters;
    }

    private static bool AllInScript(string word, UnicodeScript script)
    {
        foreach (var character in word)
        {
            if (character.GetScript() != script)
            {
                return false;
            }
        }
        return true;
    }

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "CleanUpInputText")]
    private static extern string CleanUpInputText(LanguageDetector? detector, string text);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "SplitTextIntoWords")]
    private static extern List<string> SplitTextIntoWords(LanguageDetector? detector, string text);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "ReadLanguageModel")]
    private static extern FrozenDictionary<string, double> ReadLanguageModel(LanguageDetector? detector, Language language, int length, string directory);

    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "CharsToLanguagesMapping")]
    private static extern ref Dictionary<string, HashSet<Language>> CharactersToLanguages(LanguageDetector? detector);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_isLowAccuracyModeEnabled")]
    private static extern ref bool IsLowAccuracyModeEnabled(LanguageDetector detector);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_languageModelsDirectory")]
    private static extern ref string LanguageModelsDirectory(LanguageDetector detector);
}
