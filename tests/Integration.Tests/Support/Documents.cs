using System.Globalization;
using System.Text;

namespace Annotate.Integration.Tests.Support;

/// <summary>
/// Small generated documents, each with content of its own (the worker reuses the outputs of identical content, so
/// identical files would not be annotated twice by design) and a name that says which test made it.
/// </summary>
public static class Documents
{
    /// <summary><paramref name="count"/> documents, text and CSV alternately, named <c>{prefix}-{n}.txt|csv</c>.</summary>
    public static List<(string Name, byte[] Content)> Mixed(string prefix, int count, int rows = 20) =>
        Enumerable.Range(1, count).Select(i => i % 2 == 0 ? Csv(prefix, i, rows) : Text(prefix, i)).ToList();

    /// <summary>A short memo with a date, an amount and an e-mail address.</summary>
    public static (string Name, byte[] Content) Text(string prefix, int n) =>
        ($"{prefix}-{n}.txt", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"Memo {n} ({prefix})\n\nInvoice {prefix.ToUpperInvariant()}-{n:D4} for customer {n * 37} is due on 2024-{n % 12 + 1:D2}-{n % 28 + 1:D2}. " +
            $"Please pay {n * 13}.50 EUR and write to billing{n}@example.com with any question.\n")));

    /// <summary>A table of <paramref name="rows"/> rows: ids, dates, names, e-mail addresses and amounts.</summary>
    public static (string Name, byte[] Content) Csv(string prefix, int n, int rows)
    {
        var csv = new StringBuilder("id,date,customer,email,amount\n");
        for (var row = 1; row <= rows; row++)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{n}-{row},2024-{row % 12 + 1:D2}-{row % 28 + 1:D2},Customer {prefix} {n} {row},c{n}.{row}@example.com,{n * 100 + row * 3.17:0.00}\n");
        }
        return ($"{prefix}-{n}.csv", Encoding.UTF8.GetBytes(csv.ToString()));
    }
}
