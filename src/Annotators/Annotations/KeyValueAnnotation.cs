using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Annotations;

/// <summary>Label/value pairs found in the layout and the text, and the party that sent the document (annotator <c>key-values</c>).</summary>
public sealed class KeyValueAnnotation
{
    /// <summary>The pairs in document order.</summary>
    public IReadOnlyList<KeyValueItem> Pairs { get; init; } = [];

    /// <summary>The party that sent the document, when it could be told.</summary>
    public IssuerAnnotation? Issuer { get; init; }

    /// <summary>Name of the annotator that produced it.</summary>
    public required string Annotator { get; init; }
}

/// <summary>One label and its value, with the key of the vocabulary the label stands for.</summary>
public sealed record KeyValueItem
{
    /// <summary>Matched: the label is one of the key's names.</summary>
    public const string AliasMatch = "alias";

    /// <summary>Matched: the label's embedding is close enough to one of the key's descriptions.</summary>
    public const string SimilarityMatch = "similarity";

    /// <summary>The label as written, without its colon.</summary>
    public required string Label { get; init; }

    /// <summary>The value as written.</summary>
    public required string Value { get; init; }

    /// <summary>The vocabulary key the label stands for (<c>invoice-number</c>, <c>total</c>…); null when none is close enough (the label is kept raw).</summary>
    public string? Key { get; init; }

    /// <summary>How the key was matched: <c>alias</c> or <c>similarity</c>; null without a key.</summary>
    public string? KeyMatch { get; init; }

    /// <summary>Similarity of the label to the key (1 for an alias).</summary>
    public double? KeyScore { get; init; }

    /// <summary>How label and value stand to each other: <c>inline</c>, <c>beside</c>, <c>below</c>, <c>cell-right</c> or <c>cell-below</c>.</summary>
    public required string Layout { get; init; }

    /// <summary>Where the value is: a page and box, a cell, or a block with offset and length.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Where the label is.</summary>
    public required SourceLocation LabelLocation { get; init; }
}

/// <summary>The party that sent the document and how it was found.</summary>
public sealed record IssuerAnnotation
{
    /// <summary>Found in the header block: the first lines of the first page (a letterhead).</summary>
    public const string HeaderMethod = "header";

    /// <summary>Found in the sender line above the recipient's address (<c>Acme GmbH · Street 1 · 10115 Berlin</c>).</summary>
    public const string SenderLineMethod = "sender-line";

    /// <summary>Found by a label that names the seller (<c>From:</c>, <c>Lieferant:</c>, <c>Fournisseur :</c>).</summary>
    public const string LabelMethod = "label";

    /// <summary>Found by the VAT id the document states for the sender, with the name beside it.</summary>
    public const string VatIdMethod = "vat-id";

    /// <summary>Only the domain of the sender's e-mail address is known.</summary>
    public const string EmailDomainMethod = "email-domain";

    /// <summary>The name of the party, or the e-mail domain when nothing better was found.</summary>
    public required string Name { get; init; }

    /// <summary>The issuer's VAT id, when the document states one that is not the recipient's.</summary>
    public string? VatId { get; init; }

    /// <summary>The domain of the issuer's e-mail address.</summary>
    public string? EmailDomain { get; init; }

    /// <summary>How it was found: <c>header</c>, <c>sender-line</c>, <c>label</c>, <c>vat-id</c> or <c>email-domain</c>.</summary>
    public required string Method { get; init; }

    /// <summary>Where the name (or what it was taken from) is.</summary>
    public required SourceLocation Location { get; init; }
}
