namespace Annotate.Annotators.Semantic;

/// <summary>Function words of the languages business documents reach us in most; a key phrase neither starts nor ends with one.</summary>
internal static class StopWords
{
    private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        // English
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "either", "few", "for", "from", "further", "had", "has", "have", "having", "he",
        "her", "here", "hers", "him", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "may", "me", "might", "more", "most", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "one",
        "only", "or", "other", "our", "ours", "out", "over", "own", "per", "please", "same", "shall", "she", "should", "so",
        "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those",
        "through", "to", "too", "under", "until", "up", "upon", "us", "very", "via", "was", "we", "were", "what", "when",
        "where", "whether", "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "yes",
        "yet", "you", "your", "yours", "new", "two", "three", "first", "second", "also", "well", "many", "much", "since",
        // German
        "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander", "andere", "anderen", "auch",
        "auf", "aus", "bei", "beim", "bin", "bis", "bist", "da", "damit", "dann", "das", "dass", "dem", "den", "denn", "der",
        "des", "dessen", "die", "dies", "diese", "diesem", "diesen", "dieser", "dieses", "doch", "dort", "du", "durch", "ein",
        "eine", "einem", "einen", "einer", "eines", "er", "es", "etwa", "euch", "für", "gegen", "hat", "hatte", "haben",
        "hier", "hin", "hinter", "ich", "ihr", "ihre", "ihrem", "ihren", "ihrer", "im", "in", "ist", "ja", "jede", "jedem",
        "jeden", "jeder", "kann", "kein", "keine", "mit", "muss", "nach", "nicht", "noch", "nur", "ob", "oder", "ohne",
        "sein", "seine", "sich", "sie", "sind", "so", "soll", "sowie", "über", "um", "und", "uns", "unser", "unter", "vom",
        "von", "vor", "war", "waren", "was", "weil", "wenn", "wer", "werden", "wie", "wir", "wird", "wurde", "wurden",
        "zu", "zum", "zur", "zwischen",
        // French
        "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "elles", "en", "et", "être",
        "eux", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "même", "mes", "moi", "mon",
        "ne", "nos", "notre", "nous", "on", "ou", "où", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son",
        "sont", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "est", "été", "sans",
        "sous", "entre", "plus", "comme", "tout", "tous", "toute", "toutes", "ainsi", "afin", "d", "l", "c", "s", "n", "j",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Spans = Words.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool Contains(string word) => Words.Contains(word);

    public static bool Contains(ReadOnlySpan<char> word) => Spans.Contains(word);
}
