using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Maps the many exceptions ClosedXML, the ZIP reader and the XML reader throw on damaged files to <c>corrupt</c>.</summary>
internal static class WorkbookErrors
{
    public static AnnotationException Corrupt(string fileName, Exception ex) =>
        new(FailureReason.Corrupt,
            $"'{fileName}' could not be read as a workbook: the file is damaged, truncated or not a valid .xlsx ({Describe(ex)})",
            inner: ex);

    /// <summary>The file is not a ZIP package at all (truncated, or other bytes), so no workbook reader was tried.</summary>
    public static AnnotationException NotAPackage(string fileName, Exception ex) =>
        new(FailureReason.Corrupt,
            $"'{fileName}' could not be read as a workbook: it is not a readable ZIP package, it may be truncated or damaged ({Describe(ex)})",
            inner: ex);

    /// <summary>Both readers failed: the message says what each one said.</summary>
    public static AnnotationException CorruptForBoth(string fileName, Exception closedXml, Exception streaming) =>
        new(FailureReason.Corrupt,
            $"'{fileName}' could not be read as a workbook by either reader: ClosedXML failed ({Describe(closedXml)}) and the streaming reader failed ({Describe(streaming)}); "
            + "the file is damaged, truncated or not a valid .xlsx",
            inner: new AggregateException(closedXml, streaming));

    /// <summary>Type and message of an exception, without paths: messages of file errors name local paths.</summary>
    public static string Describe(Exception ex) =>
        ex is IOException or UnauthorizedAccessException
            ? ex.GetType().Name
            : $"{ex.GetType().Name}: {ex.Message}";

    public static bool IsReadFailure(Exception ex) => ex is not AnnotationException and not OperationCanceledException and not OutOfMemoryException;

    /// <summary>Wraps a lazily read sequence so failures while enumerating it are reported like failures while opening.</summary>
    public static IEnumerable<T> Guard<T>(string fileName, IEnumerable<T> items)
    {
        IEnumerator<T> enumerator;
        try
        {
            enumerator = items.GetEnumerator();
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            throw Corrupt(fileName, ex);
        }
        using (enumerator)
        {
            while (true)
            {
                T current;
                try
                {
                    if (!enumerator.MoveNext())
                    {
                        yield break;
                    }
                    current = enumerator.Current;
                }
                catch (Exception ex) when (IsReadFailure(ex))
                {
                    throw Corrupt(fileName, ex);
                }
                yield return current;
            }
        }
    }
}
