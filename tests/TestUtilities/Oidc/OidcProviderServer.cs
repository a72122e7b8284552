using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SkillVL.TestUtilities.Oidc;

/// <summary>
/// A real external OIDC provider for tests: npm's oidc-provider run by <c>node tests/oidc-provider/server.mjs</c>
/// as a Keycloak look-alike on 127.0.0.1 (JWT access tokens with <c>realm_access</c>, <c>resource_access</c>,
/// <c>groups</c>, <c>azp</c>; a login form that checks passwords). Logs in like a browser with HttpClient only:
/// authorization code + PKCE S256. Disposing stops the node process (SIGTERM, then SIGKILL, by its pid) and
/// removes the temp directory holding the users and keys files.
/// Needs <c>tests/oidc-provider/install.sh</c> to have run (scripts/bootstrap.sh does).
/// </summary>
public sealed partial class OidcProviderServer : IAsyncDisposable
{
    private const int Sigterm = 15;

    /// <summary>Enough for login form → /auth/:uid resume → redirect_uri; more means a redirect loop.</summary>
    private const int MaxRedirects = 10;

    private const int KeptOutputLines = 400;

    /// <summary>oidc-provider closes its connections at once on SIGTERM; 10 s only guards a hung node.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("svl-oidc");
    private readonly ConcurrentQueue<string> _output = new();
    private readonly List<OidcSigningKey> _keys = [];
    private Process? _process;
    private int _starts;

    private OidcProviderServer(OidcProviderOptions options)
    {
        Options = options;
    }

    public OidcProviderOptions Options { get; }

    /// <summary>The provider's issuer, <c>http://127.0.0.1:PORT</c> (no trailing slash), as in the tokens' <c>iss</c>.</summary>
    public string Issuer { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary><c>{Issuer}/.well-known/openid-configuration</c>.</summary>
    public Uri DiscoveryUri => new(Issuer + "/.well-known/openid-configuration");

    /// <summary>The kid of the key that signs new tokens (the first published key).</summary>
    public string SigningKeyId => _keys[0].KeyId;

    /// <summary>The keys the provider publishes at its jwks_uri, the signing key first.</summary>
    public IReadOnlyList<OidcSigningKey> PublishedKeys => [.. _keys];

    /// <summary>Exit code of the last provider process stopped (by a rotation); 0 = it exited cleanly on SIGTERM.</summary>
    public int? LastExitCode { get; private set; }

    /// <summary>The provider's last stdout/stderr lines (oidc-provider warnings, failed logins, errors).</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>Starts the provider with a fresh signing key and waits until it listens.</summary>
    public static async Task<OidcProviderServer> StartAsync(OidcProviderOptions options, CancellationToken cancellationToken = default)
    {
        if (options.AccessTokenLifetime < TimeSpan.FromSeconds(1) || options.AccessTokenLifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException($"AccessTokenLifetime must be whole seconds, at least 1: {options.AccessTokenLifetime}.", nameof(options));
        }

        var server = new OidcProviderServer(options);
        try
        {
            server._keys.Add(OidcSigningKey.Generate());
            await File.WriteAllTextAsync(
                Path.Combine(server._directory.Path, "users.json"),
                JsonSerializer.Serialize(options.Users),
                cancellationToken);
            await server.LaunchAsync(options.Port, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Rotates the signing key the way an operator does: the provider restarts on the same port with a new
    /// first key, and with the old signing key second when <paramref name="keepOld"/> (tokens it signed still
    /// verify against the JWKS). Sessions do not survive the restart. Returns the new key.
    /// </summary>
    public async Task<OidcSigningKey> RotateKeysAsync(bool keepOld, CancellationToken cancellationToken = default)
    {
        var key = OidcSigningKey.Generate();
        var previous = _keys[0];
        _keys.Clear();
        _keys.Add(key);
        if (keepOld)
        {
            _keys.Add(previous);
        }

        await StopAsync();
        await LaunchAsync(Port, cancellationToken);
        return key;
    }

    /// <summary>Logs in as a browser would (authorization code + PKCE) and returns the access token; throws if the login fails.</summary>
    public async Task<string> GetAccessTokenAsync(string username, string password, CancellationToken cancellationToken)
    {
        var result = await LoginAsync(username, password, cancellationToken);
        return result.AccessToken
            ?? throw new InvalidOperationException($"Login as '{username}' at {Issuer} failed: {result.LoginError}");
    }

    /// <summary>Logs in expecting the provider to refuse (wrong password, unknown user); returns the form's error message.</summary>
    public async Task<string> GetAccessTokenExpectingFailureAsync(string username, string password, CancellationToken cancellationToken)
    {
        var result = await LoginAsync(username, password, cancellationToken);
        return result.Succeeded
            ? throw new InvalidOperationException($"Login as '{username}' at {Issuer} was expected to fail but got a token.")
            : result.LoginError!;
    }

    /// <summary>
    /// The authorization-code flow with PKCE S256, with a fresh cookie jar (so a fresh provider session): GET the
    /// authorization endpoint, follow redirects to the login form, post the credentials, follow redirects until
    /// one points at the client's redirect URI (never connected to), then redeem the code at the token endpoint.
    /// </summary>
    public async Task<OidcLoginResult> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        using var browser = NewBrowser();
        var discovery = await GetDiscoveryAsync(browser, cancellationToken);
        var verifier = RandomUrlSafe(32);
        var state = RandomUrlSafe(16);
        var redirectUri = Options.RedirectUri.ToString();
        var authorize = discovery.AuthorizationEndpoint + "?" + Query(new Dictionary<string, string>
        {
            ["client_id"] = Options.ClientId,
            ["response_type"] = "code",
            ["scope"] = "openid profile",
            ["redirect_uri"] = redirectUri,
            ["code_challenge"] = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["state"] = state,
            ["nonce"] = RandomUrlSafe(16),
        });

        using var first = new HttpRequestMessage(HttpMethod.Get, authorize);
        var response = await browser.SendAsync(first, cancellationToken);
        var posted = false;
        for (var hop = 0; ; hop++)
        {
            using var current = response;
            if (hop > MaxRedirects)
            {
                throw new InvalidOperationException($"More than {MaxRedirects} hops logging in at {Issuer}; last {current.RequestMessage?.RequestUri}.");
            }

            if (IsRedirect(current.StatusCode))
            {
                var location = new Uri(current.RequestMessage!.RequestUri!, current.Headers.Location!);
                if (location.ToString().StartsWith(redirectUri, StringComparison.Ordinal))
                {
                    return await RedeemAsync(browser, discovery, location, state, verifier, cancellationToken);
                }

                using var next = new HttpRequestMessage(HttpMethod.Get, location);
                response = await browser.SendAsync(next, cancellationToken);
                continue;
            }

            var body = await current.Content.ReadAsStringAsync(cancellationToken);
            if (current.StatusCode != HttpStatusCode.OK || LoginFormAction().Match(body) is not { Success: true } form)
            {
                throw new InvalidOperationException(
                    $"Unexpected {(int)current.StatusCode} from {current.RequestMessage?.RequestUri} logging in at {Issuer}: {Truncate(body)}\n{RecentOutput}");
            }

            if (posted)
            {
                // The form again after our post: the provider refused the credentials (as Keycloak does, 200 + message).
                var error = LoginError().Match(body);
                return new OidcLoginResult(null, null, error.Success ? WebUtility.HtmlDecode(error.Groups[1].Value) : "login form shown again");
            }

            posted = true;
            var action = new Uri(current.RequestMessage!.RequestUri!, WebUtility.HtmlDecode(form.Groups[1].Value));
            using var login = new HttpRequestMessage(HttpMethod.Post, action)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password }),
            };
            response = await browser.SendAsync(login, cancellationToken);
        }
    }

    /// <summary>The provider's JWKS document (public keys), fetched from the discovery document's jwks_uri.</summary>
    public async Task<string> GetJwksJsonAsync(CancellationToken cancellationToken)
    {
        using var client = NewBrowser();
        var discovery = await GetDiscoveryAsync(client, cancellationToken);
        using var response = await client.GetAsync(discovery.JwksUri, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            // Belt and braces: anything still naming our (unique) temp directory in its argv is a node we started.
            await ProcessReaper.KillAllUnderAsync(_directory.Path);
            _directory.Dispose();
        }
    }

    private async Task LaunchAsync(int port, CancellationToken cancellationToken)
    {
        var providerDirectory = Path.Combine(RepositoryRoot.Find(), "tests", "oidc-provider");
        if (!Directory.Exists(Path.Combine(providerDirectory, "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException($"{providerDirectory}/node_modules is missing: run tests/oidc-provider/install.sh (scripts/bootstrap.sh does).");
        }

        var keysFile = Path.Combine(_directory.Path, $"keys-{++_starts}.json");
        var jwks = new JsonObject { ["keys"] = new JsonArray([.. _keys.Select(k => (JsonNode)k.ToPrivateJwk())]) };
        await File.WriteAllTextAsync(keysFile, jwks.ToJsonString(), cancellationToken);

        // A fixed port (a rotation) can still be held for a moment by the process that just exited.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchOnceAsync(providerDirectory, keysFile, port, cancellationToken);
                return;
            }
            catch (InvalidOperationException) when (port != 0 && attempt < 5 && RecentOutput.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    private async Task LaunchOnceAsync(string providerDirectory, string keysFile, int port, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = providerDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(providerDirectory, "server.mjs"),
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--keys", keysFile,
            "--users", Path.Combine(_directory.Path, "users.json"),
            "--access-ttl", ((long)Options.AccessTokenLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--client-id", Options.ClientId,
            "--redirect-uri", Options.RedirectUri.ToString(),
            "--audience", Options.Audience,
            // We hold its stdin: if the test host dies, node sees EOF and exits.
            "--exit-on-stdin-close",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource<ReadyLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Remember(e.Data);
            if (!ready.Task.IsCompleted && e.Data.StartsWith('{'))
            {
                try
                {
                    ready.TrySetResult(JsonSerializer.Deserialize<ReadyLine>(e.Data, JsonSerializerOptions.Web)!);
                }
                catch (JsonException)
                {
                    // Not the ready line.
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Remember(e.Data);
            }
        };

        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.StartTimeout);
        var exited = process.WaitForExitAsync(timeout.Token);
        if (await Task.WhenAny(ready.Task, exited) != ready.Task)
        {
            var why = process.HasExited ? $"exited with {process.ExitCode}" : $"was not ready within {Options.StartTimeout.TotalSeconds:0} s";
            await StopAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"The test OIDC provider (node server.mjs --port {port}) {why}:\n{RecentOutput}");
        }

        var line = await ready.Task;
        Issuer = line.Issuer;
        Port = line.Port;
    }

    /// <summary>SIGTERM (server.mjs closes and exits 0), SIGKILL if it hangs; only the pid we started.</summary>
    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        using (process)
        {
            if (process.HasExited)
            {
                LastExitCode = process.ExitCode;
                return;
            }

            _ = Kill(process.Id, Sigterm);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                LastExitCode = process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                Remember($"no exit {StopTimeout.TotalSeconds:0} s after SIGTERM; killing pid {process.Id}");
                process.Kill();
                await Bounded.WithinAsync(process.WaitForExitAsync(), StopTimeout, $"node pid {process.Id} to die after SIGKILL");
                LastExitCode = process.ExitCode;
            }
        }
    }

    private async Task<OidcLoginResult> RedeemAsync(
        HttpClient browser, Discovery discovery, Uri callback, string state, string verifier, CancellationToken cancellationToken)
    {
        var parameters = System.Web.HttpUtility.ParseQueryString(callback.Query);
        if (parameters["error"] is { } error)
        {
            throw new InvalidOperationException($"{Issuer} redirected with error {error}: {parameters["error_description"]}");
        }

        if (parameters["state"] != state || parameters["code"] is not { } code)
        {
            throw new InvalidOperationException($"{Issuer} redirected without a code or with a foreign state: {callback}");
        }

        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = Options.RedirectUri.ToString(),
            ["client_id"] = Options.ClientId,
            ["code_verifier"] = verifier,
        });
        using var response = await browser.PostAsync(discovery.TokenEndpoint, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Token endpoint {discovery.TokenEndpoint} answered {(int)response.StatusCode}: {Truncate(body)}");
        }

        using var tokens = JsonDocument.Parse(body);
        return new OidcLoginResult(
            tokens.RootElement.GetProperty("access_token").GetString(),
            tokens.RootElement.TryGetProperty("id_token", out var idToken) ? idToken.GetString() : null,
            null);
    }

    private async Task<Discovery> GetDiscoveryAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(DiscoveryUri, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        return new Discovery(
            root.GetProperty("authorization_endpoint").GetString()!,
            root.GetProperty("token_endpoint").GetString()!,
            root.GetProperty("jwks_uri").GetString()!);
    }

    /// <summary>A client that acts like a browser: own cookie jar, redirects followed by hand so we can stop at the redirect URI.</summary>
    private static HttpClient NewBrowser() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            Timeout = HttpTimeout,
        };

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.MovedPermanently
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string Query(IReadOnlyDictionary<string, string> parameters) =>
        string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    private static string RandomUrlSafe(int bytes) => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + "…";

    private void Remember(string line)
    {
        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    // DllImport, not LibraryImport: the generator would need AllowUnsafeBlocks for this one int-only call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>server.mjs's form: see loginPage() there.</summary>
    [GeneratedRegex("""<form id="login" method="post" action="([^"]+)">""")]
    private static partial Regex LoginFormAction();

    [GeneratedRegex("""<p id="login-error">([^<]*)</p>""")]
    private static partial Regex LoginError();

    private sealed record ReadyLine(string Issuer, int Port);

    private sealed record Discovery(string AuthorizationEndpoint, string TokenEndpoint, string JwksUri);
}
