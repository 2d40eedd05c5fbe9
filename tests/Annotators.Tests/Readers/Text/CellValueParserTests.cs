using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Text;

namespace Annotate.Annotators.Tests.Readers.Text;

/// <summary>
/// A text is checked cheaply (<see cref="CellValueParser.CouldBeDate"/>) before the date formats are tried one by one:
/// the check may let through texts that are not dates, but must never turn away one the formats read.
/// </summary>
public class CellValueParserTests
{
    private static readonly string[] AllFormats =
        [.. CellValueParser.IsoDateFormats, .. CellValueParser.DayFirstFormats, .. CellValueParser.MonthFirstFormats];

    [Fact]
    public void Every_date_written_in_a_format_it_reads_passes_the_check_and_is_read_as_a_date()
    {
        var random = new Random(20261206);
        foreach (var format in AllFormats)
        {
            for (var i = 0; i < 300; i++)
            {
                var date = new DateTime(random.Next(1000, 10_000), random.Next(1, 13), random.Next(1, 29), random.Next(0, 24), random.Next(0, 60), random.Next(0, 60))
                    .AddTicks(random.Next(0, 10_000_000));
                var text = date.ToString(format, CultureInfo.InvariantCulture);

                Assert.True(CellValueParser.CouldBeDate(text), $"'{text}' ({format}) was turned away");
                foreach (var decimalComma in new[] { false, true })
                {
                    Assert.Equal(CellKind.DateTime, CellValueParser.Parse(text, decimalComma).Kind);
                }
            }
        }
    }

    [Fact]
    public void No_text_the_formats_read_is_turned_away_by_the_check()
    {
        // Dates changed a character at a time (replaced, inserted, dropped, case changed, white space of other kinds),
        // so that some still read as dates in ways their format did not write them, and most do not.
        var random = new Random(61202026);
        const string alphabet = "0123456789-/.:, \tTMarchMayJunSepDecxyz@+_\u00A0\u2009";
        var read = 0;
        foreach (var format in AllFormats)
        {
            for (var i = 0; i < 2_000; i++)
            {
                var date = new DateTime(random.Next(1, 10_000), random.Next(1, 13), random.Next(1, 29), random.Next(0, 24), random.Next(0, 60), random.Next(0, 60));
                var text = date.ToString(format, CultureInfo.InvariantCulture).ToCharArray().ToList();
                for (var change = random.Next(0, 3); change > 0; change--)
                {
                    var at = random.Next(text.Count);
                    switch (random.Next(4))
                    {
                        case 0:
                            text[at] = alphabet[random.Next(alphabet.Length)];
                            break;
                        case 1:
                            text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                            break;
                        case 2 when text.Count > 1:
                            text.RemoveAt(at);
                            break;
                        default:
                            text[at] = char.IsUpper(text[at]) ? char.ToLowerInvariant(text[at]) : char.ToUpperInvariant(text[at]);
                            break;
                    }
                }
                var candidate = new string([.. text]).Trim();
                if (candidate.Length == 0 || !DateTime.TryParseExact(candidate, AllFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out _))
                {
                    continue;
                }
                read++;
                Assert.True(CellValueParser.CouldBeDate(candidate), $"'{candidate}' reads as a date but was turned away");
            }
        }
        // The changes left many texts that still read as dates: the check was put to the test.
        Assert.True(read > 5_000, $"only {read} changed texts read as dates");
    }

    [Theory]
    [InlineData("user1904@example.com")]
    [InlineData("Stark")]
    [InlineData("note 12")]
    [InlineData("C0123")]
    [InlineData("City12")]
    [InlineData("1234#5678")]
    [InlineData("2024_03_15")]
    public void Names_addresses_and_codes_are_turned_away_and_stay_text(string text)
    {
        Assert.False(CellValueParser.CouldBeDate(text));
        Assert.Equal(CellKind.Text, CellValueParser.Parse(text).Kind);
    }
}
