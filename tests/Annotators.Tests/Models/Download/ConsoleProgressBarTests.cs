using Annotate.Annotators.Models.Download;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Annotators.Tests.Models.Download;

public class ConsoleProgressBarTests
{
    [Fact]
    public void A_line_shows_percent_megabytes_rate_and_eta()
    {
        var line = ConsoleProgressBar.Format(new DownloadProgress(250_000_000, 500_000_000, 5_000_000));

        Assert.Equal(" 50.0% [############------------] 250.0/500.0 MB 5.0 MB/s ETA 0:50", line);
    }

    [Fact]
    public void Without_a_total_only_bytes_and_rate_are_shown()
    {
        Assert.Equal("12.0 MB 1.5 MB/s", ConsoleProgressBar.Format(new DownloadProgress(12_000_000, null, 1_500_000)));
    }

    [Fact]
    public void On_a_terminal_one_line_is_redrawn_and_ended_when_complete()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var bar = new ConsoleProgressBar(output, redraw: true, time);

        bar.Report(new DownloadProgress(0, 100_000_000, 0));
        bar.Report(new DownloadProgress(10_000_000, 100_000_000, 1_000_000)); // too soon: skipped
        time.Advance(TimeSpan.FromSeconds(1));
        bar.Report(new DownloadProgress(50_000_000, 100_000_000, 1_000_000));
        bar.Report(new DownloadProgress(100_000_000, 100_000_000, 1_000_000)); // complete: always drawn
        bar.Report(new DownloadProgress(100_000_000, 100_000_000, 1_000_000)); // after completion: ignored

        var text = output.ToString();
        Assert.Equal(3, text.Count(c => c == '\r'));
        Assert.DoesNotContain(" 10.0%", text);
        Assert.Contains(" 50.0%", text);
        // The last draw is padded to cover the longer line before it, then the line is ended.
        var last = text[(text.LastIndexOf('\r') + 1)..];
        Assert.Equal("100.0% [########################] 100.0/100.0 MB 1.0 MB/s done", last.TrimEnd());
        Assert.EndsWith(Environment.NewLine, last);
        Assert.Single(text.Split(Environment.NewLine), l => l.Length > 0);
    }

    [Fact]
    public void When_redirected_it_writes_a_plain_line_per_interval()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var bar = new ConsoleProgressBar(output, redraw: false, time, lineInterval: TimeSpan.FromSeconds(5));

        for (var mb = 0; mb < 100; mb += 10)
        {
            bar.Report(new DownloadProgress(mb * 1_000_000L, 100_000_000, 1_000_000));
            time.Advance(TimeSpan.FromSeconds(2));
        }
        bar.Report(new DownloadProgress(100_000_000, 100_000_000, 1_000_000));

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\r', output.ToString());
        // At 0 s, 6 s, 12 s, 18 s (every third report at 2 s apart), then the final one.
        Assert.Equal(5, lines.Length);
        Assert.EndsWith("done", lines[^1]);
    }
}
