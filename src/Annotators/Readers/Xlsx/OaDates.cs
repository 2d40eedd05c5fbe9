namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Converts spreadsheet serial dates (OLE Automation dates) to <see cref="DateTime"/>.</summary>
internal static class OaDates
{
    /// <summary>False for serials outside the range dates can have (a date format on a huge number).</summary>
    public static bool TryConvert(double serial, out DateTime date)
    {
        date = default;
        if (double.IsNaN(serial) || serial < -657434.0 || serial >= 2958466.0)
        {
            return false;
        }
        date = DateTime.FromOADate(serial);
        return true;
    }
}
