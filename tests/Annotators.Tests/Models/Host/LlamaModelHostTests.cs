using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Annotate.Annotators.Tests.Models.Host.ModelHostFactory;

namespace Annotate.Annotators.Tests.Models.Host;

public sealed class LlamaModelHostTests
{
    private static readonly string[] Openings =
    [
        "Once upon a time there was a little cat.",
        "Lily went to the park with her mom.",
        "Tom had a big red ball.",
        "The sun was shining and the birds sang.",
        "Ben found a shiny stone in the garden.",
        "Sara wanted to bake a cake.",
        "A small dog lived in a blue house.",
        "One day, Max saw a bird in a tree.",
    ];

    /// <summary>Never lets the grammar finish, so only MaxTokens, a timeout or cancellation ends the generation.</summary>
    private const string EndlessGrammar = "root ::= \"a\" root";

    [Fact]
    public async Task Loading_reports_name_hash_context_and_missing_chat_template()
    {
        await using var host = await LoadedAsync();

        var status = host.Status;
        Assert.Equal("ready", status.State);
        Assert.Equal(StoriesSha256, status.Sha256);
        Assert.Equal(Path.GetFullPath(TestFiles.Model), status.Path);
        Assert.Equal(512, status.ContextSize);
        Assert.False(string.IsNullOrWhiteSpace(status.Name));
        Assert.False(status.HasChatTemplate);
        Assert.Null(status.Reason);
    }

    [Fact]
    public async Task A_model_with_a_chat_template_gets_its_prompts_in_that_template()
    {
        using var dir = new TempDir();
        var path = dir.File("stories-chatml.gguf");
        Support.GgufWithTemplate.Write(TestFiles.Model, path, Support.GgufWithTemplate.ChatMl);
        await using var host = await LoadedAsync(o => o.Path = path);

        var completion = await host.CompleteAsync(Story(Openings[0], maxTokens: 8, system: "Be brief."), CancellationToken.None);

        Assert.True(host.Status.HasChatTemplate);
        var chatMl = $"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n{Openings[0]}<|im_end|>\n<|im_start|>assistant\n";
        Assert.Equal(host.CountTokens(chatMl) + 1, completion.PromptTokens);
        Assert.NotEqual(host.CountTokens($"System:\nBe brief.\nUser:\n{Openings[0]}\nAssistant:\n") + 1, completion.PromptTokens);
    }

    [Fact]
    public async Task A_bare_file_name_is_found_in_the_models_folder()
    {
        await using var host = await LoadedAsync(o =>
        {
            o.Path = Path.GetFileName(TestFiles.Model);
            o.ModelsFolder = Path.GetDirectoryName(TestFiles.Model)!;
        });

        Assert.Equal(Path.GetFullPath(TestFiles.Model), host.Status.Path);
    }

    [Fact]
    public async Task A_plain_request_generates_text_within_the_token_limit()
    {
        await using var host = await LoadedAsync();

        var completion = await host.CompleteAsync(Story(Openings[0], maxTokens: 20), CancellationToken.None);

        Assert.False(string.IsNullOrWhiteSpace(completion.Text));
        Assert.InRange(completion.CompletionTokens, 1, 20);
        Assert.Equal(completion.CompletionTokens == 20 ? "length" : "stop", completion.FinishReason);
        Assert.Equal(host.CountTokens($"System:\n{Story("").System}\nUser:\n{Openings[0]}\nAssistant:\n") + 1, completion.PromptTokens);
    }

    [Fact]
    public async Task A_grammar_constrains_the_output_to_its_exact_shape()
    {
        await using var host = await LoadedAsync();
        var request = Story(Openings[1], maxTokens: 40) with { Grammar = "root ::= \"{\\\"label\\\": \\\"\" (\"happy\" | \"sad\") \"\\\"}\"" };

        var completion = await host.CompleteAsync(request, CancellationToken.None);

        Assert.Matches("^\\{\"label\": \"(happy|sad)\"\\}$", completion.Text);
        Assert.Equal("stop", completion.FinishReason);
    }

    [Fact]
    public async Task An_invalid_grammar_fails_the_request_with_a_clear_reason_and_the_host_keeps_working()
    {
        await using var host = await LoadedAsync();

        var error = await Assert.ThrowsAsync<AnnotationException>(() =>
            host.CompleteAsync(Story(Openings[2]) with { Grammar = "root ::= (\"unclosed\"" }, CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, error.Reason);
        Assert.Contains("grammar", error.Message);
        var after = await host.CompleteAsync(Story(Openings[2], maxTokens: 5), CancellationToken.None);
        Assert.NotEmpty(after.Text);
    }

    [Fact]
    public async Task Eight_requests_decoded_together_give_the_same_texts_as_one_at_a_time()
    {
        await using var host = await LoadedAsync(o => o.ContextSize = 1024);
        var requests = Openings.Select(o => Story(o, maxTokens: 32)).ToArray();

        var oneByOne = new List<string>();
        foreach (var request in requests)
        {
            oneByOne.Add((await host.CompleteAsync(request, CancellationToken.None)).Text);
        }
        Assert.Equal(1, host.Scheduler!.PeakActiveCount);
        var together = await Task.WhenAll(requests.Select(r => host.CompleteAsync(r, CancellationToken.None)));

        Assert.True(host.Scheduler.PeakActiveCount > 1, "the requests were never decoded together");
        Assert.Equal(oneByOne, together.Select(c => c.Text));
        Assert.True(oneByOne.Distinct().Count() > 1, "different prompts should give different stories");
    }

    [Fact]
    public async Task Requests_that_do_not_fit_the_context_together_wait_instead_of_failing()
    {
        // 512 cells: each request reserves prompt + 120 tokens, so only a few run at once and the rest queue.
        await using var host = await LoadedAsync();
        var requests = Openings.Select(o => Story(o, maxTokens: 120) with { Grammar = EndlessGrammar }).ToArray();

        var completions = await Task.WhenAll(requests.Select(r => host.CompleteAsync(r, CancellationToken.None)));

        Assert.All(completions, c => Assert.Equal(("length", 120), (c.FinishReason, c.CompletionTokens)));
        Assert.InRange(host.Scheduler!.PeakActiveCount, 2, 4);
    }

    [Fact]
    public async Task Sharing_the_system_prefix_gives_the_same_texts_as_decoding_whole_prompts()
    {
        var requests = Openings.Take(4).Select(o => Story(o, maxTokens: 24)).ToArray();
        await using var shared = await LoadedAsync();
        await using var unshared = await LoadedAsync(prefixCache: 0);

        var withPrefix = await Task.WhenAll(requests.Select(r => shared.CompleteAsync(r, CancellationToken.None)));
        var again = await shared.CompleteAsync(requests[0], CancellationToken.None);
        var without = await Task.WhenAll(requests.Select(r => unshared.CompleteAsync(r, CancellationToken.None)));

        Assert.Equal(1, shared.Scheduler!.CachedPrefixCount);
        Assert.Equal(0, unshared.Scheduler!.CachedPrefixCount);
        Assert.Equal(without.Select(c => c.Text), withPrefix.Select(c => c.Text));
        Assert.Equal(without[0].Text, again.Text);
    }

    [Fact]
    public async Task An_idle_context_is_given_back_and_the_next_request_creates_it_again_with_the_same_text()
    {
        await using var host = await LoadedAsync();
        var request = Story(Openings[0]);
        var before = await host.CompleteAsync(request, CancellationToken.None);
        Assert.Equal(1, host.Scheduler!.CachedPrefixCount);

        Assert.True(host.TryRelease());
        Assert.True(host.Scheduler.ContextReleased);
        Assert.Equal(0, host.Scheduler.CachedPrefixCount);
        Assert.False(host.TryRelease()); // nothing left to give back
        Assert.Equal("model-context", host.ReleaseName);

        var after = await host.CompleteAsync(request, CancellationToken.None);
        Assert.False(host.Scheduler.ContextReleased);
        Assert.Equal(1, host.Scheduler.CachedPrefixCount);
        Assert.Equal(before.Text, after.Text);
        Assert.Equal("ready", host.Status.State);
    }

    [Fact]
    public async Task Releases_asked_while_requests_run_never_cost_a_request()
    {
        // Asked again and again while eight requests come and go: each release either finds the loop idle and gives
        // the context back, or finds work and does nothing; every request completes with the text it gives alone.
        await using var host = await LoadedAsync(o => o.ContextSize = 1024);
        var requests = Openings.Select(o => Story(o, maxTokens: 32)).ToArray();
        var alone = new List<string>();
        foreach (var request in requests)
        {
            alone.Add((await host.CompleteAsync(request, CancellationToken.None)).Text);
        }

        var running = requests.Select(async (r, i) =>
        {
            await Task.Yield();
            var texts = new List<string>();
            for (var round = 0; round < 3; round++)
            {
                texts.Add((await host.CompleteAsync(r, CancellationToken.None)).Text);
            }
            return texts;
        }).ToArray();
        for (var asked = 0; !running.All(t => t.IsCompleted) && asked < 10_000; asked++)
        {
            await Task.Run(host.TryRelease);
        }
        var results = await Task.WhenAll(running);

        for (var i = 0; i < requests.Length; i++)
        {
            Assert.All(results[i], text => Assert.Equal(alone[i], text));
        }
        Assert.True(host.TryRelease() || host.Scheduler!.ContextReleased);
        Assert.Equal("ready", host.Status.State);
    }

    [Fact]
    public async Task Cancelling_one_request_stops_it_while_the_others_complete()
    {
        // A room for a long answer: the cancelled request must still be decoding when the cancellation arrives, even
        // when the test's thread waits a while for a core on a loaded machine (300 tokens took ~0.1 s and could finish first).
        await using var host = await LoadedAsync(o => o.ContextSize = 2048);
        using var cancel = new CancellationTokenSource();
        var request = Story(Openings[3], maxTokens: 100) with { Grammar = EndlessGrammar };

        var others = Enumerable.Range(0, 2).Select(_ => host.CompleteAsync(request, CancellationToken.None)).ToArray();
        var cancelled = host.CompleteAsync(request with { MaxTokens = 1700 }, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var completed = await Task.WhenAll(others);
        Assert.All(completed, c => Assert.Equal(("length", 100, new string('a', 100)), (c.FinishReason, c.CompletionTokens, c.Text)));
        await WaitUntilAsync(() => host.Scheduler!.ActiveCount == 0);
    }

    [Fact]
    public async Task A_request_that_outlives_the_timeout_fails_with_model_timeout()
    {
        var time = new FakeTimeProvider();
        await using var host = await LoadedAsync(o => o.RequestTimeout = TimeSpan.FromSeconds(5), time);
        var request = Story(Openings[4], maxTokens: 400) with { Grammar = EndlessGrammar };

        var call = host.CompleteAsync(request, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<AnnotationException>(() => call);
        Assert.Equal(FailureReason.ModelTimeout, error.Reason);
        Assert.Contains("00:00:05", error.Message);
        await WaitUntilAsync(() => host.Scheduler!.ActiveCount == 0);
        var after = await host.CompleteAsync(Story(Openings[4], maxTokens: 4), CancellationToken.None);
        Assert.NotEmpty(after.Text);
    }

    [Fact]
    public async Task A_prompt_larger_than_the_context_fails_with_the_token_counts()
    {
        await using var host = await LoadedAsync();
        var longText = string.Join(' ', Enumerable.Repeat(Openings[5], 80));

        var error = await Assert.ThrowsAsync<AnnotationException>(() => host.CompleteAsync(Story(longText), CancellationToken.None));

        Assert.Equal(FailureReason.InvalidRequest, error.Reason);
        Assert.Matches("The prompt takes \\d+ tokens and up to 24 may be generated, \\d+ in all, more than the model context of 512 tokens", error.Message);
        Assert.NotEmpty((await host.CompleteAsync(Story(Openings[5], maxTokens: 4), CancellationToken.None)).Text);
    }

    [Fact]
    public async Task A_missing_model_file_fails_the_status_and_requests_as_retryable_model_unavailable()
    {
        using var dir = new TempDir();
        var path = dir.File("absent.gguf");
        await using var host = Create(o => o.Path = path);

        await host.LoadAsync();
        var error = await Assert.ThrowsAsync<AnnotationException>(() => host.CompleteAsync(Story("hi"), CancellationToken.None));

        Assert.Equal("failed", host.Status.State);
        Assert.False(host.Status.IsAvailable);
        Assert.Contains(path, host.Status.Reason);
        Assert.Equal(FailureReason.ModelUnavailable, error.Reason);
        Assert.True(error.Retryable);
        Assert.Contains("not found", error.Message);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("truncated-gguf")]
    public async Task A_file_that_is_no_valid_gguf_fails_the_status_without_crashing(string kind)
    {
        using var dir = new TempDir();
        var path = dir.File("broken.gguf");
        if (kind == "text")
        {
            await File.WriteAllTextAsync(path, "this is not a model");
        }
        else
        {
            // The right magic and version, then the first bytes of the real file cut short: llama.cpp must reject it.
            var real = await File.ReadAllBytesAsync(TestFiles.Model);
            await File.WriteAllBytesAsync(path, real.AsSpan(0, 200).ToArray());
        }
        await using var host = Create(o => o.Path = path);

        await host.LoadAsync();
        var error = await Assert.ThrowsAsync<AnnotationException>(() => host.CompleteAsync(Story("hi"), CancellationToken.None));

        Assert.Equal("failed", host.Status.State);
        Assert.False(string.IsNullOrWhiteSpace(host.Status.Reason));
        Assert.Equal(FailureReason.ModelUnavailable, error.Reason);
        Assert.True(error.Retryable);
    }

    [Fact]
    public async Task Without_a_configured_model_requests_fail_as_not_retryable_and_the_status_says_how_to_add_one()
    {
        await using var host = Create(o => o.Path = "");

        await host.StartAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<AnnotationException>(() => host.CompleteAsync(Story("hi"), CancellationToken.None));

        Assert.Equal("not-configured", host.Status.State);
        Assert.Contains("Annotate:Model:Path", host.Status.Reason);
        Assert.Contains("models pull", host.Status.Reason);
        Assert.Equal(FailureReason.ModelUnavailable, error.Reason);
        Assert.False(error.Retryable);
        Assert.Throws<AnnotationException>(() => host.CountTokens("hi"));
    }

    [Fact]
    public async Task Counting_tokens_uses_the_model_tokenizer_from_many_threads()
    {
        await using var host = await LoadedAsync();

        var counts = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => host.CountTokens(Openings[6]))));

        Assert.All(counts, c => Assert.Equal(counts[0], c));
        Assert.InRange(counts[0], 3, Openings[6].Length);
        Assert.True(host.CountTokens(Openings[6] + " " + Openings[6]) > counts[0]);
        Assert.Equal(0, host.CountTokens(""));
    }

    [Fact]
    public async Task The_health_check_follows_the_model_state()
    {
        await using var ready = await LoadedAsync();
        await using var missing = Create(o => o.Path = "/nowhere/model.gguf");
        await missing.LoadAsync();
        await using var none = Create(o => o.Path = null);

        var healthy = await new ModelHealthCheck(ready).CheckHealthAsync(new HealthCheckContext());
        var unhealthy = await new ModelHealthCheck(missing).CheckHealthAsync(new HealthCheckContext());
        var degraded = await new ModelHealthCheck(none).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(StoriesSha256, healthy.Data["sha256"]);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("/nowhere/model.gguf", unhealthy.Description);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("Annotate:Model:Path", degraded.Description);
    }

    [Fact]
    public async Task After_the_host_stops_requests_fail_as_retryable_model_unavailable()
    {
        var host = await LoadedAsync();
        await host.StopAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<AnnotationException>(() => host.CompleteAsync(Story("hi"), CancellationToken.None));

        Assert.Equal((FailureReason.ModelUnavailable, true), (error.Reason, error.Retryable));
        Assert.Contains("stopped", error.Message);
        await host.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Sequences are freed by the decode loop just after the caller's task ends: poll for that state, bounded
        // generously since a loaded machine can hold the decode loop's thread back for seconds.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
