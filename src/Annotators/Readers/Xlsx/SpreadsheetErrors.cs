namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>The error values a spreadsheet cell can hold.</summary>
internal static class SpreadsheetErrors
{
    private static readonly HashSet<string> Errors = new(StringComparer.Ordinal)
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!",
    };

    public static bool IsError(string? text) => text is not null && Errors.Contains(text);
}
