using System.Text.RegularExpressions;

namespace SkillVL.Server.Logging;

/// <summary>
/// The one place that takes secrets out of text before it is written anywhere (the console and file log sinks,
/// the audit log): credentials in query strings and forms (<c>access_token=</c>, <c>ticket=</c>, <c>code=</c> …, also
/// URL-encoded inside another URL), Authorization/Cookie headers, JSON properties that carry secrets, and — wherever
/// they appear — personal API tokens (<c>svl_…</c>) and JWTs. Issue 11 finding 2: the event stream's URL carried
/// the access token into a world-readable log. Over-redacting is fine; a log line never needs a secret.
/// </summary>
public static partial class LogRedaction
{
    public const string Mask = "[redacted]";

    /// <summary>Parameter and property names whose values are secrets.</summary>
    private const string SecretNames =
        "access_token|refresh_token|id_token|id_token_hint|token|ticket|code|device_code|user_code|code_verifier|password|client_secret|secret|api_key|apikey";

    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var redacted = QueryParameter().Replace(text, m => m.Groups["name"].Value + m.Groups["eq"].Value + Mask);
        redacted = JsonProperty().Replace(redacted, m => m.Groups["key"].Value + "\"" + Mask + "\"");
        redacted = AuthorizationHeader().Replace(redacted, m => m.Groups["name"].Value + Mask);
        redacted = Credential().Replace(redacted, m => m.Groups["scheme"].Value + " " + Mask);
        redacted = ApiToken().Replace(redacted, "svl_" + Mask);
        return Jwt().Replace(redacted, Mask);
    }

    /// <summary>
    /// name=value in a URL, query string, form or free text; the name must start a word (so <c>error_code=</c> and
    /// <c>code_challenge=</c> stay), or follow an encoded <c>?</c>/<c>&amp;</c> inside another URL (returnUrl=…%26code%3D…).
    /// </summary>
    [GeneratedRegex(@"(?<name>(?:(?<![\w.-])|(?<=%26)|(?<=%3F))(?:" + SecretNames + @"))(?<eq>=|%3D)(?!\[redacted\])[^&\s""'#;<>,)]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();

    /// <summary>"password": "…" (and the other secret names) in JSON.</summary>
    [GeneratedRegex(@"(?<key>""(?:" + SecretNames + @")""\s*:\s*)""(?:[^""\\]|\\.)*""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonProperty();

    /// <summary>Authorization, Proxy-Authorization, Cookie and Set-Cookie headers: the whole value up to the line's end.</summary>
    [GeneratedRegex(@"(?<name>\b(?:Proxy-)?Authorization\s*[:=]\s*|\b(?:Set-)?Cookie\s*[:=]\s*)(?!\s*\[redacted\])[^\r\n]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationHeader();

    /// <summary>"Bearer …" / "Basic …" wherever it stands.</summary>
    [GeneratedRegex(@"\b(?<scheme>Bearer|Basic)\s+(?!\[redacted\])[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Credential();

    /// <summary>Personal API tokens and the admin token (ApiTokenService.Prefix + base64url).</summary>
    [GeneratedRegex(@"\bsvl_(?!\[redacted\])[A-Za-z0-9_-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex ApiToken();

    /// <summary>A JWT (header.payload.signature, both JSON parts base64url of "{").</summary>
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();
}
