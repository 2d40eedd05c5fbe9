using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Maps the many exceptions ClosedXML and the OpenXml SDK throw on damaged files to <c>corrupt</c>.</summary>
internal static class WorkbookErrors
{
    public static AnnotationException Corrupt(string fileName, Exception ex) =>
        new(FailureReason.Corrupt,
            $"'{fileName}' could not be read as a workbook: the file is damaged, truncated or not a valid .xlsx ({ex.GetType().Name}: {ex.Message})",
            inner: ex);

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
