namespace Annotate.Annotators.Documents;

/// <summary>A format Annotate reads, detected from the bytes.</summary>
public enum SourceFormat
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>Portable Document Format.</summary>
    Pdf,
    /// <summary>Office Open XML workbook.</summary>
    Xlsx,
    /// <summary>Comma-, semicolon- or tab-separated values.</summary>
    Csv,
    /// <summary>Office Open XML word-processing document.</summary>
    Docx,
    /// <summary>Plain text.</summary>
    Text,
    /// <summary>Markdown text.</summary>
    Markdown,
    /// <summary>Office Open XML slide deck.</summary>
    Pptx,
    /// <summary>A web page (HTML).</summary>
    Html,
    /// <summary>A PNG image, read with OCR.</summary>
    Png,
    /// <summary>A JPEG image, read with OCR.</summary>
    Jpeg,
    /// <summary>A TIFF image, one or more pages, read with OCR.</summary>
    Tiff,
    /// <summary>An e-mail message (RFC 5322 with MIME, <c>.eml</c>); its attachments become documents of their own.</summary>
    Eml,
    /// <summary>A ZIP archive of documents (not an Office package); its entries become documents of their own.</summary>
    Zip,
}
