using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Annotate.Hosting.Logging;

/// <summary>
/// One short line per event: time, a level marker only when it is not plain information, the message.
/// The console is for people watching documents go by; structured logs go to other providers.
/// </summary>
public sealed class AnnotateConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    /// <summary>Name to select the formatter with.</summary>
    public const string FormatterName = "annotate";

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }
        var level = logEntry.LogLevel switch
        {
            LogLevel.Warning => "WARN  ",
            LogLevel.Error => "ERROR ",
            LogLevel.Critical => "FATAL ",
            LogLevel.Debug or LogLevel.Trace => "debug ",
            _ => string.Empty,
        };
        textWriter.Write(TimeProvider.System.GetLocalNow().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write("  ");
        textWriter.Write(level);
        textWriter.WriteLine(Escape(message));
        if (logEntry.Exception is { } exception && logEntry.LogLevel >= LogLevel.Error)
        {
            WriteException(exception, textWriter);
        }
    }

    /// <summary>
    /// Messages carry names chosen by whoever drops a file (<c>"a\nFAKE LINE.pdf"</c>): escaped here, where every host's
    /// console output passes, a name can neither start a forged line nor send terminal escape sequences. Only this text is
    /// escaped; the structured values other providers receive are untouched.
    /// </summary>
    internal static string Escape(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when !NeedsEscape(c) => c.ToString(),
                _ when c <= '\u00ff' => $"\\x{(int)c:x2}",
                _ => $"\\u{(int)c:x4}",
            });
        }
        return escaped.ToString();
    }

    /// <summary>Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional controls that reorder what a terminal shows.</summary>
    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    /// <summary>
    /// Each exception of the chain as an indented "type: message" line, its message escaped (it often quotes a file name),
    /// then its stack trace, indented too: nothing in an exception can start a line that looks like a log line.
    /// </summary>
    private static void WriteException(Exception exception, TextWriter textWriter)
    {
        for (Exception? current = exception, outer = null; current is not null; outer = current, current = current.InnerException)
        {
            textWriter.Write(outer is null ? "    " : "    ---> ");
            textWriter.Write(current.GetType().FullName);
            textWriter.Write(": ");
            textWriter.WriteLine(Escape(current.Message));
            foreach (var line in (current.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                textWriter.Write("    ");
                textWriter.WriteLine(Escape(line.TrimEnd('\r')));
            }
        }
    }
}
