using Annotate.Annotators.Models.Download;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Annotate.Annotators.Tests.Models.Download;

public sealed class ModelsCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    private IConfiguration Configuration(string? modelsFolder = null) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Model:ModelsFolder"] = modelsFolder,
            ["Annotate:Model:Download:RetryDelay"] = "00:00:00.001",
        })
        .Build();

    private Task<int?> Run(IConfiguration configuration, ModelCatalog? catalog = null, params string[] args) =>
        ModelsCommand.RunAsync(args, configuration, _out, _err, catalog ?? ModelCatalog.BuiltIn, _http, progress: null, loggers: null, CancellationToken.None);

    [Theory]
    [InlineData]
    [InlineData("--urls", "http://localhost:5000")]
    [InlineData("modelsx", "list")]
    public async Task Arguments_that_are_not_a_models_command_return_null_so_the_host_starts(params string[] args)
    {
        Assert.Null(await ModelsCommand.TryRunAsync(args, Configuration()));
    }

    [Fact]
    public async Task Models_list_exits_with_zero()
    {
        Assert.Equal(0, await ModelsCommand.TryRunAsync(["models", "list", "--dir", _dir.Path], Configuration()));
    }

    [Fact]
    public async Task Models_list_prints_every_catalogue_model_and_marks_downloaded_ones()
    {
        File.WriteAllBytes(_dir.File("qwen2.5-0.5b-instruct-q4_k_m.gguf"), [1]);

        Assert.Equal(0, await Run(Configuration(_dir.Path), null, "models", "list"));

        var text = _out.ToString();
        Assert.Contains($"Models folder: {_dir.Path}", text);
        Assert.All(ModelCatalog.BuiltIn.Entries, e => Assert.Contains(e.Name, text));
        Assert.Contains("qwen2.5-0.5b-instruct  0.49 GB       Apache-2.0 [downloaded]", text);
        Assert.DoesNotContain("llama-3.2-1b-instruct  0.81 GB       Llama 3.2 Community License [downloaded]", text);
    }

    [Fact]
    public async Task Models_pull_of_a_url_downloads_into_dir_and_prints_how_to_use_the_file()
    {
        await using var server = new LoopbackFileServer().Serve("stories260K.gguf", File.ReadAllBytes(TestFiles.Model));
        var target = Path.Combine(_dir.Path, "sub");

        var exit = await Run(Configuration("elsewhere"), null, "models", "pull", server.Url("stories260K.gguf"), "--dir", target,
            "--sha256", "270CBA1BD5109F42D03350F60406024560464DB173C0E387D91F0426D3BD256D");

        Assert.Equal(0, exit);
        var path = Path.Combine(target, "stories260K.gguf");
        Assert.True(File.Exists(path));
        Assert.Contains($"Annotate__Model__Path={path}", _out.ToString());
        Assert.Contains("(verified in stories260K.gguf.sha256)", _out.ToString());
        Assert.Equal("", _err.ToString());
    }

    [Fact]
    public async Task Models_pull_uses_the_configured_models_folder_and_a_catalogue_name()
    {
        await using var server = new LoopbackFileServer().Serve("stories260K.gguf", File.ReadAllBytes(TestFiles.Model));
        var catalog = new ModelCatalog([new ModelCatalogEntry { Name = "stories", Url = server.Url("stories260K.gguf"), RecommendedContext = 512 }]);

        var exit = await Run(Configuration(_dir.Path), catalog, "models", "pull", "Stories");

        Assert.Equal(0, exit);
        Assert.True(File.Exists(_dir.File("stories260K.gguf")));
        Assert.Contains("not verified: no published hash", _out.ToString());
        Assert.Contains("\"ContextSize\": 512", _out.ToString());
    }

    [Fact]
    public async Task Models_pull_of_an_unknown_name_exits_with_one_and_lists_the_names()
    {
        var exit = await Run(Configuration(_dir.Path), null, "models", "pull", "no-such-model");

        Assert.Equal(1, exit);
        Assert.Contains("Unknown model 'no-such-model'", _err.ToString());
        Assert.Contains("qwen2.5-0.5b-instruct", _err.ToString());
    }

    [Theory]
    [InlineData("models", "pull")]
    [InlineData("models", "pull", "a", "b")]
    [InlineData("models", "push", "a")]
    [InlineData("models", "list", "--dir")]
    [InlineData("models", "pull", "a", "--sha256", "abc")]
    [InlineData("models", "list", "--verbose")]
    public async Task A_malformed_models_command_exits_with_two_and_shows_usage(params string[] args)
    {
        Assert.Equal(ModelsCommand.UsageError, await Run(Configuration(_dir.Path), null, args));
        Assert.Contains("Usage:", _err.ToString());
    }

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }
}
