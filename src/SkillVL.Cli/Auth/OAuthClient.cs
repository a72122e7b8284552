using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;

namespace SkillVL.Cli.Auth;

/// <summary>
/// The OAuth 2.0 / OpenID Connect calls the CLI makes to the identity provider: discovery, the device
/// authorization request (RFC 8628) and the token endpoint (device code and refresh token grants). The CLI
/// is a public client: it sends its client id and no secret.
/// </summary>
internal sealed class OAuthClient(HttpClient http)
{
    public const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";
    public const string RefreshTokenGrant = "refresh_token";

    /// <summary>RFC 8628 §3.2: the interval to use when the issuer names none.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    public async Task<OidcEndpoints> DiscoverAsync(string issuer, CancellationToken cancellationToken)
    {
        var url = new Uri(issuer.TrimEnd('/') + "/.well-known/openid-configuration", UriKind.Absolute);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var (status, root) = await SendAsync(request, url, cancellationToken);
        if (status is < 200 or > 299 || root.ValueKind != JsonValueKind.Object)
        {
            throw new CliException($"the identity provider's discovery document {url} could not be read (HTTP {status})", ExitCodes.Error);
        }

        var token = UriOf(root, "token_endpoint")
            ?? throw new CliException($"{url} names no token_endpoint", ExitCodes.Error);
        return new OidcEndpoints(token, UriOf(root, "device_authorization_endpoint"));
    }

    public async Task<DeviceAuthorization> AuthorizeDeviceAsync(Uri endpoint, string clientId, string? scope, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["client_id"] = clientId };
        if (!string.IsNullOrWhiteSpace(scope))
        {
            form["scope"] = scope;
        }

        using var request = FormRequest(endpoint, form);
        var (status, root) = await SendAsync(request, endpoint, cancellationToken);
        if (status is < 200 or > 299)
        {
            var error = ReadToken(root);
            throw new CliException($"the identity provider refused to start a device login: {error.ErrorText}", ExitCodes.Error);
        }

        var deviceCode = String(root, "device_code");
        var userCode = String(root, "user_code");
        var verificationUri = String(root, "verification_uri") ?? String(root, "verification_url");
        if (deviceCode is null || userCode is null || verificationUri is null)
        {
            throw new CliException(
                $"the identity provider's device authorization answer from {endpoint} lacks device_code, user_code or verification_uri",
                ExitCodes.Error);
        }

        return new DeviceAuthorization(
            deviceCode,
            userCode,
            verificationUri,
            String(root, "verification_uri_complete"),
            Seconds(root, "expires_in") ?? TimeSpan.FromMinutes(10),
            Seconds(root, "interval") ?? DefaultInterval);
    }

    /// <summary>One POST to the token endpoint; OAuth errors come back in the answer, not as exceptions.</summary>
    public async Task<TokenResponse> RequestTokenAsync(Uri endpoint, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = FormRequest(endpoint, form);
        var (status, root) = await SendAsync(request, endpoint, cancellationToken);
        var answer = ReadToken(root);
        if (status is >= 200 and <= 299 || answer.Error is not null)
        {
            return answer;
        }

        return answer with { Error = $"HTTP {status}" };
    }

    private static HttpRequestMessage FormRequest(Uri endpoint, IReadOnlyDictionary<string, string> form) =>
        new(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };

    private async Task<(int Status, JsonElement Root)> SendAsync(HttpRequestMessage request, Uri url, CancellationToken cancellationToken)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.Json));
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(SkillVlClient.DefaultRequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token);
            var body = await response.Content.ReadAsStringAsync(timeoutSource.Token);
            return ((int)response.StatusCode, Parse(body));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(url, $"no answer within {DurationParser.Format(SkillVlClient.DefaultRequestTimeout)}");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(url, e.Message);
        }
    }

    private static CliException Unreachable(Uri url, string reason) =>
        new($"cannot reach the identity provider at {url.GetLeftPart(UriPartial.Authority)}: {reason}", ExitCodes.ServerUnreachable);

    private static JsonElement Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page): the callers go by the status.
            return default;
        }
    }

    private static TokenResponse ReadToken(JsonElement root) => new(
        String(root, "access_token"),
        String(root, "refresh_token"),
        Seconds(root, "expires_in"),
        String(root, "error"),
        String(root, "error_description"));

    private static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static Uri? UriOf(JsonElement root, string name) =>
        String(root, name) is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>A number of seconds; some issuers send it as a string ("3600").</summary>
    private static TimeSpan? Seconds(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) && n >= 0 => TimeSpan.FromSeconds(n),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) =>
                TimeSpan.FromSeconds(n),
            _ => null,
        };
    }
}
