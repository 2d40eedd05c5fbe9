using ClosedXML.Excel;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>Writes the Annotations sheet into a workbook loaded with ClosedXML.</summary>
internal static class ClosedXmlAnnotationSheet
{
    /// <summary>Adds the sheet <paramref name="name"/>; its text passes through <paramref name="cleaner"/>.</summary>
    public static void Write(XLWorkbook workbook, string name, AnnotationSheetContent content, XmlTextCleaner cleaner)
    {
        var sheet = workbook.AddWorksheet(name);
        for (var r = 0; r < content.Rows.Count; r++)
        {
            var row = content.Rows[r];
            for (var c = 0; c < row.Cells.Count; c++)
            {
                var cell = sheet.Cell(r + 1, c + 1);
                var reference = cell.Address.ToStringRelative();
                switch (row.Cells[c])
                {
                    case null:
                        break;
                    case string s:
                        // Set as text so values like "00123" or "=x" found in documents stay as written.
                        cell.SetValue(AnnotationSheetContent.Fit(cleaner.Clean(s, name, reference)));
                        cell.DataType = XLDataType.Text;
                        break;
                    case double d:
                        cell.Value = d;
                        break;
                    case long l:
                        cell.Value = l;
                        break;
                    case bool b:
                        cell.Value = b;
                        break;
                    case var other:
                        cell.SetValue(AnnotationSheetContent.Fit(cleaner.Clean(AnnotationSheetContent.Render(other), name, reference)));
                        break;
                }
            }
            if (row.Style != SheetRowStyle.Normal && row.Cells.Count > 0)
            {
                var range = sheet.Range(r + 1, 1, r + 1, row.Cells.Count);
                range.Style.Font.Bold = true;
                if (row.Style == SheetRowStyle.Title)
                {
                    range.Style.Font.FontSize = 13;
                }
                else
                {
                    range.Style.Fill.BackgroundColor = XLColor.FromHtml("#DDEBF7");
                }
            }
        }
        for (var c = 0; c < content.ColumnWidths.Count; c++)
        {
            sheet.Column(c + 1).Width = content.ColumnWidths[c];
        }
        sheet.SheetView.FreezeRows(content.FrozenRows);
    }
}
