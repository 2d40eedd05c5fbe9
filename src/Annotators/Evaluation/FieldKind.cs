namespace Annotate.Annotators.Evaluation;

/// <summary>How a reference value is compared with the produced one.</summary>
public enum FieldKind
{
    /// <summary>Told from the reference value: a date, an amount (a number with a currency), a number, else a name.</summary>
    Auto,

    /// <summary>A number in any notation (<c>1,234.50</c> = <c>1.234,50</c> = <c>1234.5</c>).</summary>
    Number,

    /// <summary>A number with a currency; the currencies must agree when both state one.</summary>
    Amount,

    /// <summary>A date in a common format, compared as <c>yyyy-MM-dd</c>.</summary>
    Date,

    /// <summary>A name or label: case, diacritics, punctuation and white space set aside.</summary>
    Name,

    /// <summary>Free text: judged by the cosine similarity of its sentence embedding, not by matching.</summary>
    Text,
}
