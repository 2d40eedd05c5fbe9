using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Models.Download;

/// <summary>
/// Shows download progress on a console: one line redrawn in place (<c>\r</c>) with percent, MB, MB/s and ETA, or, when
/// output is redirected to a file or a log, a plain line every <c>lineInterval</c> so logs are not flooded.
/// </summary>
public sealed class ConsoleProgressBar : IProgress<DownloadProgress>
{
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _output;
    private readonly bool _redraw;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lineInterval;
    private readonly Lock _gate = new();
    private long? _lastWrite;
    private int _lastLength;
    private bool _finished;

    /// <summary>Creates the renderer.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="redraw">True to redraw one line (a terminal); false to write periodic lines (redirected output).</param>
    /// <param name="timeProvider">Clock that paces redraws and lines.</param>
    /// <param name="lineInterval">Time between lines when not redrawing; default 5 seconds.</param>
    public ConsoleProgressBar(TextWriter output, bool redraw, TimeProvider timeProvider, TimeSpan? lineInterval = null)
    {
        _output = output;
        _redraw = redraw;
        _time = timeProvider;
        _lineInterval = lineInterval ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>A renderer for standard output that redraws only when it is a terminal.</summary>
    public static ConsoleProgressBar ForConsole() => new(Console.Out, !Console.IsOutputRedirected, TimeProvider.System);

    /// <inheritdoc />
    public void Report(DownloadProgress value)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }
            var now = _time.GetTimestamp();
            var due = _lastWrite is null || _time.GetElapsedTime(_lastWrite.Value, now) >= (_redraw ? RedrawInterval : _lineInterval);
            if (!due && !value.IsComplete)
            {
                return;
            }
            _lastWrite = now;
            _finished = value.IsComplete;
            var line = Format(value);
            if (_redraw)
            {
                // Pad with spaces so a shorter line fully covers the previous one.
                _output.Write('\r' + line.PadRight(_lastLength));
                _lastLength = line.Length;
                if (_finished)
                {
                    _output.WriteLine();
                }
            }
            else
            {
                _output.WriteLine(line);
            }
            _output.Flush();
        }
    }

    /// <summary>One progress line, e.g. <c>42.0% [##########--------------] 196.8/468.6 MB 5.2 MB/s ETA 0:52</c>.</summary>
    public static string Format(DownloadProgress progress)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        if (progress.Percent is { } percent)
        {
            var filled = (int)Math.Round(percent / 100 * BarWidth);
            text.Append(inv, $"{percent,5:0.0}% [").Append('#', filled).Append('-', BarWidth - filled).Append("] ");
            text.Append(inv, $"{Megabytes(progress.BytesDone):0.0}/{Megabytes(progress.TotalBytes!.Value):0.0} MB");
        }
        else
        {
            text.Append(inv, $"{Megabytes(progress.BytesDone):0.0} MB");
        }
        text.Append(inv, $" {Megabytes((long)progress.BytesPerSecond):0.0} MB/s");
        if (progress.IsComplete)
        {
            text.Append(" done");
        }
        else if (progress.Remaining is { } eta)
        {
            text.Append(" ETA ").Append(FormatEta(eta));
        }
        return text.ToString();
    }

    private static double Megabytes(long bytes) => bytes / 1_000_000.0;

    private static string FormatEta(TimeSpan eta) =>
        eta >= TimeSpan.FromDays(1) ? ">1 day"
        : eta.TotalHours >= 1 ? eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : eta.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
