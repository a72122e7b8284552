using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// Logs in at the Server's embedded issuer the way a browser and the CLI do, over plain HTTP: the authorization
/// code flow with PKCE through the login page, and the device flow's verification page.
/// </summary>
public static partial class EmbeddedLogin
{
    public const string WebClient = "skillvl-web";
    public const string CliClient = "skillvl-cli";

    /// <summary>Tokens from the token endpoint.</summary>
    public sealed record Tokens(string AccessToken, string? RefreshToken, int ExpiresIn);

    /// <summary>Authorization code + PKCE as the web UI does it; fails the test when login is refused.</summary>
    /// <param name="browser">A browser (<see cref="Browser"/>) to log in with and keep the login cookie in; default a fresh one.</param>
    public static async Task<Tokens> LoginAsync(string baseUrl, string username, string password, HttpClient? browser = null)
    {
        var (code, verifier) = await AuthorizeAsync(baseUrl, username, password, browser);
        Assert.True(code is not null, $"login of {username} gave no authorization code");
        using var http = new HttpClient();
        using var response = await http.PostAsync(baseUrl + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code!,
            ["redirect_uri"] = RedirectUri(baseUrl),
            ["client_id"] = WebClient,
            ["code_verifier"] = verifier,
        }));
        return await ReadTokensAsync(response);
    }

    /// <summary>Runs the browser part; the code, or null when the login page refused the credentials.</summary>
    public static async Task<(string? Code, string Verifier)> AuthorizeAsync(string baseUrl, string username, string password, HttpClient? browser = null)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        using var fresh = browser is null ? Browser(baseUrl) : null;
        browser ??= fresh!;
        using var first = await browser.GetAsync(AuthorizePath(baseUrl, challenge));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var loginUrl = first.Headers.Location!.ToString();
        Assert.StartsWith("/login?returnUrl=", loginUrl, StringComparison.Ordinal);

        var form = await browser.GetStringAsync(loginUrl);
        using var posted = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["returnUrl"] = Hidden(form, "returnUrl"),
            [AntiforgeryField(form)] = Hidden(form, AntiforgeryField(form)),
        }));
        if (posted.StatusCode == HttpStatusCode.Unauthorized)
        {
            return (null, verifier);
        }

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        using var back = await browser.GetAsync(posted.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var redirect = back.Headers.Location!.ToString();
        Assert.StartsWith(RedirectUri(baseUrl), redirect, StringComparison.Ordinal);
        Assert.Contains("state=test-state", redirect, StringComparison.Ordinal);
        return (CodeParameter().Match(redirect).Groups[1].Value is { Length: > 0 } c ? Uri.UnescapeDataString(c) : null, verifier);
    }

    /// <summary>The web client's authorization request with an S256 challenge.</summary>
    public static string AuthorizePath(string baseUrl, string challenge, string method = "S256") =>
        "/connect/authorize?" + Query(new()
        {
            ["client_id"] = WebClient,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri(baseUrl),
            ["scope"] = "openid profile offline_access skillvl",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
            ["state"] = "test-state",
        });

    /// <summary>Device flow: what the CLI asks for, the user approving in a browser, the CLI's token poll.</summary>
    public static async Task<Tokens> DeviceLoginAsync(string baseUrl, string username, string password)
    {
        using var cli = new HttpClient();
        using var device = await cli.PostAsync(baseUrl + "/connect/device", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = CliClient,
            ["scope"] = "openid profile offline_access skillvl",
        }));
        var json = JsonDocument.Parse(await device.Content.ReadAsStringAsync()).RootElement;
        Assert.True(device.IsSuccessStatusCode, json.ToString());
        var deviceCode = json.GetProperty("device_code").GetString()!;
        var userCode = json.GetProperty("user_code").GetString()!;
        var verification = json.GetProperty("verification_uri_complete").GetString()!;
        Assert.StartsWith(baseUrl + "/connect/verify", verification, StringComparison.Ordinal);

        // Before approval the CLI is told to keep waiting.
        using (var early = await PollAsync(cli, baseUrl, deviceCode))
        {
            Assert.Contains("authorization_pending", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await ApproveDeviceAsync(baseUrl, userCode, username, password);
        using var response = await PollAsync(cli, baseUrl, deviceCode);
        return await ReadTokensAsync(response);
    }

    /// <summary>The browser part of the device flow: open the verification page, sign in, approve the code.</summary>
    public static async Task ApproveDeviceAsync(string baseUrl, string userCode, string username, string password)
    {
        using var browser = Browser(baseUrl);
        var page = await browser.GetStringAsync("/connect/verify?user_code=" + Uri.EscapeDataString(userCode));
        using var approved = await browser.PostAsync("/connect/verify", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user_code"] = userCode,
            ["username"] = username,
            ["password"] = password,
            [AntiforgeryField(page)] = Hidden(page, AntiforgeryField(page)),
        }));
        Assert.True(approved.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK, $"approval answered {(int)approved.StatusCode}: {await approved.Content.ReadAsStringAsync()}");
    }

    public static async Task<Tokens> RefreshAsync(string baseUrl, string refreshToken, string clientId = WebClient)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(baseUrl + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        }));
        return await ReadTokensAsync(response);
    }

    private static Task<HttpResponseMessage> PollAsync(HttpClient cli, string baseUrl, string deviceCode) =>
        cli.PostAsync(baseUrl + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = deviceCode,
            ["client_id"] = CliClient,
        }));

    private static async Task<Tokens> ReadTokensAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint answered {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        return new Tokens(
            json.GetProperty("access_token").GetString()!,
            json.TryGetProperty("refresh_token", out var r) ? r.GetString() : null,
            json.GetProperty("expires_in").GetInt32());
    }

    /// <summary>
    /// A browser: keeps cookies, follows no redirect. <paramref name="from"/> is the loopback address it connects
    /// from (e.g. 127.0.0.2, still this machine), for what the Server decides by the client's address.
    /// </summary>
    public static HttpClient Browser(string baseUrl, IPAddress? from = null)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
    }

    public static string RedirectUri(string baseUrl) => baseUrl + "/oidc/callback";

    public static string AntiforgeryField(string html) => AntiforgeryName().Match(html).Groups[1].Value;

    public static string Hidden(string html, string name) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value);

    private static string Query(Dictionary<string, string> values) =>
        string.Join('&', values.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("name=\"(__RequestVerificationToken[^\"]*)\"")]
    private static partial Regex AntiforgeryName();

    [GeneratedRegex("[?&]code=([^&]+)")]
    private static partial Regex CodeParameter();
}
