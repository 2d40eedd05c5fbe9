namespace Annotate.Annotators.KeyValues;

/// <summary>What the values of a vocabulary key look like (<see cref="VocabularyKey.Shape"/>, <see cref="KeyVocabulary.Fits"/>).</summary>
public enum ValueShape
{
    /// <summary>A number or a code with a digit in its first two words: <c>100482</c>, <c>PO-4711</c>, <c>DE 123 456 789</c>, <c>+49 30 1234567</c>.</summary>
    Identifier,

    /// <summary>A date, with a digit (<c>15 March 2024</c>, <c>15.03.2024</c>), or a few words (<c>upon receipt</c>, <c>sofort</c>).</summary>
    Date,

    /// <summary>A digit anywhere: an amount (<c>1,190.00 EUR</c>), a bank account after its bank (<c>Sparkasse Berlin, DE89 3704…</c>).</summary>
    Digit,

    /// <summary>A code of 8 to 11 letters and digits in one word (a BIC).</summary>
    Code,

    /// <summary>Three words at most (a currency: <c>EUR</c>, <c>Euro</c>).</summary>
    Short,

    /// <summary>An e-mail address: an <c>@</c>.</summary>
    Email,

    /// <summary>
    /// Text with a letter or a digit that begins with one (or with a quote, a bracket or <c>#</c>): terms, references,
    /// addresses, names; not an option (<c>--location=…</c>), a prompt (<c>$ ls</c>) or a JSON object.
    /// </summary>
    Text,
}
