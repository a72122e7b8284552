using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using SkillVL.Server.Host;
using SkillVL.Server.Hosting;

namespace SkillVL.Experiments.Host;

/// <summary>An embedded Server in this process (the experiment runner, the bench) on a free loopback port, with its own
/// directories under /tmp: a run never touches the Server of this machine, and leaves nothing behind.</summary>
public sealed class EmbeddedServer : IAsyncDisposable
{
    private EmbeddedServer(WebApplication app, string root, string baseUrl)
    {
        App = app;
        Root = root;
        BaseUrl = baseUrl;
        AdminToken = File.ReadAllText(Path.Combine(root, "data", "admin-token")).Trim();
        Client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public WebApplication App { get; }

    public string Root { get; }

    public string BaseUrl { get; }

    public string AdminToken { get; }

    /// <summary>Authenticated as the admin (API token).</summary>
    public HttpClient Client { get; }

    public string RuntimeDirectory => Path.Combine(Root, "run");

    public static async Task<EmbeddedServer> StartAsync(string suite, string? image, Action<SkillVlServerOptions>? configure = null)
    {
        var root = Path.Combine("/tmp", $"svl-bench-{suite}-" + Guid.NewGuid().ToString("N")[..6]);
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var app = ServerHost.Build(["--Logging:LogLevel:Default=Warning"], o =>
        {
            o.DataDirectory = Path.Combine(root, "data");
            o.RuntimeDirectory = Path.Combine(root, "run");
            o.Listen = baseUrl;
            o.CliConfigPath = "";
            o.Accelerator = "tcg";
            o.TemplateSources = image is null ? [] : [image];
            o.ReconcileBusyInterval = TimeSpan.FromMilliseconds(250);
            configure?.Invoke(o);
        });
        await app.StartAsync();
        return new EmbeddedServer(app, root, baseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
