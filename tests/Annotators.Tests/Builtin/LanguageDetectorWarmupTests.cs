using Annotate.Annotators.Builtin;
using Lingua;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Builtin;

public class LanguageDetectorWarmupTests
{
    private static readonly LanguageOptions Settings = new() { Languages = ["en", "de"] };

    /// <summary>A provider whose first build throws, as a missing or damaged language model would, and whose later builds work.</summary>
    private static (LanguageDetectorProvider Provider, Func<int> Builds) FailingOnce()
    {
        var builds = 0;
        var provider = new LanguageDetectorProvider(Options.Create(Settings), NullLogger<LanguageDetectorProvider>.Instance, (languages, _) =>
        {
            if (Interlocked.Increment(ref builds) == 1)
            {
                throw new InvalidOperationException("the language models could not be read");
            }
            return LanguageDetectorBuilder.FromLanguages([.. languages]).Build();
        });
        return (provider, () => Volatile.Read(ref builds));
    }

    [Fact]
    public void A_failed_build_is_not_remembered_and_the_next_use_builds_again()
    {
        var (provider, builds) = FailingOnce();

        var first = Assert.Throws<InvalidOperationException>(() => provider.Detector);
        var detector = provider.Detector;

        Assert.Equal("the language models could not be read", first.Message);
        Assert.Equal(Language.English, detector.DetectLanguageOf("The board approved the budget for the coming year after strong growth."));
        Assert.Same(detector, provider.Detector);
        Assert.Equal(2, builds());
    }

    [Fact]
    public async Task A_warm_up_that_fails_leaves_the_detector_to_be_built_on_first_use()
    {
        var (provider, builds) = FailingOnce();
        using var warmup = new LanguageDetectorWarmup(provider, NullLogger<LanguageDetectorWarmup>.Instance);

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!;
        await warmup.StopAsync(CancellationToken.None);

        Assert.Equal(1, builds());
        Assert.Equal(Language.German, provider.Detector.DetectLanguageOf("Der Vorstand hat den Haushalt für das kommende Jahr genehmigt."));
        Assert.Equal(2, builds());
    }
}
