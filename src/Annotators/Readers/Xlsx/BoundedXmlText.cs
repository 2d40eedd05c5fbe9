using System.Text;
using System.Xml;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Reads an element's text in chunks and keeps at most a set number of characters, so a hostile part holding one
/// enormous string (a 1.5 GB shared string) is never materialised: <see cref="XmlReader.ReadValueChunk"/> hands the
/// text over piece by piece and everything beyond the cap is dropped as it arrives.
/// </summary>
internal sealed class BoundedXmlText
{
    /// <summary>Most characters Excel allows in a cell; longer texts are cut to it.</summary>
    public const int MaxCellCharacters = 32_767;

    private readonly char[] _buffer = new char[4096];

    /// <summary>
    /// Appends the text of the element the reader is on to <paramref name="text"/>, keeping <paramref name="text"/> within
    /// <see cref="MaxCellCharacters"/>; leaves the reader past the element's end. Returns true when text was dropped.
    /// </summary>
    public bool Append(XmlReader reader, StringBuilder text)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return false;
        }
        var truncated = false;
        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
            {
                int read;
                while ((read = reader.ReadValueChunk(_buffer, 0, _buffer.Length)) > 0)
                {
                    var room = MaxCellCharacters - text.Length;
                    if (read > room)
                    {
                        truncated = true;
                    }
                    if (room > 0)
                    {
                        text.Append(_buffer, 0, Math.Min(read, room));
                    }
                }
            }
            reader.Read();
        }
        reader.Read();
        return truncated;
    }
}
