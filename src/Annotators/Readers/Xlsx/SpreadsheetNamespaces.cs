namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>The SpreadsheetML main namespace in its two flavours: transitional and ISO/IEC 29500 Strict.</summary>
internal static class SpreadsheetNamespaces
{
    public const string Transitional = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    public const string Strict = "http://purl.oclc.org/ooxml/spreadsheetml/main";

    /// <summary>True for either flavour, or no namespace at all (some generators omit it).</summary>
    public static bool IsMain(string namespaceUri) =>
        namespaceUri.Length == 0 || namespaceUri == Transitional || namespaceUri == Strict;

    /// <summary>True for a relationships namespace (<c>r:id</c>), transitional or strict.</summary>
    public static bool IsRelationships(string namespaceUri) =>
        namespaceUri is "http://schemas.openxmlformats.org/officeDocument/2006/relationships" or "http://purl.oclc.org/ooxml/officeDocument/relationships";
}
