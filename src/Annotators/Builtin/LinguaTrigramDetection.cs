using System.Buffers;
using System.Collections;
using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lingua;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Lingua's answer for a text it scores on trigrams alone (120 characters or more once cleaned up, or any text in
/// low-accuracy mode), found the way the library finds it: its clean-up and word split, its rules by script and by
/// characters, its models and its sums. What it leaves out is what the library spends per character and per n-gram: its
/// rules look up each character's script against every alphabet and build a query for the languages with characters of
/// their own, its scoring finds each n-gram's model in a concurrent dictionary and makes a string of the n-gram for every
/// language. On a long document's blocks that is three quarters of its time (docs/BENCHMARKS.md, <i>Language detection
/// without the library's per-character costs</i>).
/// <para>
/// The library's internal steps and model caches are reached with <see cref="UnsafeAccessorAttribute"/>, on the version
/// the project pins (SearchPioneer.Lingua 2.0.0): a test compares every answer with the library's own, in both modes, on
/// texts of the default languages. Where they are missing (another version), <see cref="Available"/> is false and every
/// text is left to the library. A text the library scores on its 1- to 5-letter sequences (a short one in high-accuracy
/// mode) is left to it too.
/// </para>
/// </summary>
internal sealed class LinguaTrigramDetection
{
    // The library scores a cleaned-up text this long or longer on trigrams alone in high-accuracy mode.
    private const int TrigramsOnlyLength = 120;

    private static readonly Language[] NoLanguage = [];

    // What the library's rules know of each language and each script, for the configured languages.
    private readonly Dictionary<Language, HashSet<UnicodeScript>> _scriptsOf = [];
    private readonly Dictionary<UnicodeScript, Language> _oneLanguageScripts = [];
    private readonly Language[] _withUniqueCharacters = [];
    private readonly (string Characters, Language[] Languages)[] _characterRules = [];
    private readonly SearchValues<char> _ruleCharacters = SearchValues.Create("");
    private readonly HashSet<UnicodeScript> _alphabetScripts = [];

    // The languages each character counts for in the script rule, filled in as characters are met (a race writes the
    // same array twice).
    private readonly Language[]?[] _characterLanguages = new Language[]?[char.MaxValue + 1];

    /// <summary>Prepares the rules for <paramref name="languages"/>, the detector's languages.</summary>
    public LinguaTrigramDetection(IReadOnlyCollection<Language> languages)
    {
        try
        {
            // Lingua's alphabets are its scripts under the same names (its internal Alphabet enum, None aside).
            var alphabet = typeof(LanguageDetector).Assembly.GetType("Lingua.Internal.Alphabet", throwOnError: true)!;
            _alphabetScripts = [.. Enum.GetNames(alphabet).Where(n => n != "None").Select(Enum.Parse<UnicodeScript>)];
            var properties = (IDictionary)typeof(LanguageInfo).GetField("LanguageProperties", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
            foreach (DictionaryEntry entry in properties)
            {
                var alphabets = (IEnumerable)entry.Value!.GetType().GetProperty("Alphabets")!.GetValue(entry.Value)!;
                _scriptsOf[(Language)entry.Key] = [.. alphabets.Cast<object>().Select(a => a.ToString()!).Where(a => a != "None").Select(Enum.Parse<UnicodeScript>)];
            }
            // The library's order of alphabets, keeping those only one language (of all it knows) is written in.
            foreach (var script in Enum.GetNames(alphabet).Where(n => n != "None").Select(Enum.Parse<UnicodeScript>))
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
            // Every member the detection reaches, so a missing one shows here rather than in a document.
            const BindingFlags Any = BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance;
            var detector = typeof(LanguageDetector);
            Available = new[] { "CleanUpInputText", "SplitTextIntoWords", "LoadLanguageModel" }.All(m => detector.GetMethod(m, Any) is not null)
                && new[] { "_isLowAccuracyModeEnabled", "_languageModelsDirectory" }.All(f => detector.GetField(f, Any) is not null)
                && SplitTextIntoWords(null, CleanUpInputText(null, " Annotate, ")).SequenceEqual(["annotate"]);
        }
        catch (Exception ex) when (ex is MissingMemberException or TypeLoadException or NullReferenceException or InvalidCastException or ArgumentException)
        {
            Available = false;
        }
    }

    /// <summary>Whether the library's internals were found: false leaves every text to the library.</summary>
    public bool Available { get; }

    /// <summary>
    /// The language the library ranks first for <paramref name="text"/> and its confidence, or null where it finds none
    /// (its first value Unknown or zero), when the library would score the text on trigrams alone; false, with nothing
    /// found, for a text the library scores otherwise (or when <see cref="Available"/> is false): ask the library.
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
        if (cleaned.Length < TrigramsOnlyLength && !lowAccuracy)
        {
            return false;
        }
        // The library's answers in its own order: no letter, nothing; the rules, one language for sure; then the models.
        if (!HasLetter(cleaned))
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
        if (cleaned.Length < 3)
        {
            return true;
        }
        found = Score(cleaned, candidates, languages, LanguageModelsDirectory(detector));
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
        if (Volatile.Read(ref _characterLanguages[character]) is { } known)
        {
            return known;
        }
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
    /// The library's scores: for each candidate, the sum of the logarithms of the text's distinct trigrams' probabilities
    /// (a trigram the model lacks counts by its first two letters, then its first one); the first in the detector's
    /// order of the highest, with its share of the exponentials, or all of it when every exponential is too small to be
    /// told from zero (as on any long text).
    /// </summary>
    private static (Language Language, double Confidence)? Score(string cleaned, List<Language> candidates,
        IReadOnlySet<Language> languages, string modelsDirectory)
    {
        var trigrams = DistinctTrigrams(cleaned);
        var sums = new Dictionary<Language, double>();
        Span<char> trigram = stackalloc char[3];
        foreach (var language in candidates)
        {
            var three = LoadLanguageModel(null, language, 3, modelsDirectory).GetAlternateLookup<ReadOnlySpan<char>>();
            var two = LoadLanguageModel(null, language, 2, modelsDirectory).GetAlternateLookup<ReadOnlySpan<char>>();
            var one = LoadLanguageModel(null, language, 1, modelsDirectory).GetAlternateLookup<ReadOnlySpan<char>>();
            var sum = 0.0;
            foreach (var packed in trigrams)
            {
                (trigram[0], trigram[1], trigram[2]) = ((char)packed, (char)(packed >> 16), (char)(packed >> 32));
                if ((three.TryGetValue(trigram, out var probability) && probability > 0)
                    || (two.TryGetValue(trigram[..2], out probability) && probability > 0)
                    || (one.TryGetValue(trigram[..1], out probability) && probability > 0))
                {
                    sum += Math.Log(probability);
                }
            }
            if (sum < 0)
            {
                sums[language] = sum;
            }
        }
        if (sums.Count == 0)
        {
            return null;
        }
        var total = sums.Values.Sum(Math.Exp);
        if (total == 0)
        {
            // The candidates' order, as the library's maximum takes the first of equals.
            return (sums.MaxBy(s => s.Value).Key, 1.0);
        }
        (Language Language, double Share)? best = null;
        foreach (var language in languages)
        {
            if (sums.TryGetValue(language, out var sum) && (best is null || Math.Exp(sum) / total > best.Value.Share))
            {
                best = (language, Math.Exp(sum) / total);
            }
        }
        return best;
    }

    /// <summary>The distinct runs of three letters within the text's words, each packed in a number, in order of appearance.</summary>
    private static List<ulong> DistinctTrigrams(string text)
    {
        var seen = new HashSet<ulong>();
        var trigrams = new List<ulong>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                i++;
            }
            for (var j = start; j + 3 <= i; j++)
            {
                var packed = text[j] | ((ulong)text[j + 1] << 16) | ((ulong)text[j + 2] << 32);
                if (seen.Add(packed))
                {
                    trigrams.Add(packed);
                }
            }
        }
        return trigrams;
    }

    private static bool HasLetter(string text)
    {
        foreach (var character in text)
        {
            if (char.IsLetter(character))
            {
                return true;
            }
        }
        return false;
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

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "LoadLanguageModel")]
    private static extern FrozenDictionary<string, double> LoadLanguageModel(LanguageDetector? detector, Language language, int length, string directory);

    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "CharsToLanguagesMapping")]
    private static extern ref Dictionary<string, HashSet<Language>> CharactersToLanguages(LanguageDetector? detector);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_isLowAccuracyModeEnabled")]
    private static extern ref bool IsLowAccuracyModeEnabled(LanguageDetector detector);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_languageModelsDirectory")]
    private static extern ref string LanguageModelsDirectory(LanguageDetector detector);
}
