using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Tests.DocumentModel;

public class CellValueTests
{
    [Fact]
    public void A_number_renders_its_invariant_text_when_asked_and_is_never_empty()
    {
        var cell = CellValue.FromNumber(-1234.5);
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];

        Assert.False(cell.IsEmpty);
        Assert.Equal("-1234.5", cell.Text);
        Assert.Equal("-1234.5", cell.GetText(buffer).ToString());
        Assert.Equal("1.7976931348623157E+308", CellValue.FromNumber(double.MaxValue).Text);
        Assert.Equal("5E-324", CellValue.FromNumber(double.Epsilon).GetText(buffer).ToString());
    }

    [Fact]
    public void A_known_rendered_length_is_the_length_of_the_rendered_text()
    {
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];
        var random = new Random(12);
        double[] numbers =
        [
            0, -0.0, 1, -1, 9, 10, -10, 99, 100, 12345, 999_999_999_999_999, -999_999_999_999_999, 1e15, -1e15, 1e16,
            12.5, -0.25, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.Epsilon,
            .. Enumerable.Range(0, 2_000).Select(_ => Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(0, 17)))),
        ];
        var known = 0;
        foreach (var number in numbers)
        {
            var cell = new CellValue { Kind = CellKind.Number, Number = number };
            var length = cell.KnownRenderedLength();
            Assert.True(length == -1 || length == cell.GetText(buffer).Length, $"{number:R}: {length} for '{cell.GetText(buffer)}'");
            known += length > 0 ? 1 : 0;
        }
        // The whole numbers under 10^15 and the two short fractions are told without rendering; 10^15 and more, NaN and
        // infinities are not.
        Assert.Equal(numbers.Count(n => double.IsFinite(n) && Math.Abs(n) < 1e15 && n == Math.Floor(n)) + 2, known);
        Assert.Equal(2, new CellValue { Kind = CellKind.Number, Number = -0.0 }.KnownRenderedLength());
        foreach (var date in new[] { new DateTime(2024, 3, 1), new DateTime(2024, 3, 1, 10, 5, 0), DateTime.MinValue, DateTime.MaxValue, new DateTime(5, 1, 1) })
        {
            var cell = CellValue.FromDateTime(date);
            Assert.Equal(cell.GetText(buffer).Length, cell.KnownRenderedLength());
        }
        Assert.Equal(4, new CellValue { Kind = CellKind.Boolean, Boolean = true }.KnownRenderedLength());
        Assert.Equal(5, new CellValue { Kind = CellKind.Boolean, Boolean = false }.KnownRenderedLength());
        Assert.Equal(-1, CellValue.FromText("12").KnownRenderedLength());
        Assert.Equal(-1, (CellValue.FromNumber(12.5) with { Text = "12.50" }).KnownRenderedLength());
        Assert.Equal(-1, new CellValue { Kind = CellKind.Number }.KnownRenderedLength());
    }

    [Fact]
    public void A_number_with_a_few_decimals_has_its_length_known_without_rendering_and_it_is_the_rendered_length()
    {
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];
        var random = new Random(31);
        double[] decimals =
        [
            12.5, -0.25, 0.1, 0.2, 0.3, 0.7, 1.1, 9.95, 9.995, 99.99, 0.01, 0.0001, -0.0001, 0.000123, 1234567.891,
            123_456_789_012.375, 1.23456789, 0.12345678, 33.333333, 2.5e-4, 1e14 + 0.5,
            // Up to 15 significant digits, the most every double holds, of which one to eight decimals.
            .. Enumerable.Range(0, 5_000).Select(_ => random.Next(0, 8) is var whole
                ? Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, whole), random.Next(1, Math.Min(9, 16 - whole))) : 0),
            .. Enumerable.Range(0, 2_000).Select(_ => random.Next(-1_000_000, 1_000_000) / Math.Pow(10, random.Next(1, 9))),
        ];
        // 0.0001 and up: the round-trip format writes smaller numbers with an exponent.
        foreach (var number in decimals.Where(n => n != Math.Floor(n) && Math.Abs(n) >= 1e-4))
        {
            var cell = new CellValue { Kind = CellKind.Number, Number = number };
            // Each is a decimal of at most eight places in fixed notation: its length is known, and is the text's.
            var length = cell.KnownRenderedLength();
            Assert.True(length == cell.GetText(buffer).Length, $"{number:R}: {length} for '{cell.GetText(buffer)}'");
        }
        // Past eight decimals (0.1 + 0.2 writes 17 digits) or 2^53 times ten to their decimals, in exponent notation (under 10^-4, 10^15 and up) and not a
        // number: rendered.
        double[] rendered = [0.1 + 0.2, 1.0 / 3, Math.PI, 0.00001, -0.00001, 2.5e-5, 1e-7, 999_999_999_999_999.9, 1e15 + 0.5, 1.5e300, double.NaN, double.PositiveInfinity];
        foreach (var number in rendered)
        {
            var cell = new CellValue { Kind = CellKind.Number, Number = number };
            var length = cell.KnownRenderedLength();
            Assert.True(length == -1, $"{number:R}: {length} for '{cell.GetText(buffer)}'");
        }
        // Random doubles of every magnitude: the length, when known, is never another than the rendered text's.
        for (var i = 0; i < 20_000; i++)
        {
            var number = BitConverter.Int64BitsToDouble(random.NextInt64());
            var cell = new CellValue { Kind = CellKind.Number, Number = number };
            var length = cell.KnownRenderedLength();
            Assert.True(length == -1 || length == cell.GetText(buffer).Length, $"{number:R}: {length} for '{cell.GetText(buffer)}'");
        }
    }

    [Fact]
    public void Numbers_and_dates_render_as_the_round_trip_and_iso_formats_write_them()
    {
        // Whole numbers and dates take faster paths than the formats that define their text: the same text either way.
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];
        var random = new Random(7);
        double[] numbers =
        [
            0, -0.0, 1, -1, 999_999_999_999_999, -999_999_999_999_999, 1e15, -1e15, 1e15 - 0.5, 4503599627370496.0,
            0.1, -2.5, 1e-7, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon,
            .. Enumerable.Range(0, 5_000).Select(i => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 18)) is var n && i % 2 == 0 ? Math.Round(n) : n),
        ];
        foreach (var number in numbers)
        {
            Assert.Equal(number.ToString("R", System.Globalization.CultureInfo.InvariantCulture), CellValue.FromNumber(number).GetText(buffer).ToString());
        }
        DateTime[] dates =
        [
            new(2024, 3, 1), new(2024, 3, 1, 10, 5, 0), new(2024, 3, 1, 0, 0, 0, 1), DateTime.MinValue, DateTime.MaxValue, new(5, 1, 1), new(1999, 12, 31, 23, 59, 59),
            .. Enumerable.Range(0, 2_000).Select(i => new DateTime(random.NextInt64(DateTime.MaxValue.Ticks)) is var d && i % 2 == 0 ? d.Date : d),
        ];
        foreach (var date in dates)
        {
            var format = date.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-ddTHH:mm:ss";
            Assert.Equal(date.ToString(format, System.Globalization.CultureInfo.InvariantCulture), CellValue.FromDateTime(date).GetText(buffer).ToString());
        }
    }

    [Fact]
    public void A_date_renders_without_a_time_of_day_unless_it_has_one()
    {
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];

        Assert.Equal("2024-03-01", CellValue.FromDateTime(new DateTime(2024, 3, 1)).Text);
        Assert.Equal("2024-03-01T10:05:00", CellValue.FromDateTime(new DateTime(2024, 3, 1, 10, 5, 0)).GetText(buffer).ToString());
        Assert.False(CellValue.FromDateTime(new DateTime(2024, 3, 1)).IsEmpty);
    }

    [Fact]
    public void A_given_text_wins_and_a_kind_without_a_value_is_empty()
    {
        Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];

        Assert.Equal("12.50", (CellValue.FromNumber(12.5) with { Text = "12.50" }).GetText(buffer).ToString());
        Assert.True(new CellValue { Kind = CellKind.Number }.IsEmpty);
        Assert.Equal(string.Empty, new CellValue { Kind = CellKind.Number }.Text);
        Assert.True((CellValue.FromText("x") with { Text = "   " }).IsEmpty);
        Assert.Equal("TRUE", new CellValue { Kind = CellKind.Boolean, Boolean = true }.Text);
    }

    [Fact]
    public void Values_are_equal_when_their_text_is_whether_it_was_given_or_rendered()
    {
        Assert.Equal(CellValue.FromNumber(3), new CellValue { Kind = CellKind.Number, Number = 3, Text = "3" });
        Assert.NotEqual(CellValue.FromNumber(3), new CellValue { Kind = CellKind.Number, Number = 3, Text = "3.0" });
        Assert.Equal(CellValue.FromNumber(3).GetHashCode(), new CellValue { Kind = CellKind.Number, Number = 3, Text = "3" }.GetHashCode());
    }

    [Fact]
    public void Every_part_keeps_its_value_however_it_was_set_and_null_clears_it()
    {
        var date = new DateTime(2024, 3, 31, 12, 30, 0, DateTimeKind.Utc);
        var all = new CellValue { Kind = CellKind.Number, Number = -0.0, DateTime = date, Boolean = false, Display = "-0,0", Formula = "A1*0", Text = "x" };

        Assert.Equal((CellKind.Number, "x", "-0,0", "A1*0", false), (all.Kind, all.Text, all.Display, all.Formula, all.Boolean));
        Assert.True(double.IsNegative(all.Number!.Value));
        Assert.Equal((date, DateTimeKind.Utc), (all.DateTime, all.DateTime!.Value.Kind));

        var cleared = all with { Number = null, DateTime = null, Boolean = null, Display = null };
        Assert.Equal((null, null, null, null, "A1*0"), (cleared.Number, cleared.DateTime, cleared.Boolean, cleared.Display, cleared.Formula));
        var none = cleared with { Formula = null };
        Assert.Equal((null, null), (none.Display, none.Formula));
        Assert.Equal(new CellValue { Kind = CellKind.Number, Text = "x" }, none);

        // The same parts set in another order, or to the same values again, make an equal value with an equal hash.
        var reordered = new CellValue { Formula = "A1*0", Text = "x", Display = "-0,0", Boolean = true, DateTime = date, Number = -0.0, Kind = CellKind.Number } with { Boolean = false };
        Assert.Equal(all, reordered);
        Assert.Equal(all.GetHashCode(), reordered.GetHashCode());
        Assert.NotEqual(all, all with { Boolean = true });
        Assert.NotEqual(all, all with { Display = null });
        Assert.NotEqual(all, all with { Formula = "A1" });
        Assert.NotEqual(all, all with { DateTime = date.AddTicks(1) });
        Assert.NotEqual(CellValue.FromNumber(0), new CellValue { Kind = CellKind.Number });
        Assert.Equal(true, CellValue.FromBoolean(true).Boolean);
    }

    [Fact]
    public void A_cell_value_stays_at_40_bytes()
    {
        // Every scan of a long table copies each cell a few times; a field added carelessly would show in every figure.
        Assert.Equal(40, System.Runtime.CompilerServices.Unsafe.SizeOf<CellValue>());
    }
}
