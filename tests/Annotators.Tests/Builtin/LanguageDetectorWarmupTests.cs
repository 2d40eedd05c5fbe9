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
        }, Path.GetTempPath());
        return (provider, () => Volatile.Read(ref builds));
    }

    [Fact]
    public void A_failed_build_is_not_remembered_and_the_next_use_builds_again()
    {
        var (provider, builds) = FailingOnce();

        var first = Assert.Throws<InvalidOperationException>(() => provider.Acquire());
        using var lease = provider.Acquire();
        using var again = provider.Acquire();

        Assert.Equal("the language models could not be read", first.Message);
        Assert.Equal(Language.English, lease.Value.DetectLanguageOf("The board approved the budget for the coming year after strong growth."));
        Assert.Same(lease.Value, again.Value);
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
        using (var lease = provider.Acquire())
        {
            Assert.Equal(Language.German, lease.Value.DetectLanguageOf("Der Vorstand hat den Haushalt für das kommende Jahr genehmigt."));
        }
        Assert.Equal(2, builds());
    }

    [Fact]
    public void A_released_detector_is_not_given_back_while_a_detection_holds_it_and_is_built_again_after()
    {
        var provider = new LanguageDetectorProvider(Options.Create(Settings), NullLogger<LanguageDetectorProvider>.Instance);
        var held = provider.Acquire();
        Assert.Equal(Language.German, held.Value.DetectLanguageOf("Der Vorstand hat den Haushalt für das kommende Jahr genehmigt."));

        Assert.False(provider.TryRelease());
        Assert.True(provider.IsLoaded);
        held.Dispose();
        Assert.True(provider.TryRelease());
        Assert.False(provider.IsLoaded);

        using var lease = provider.Acquire();
        Assert.Equal(Language.English, lease.Value.DetectLanguageOf("The board approved the budget for the coming year after strong growth."));
        Assert.NotSame(held.Value, lease.Value);
        Assert.Equal(2, provider.Loads);
    }
}
