using SkillVL.Server.Logging;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11 finding 2: what the log sinks and the audit log write never carries a secret.</summary>
public sealed class LogRedactionTests
{
    private const string Jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJhYmMiLCJleHAiOjE3MDB9.c2lnbmF0dXJlLWJ5dGVz";

    [Theory]
    [InlineData("Request starting HTTP/1.1 GET http://127.0.0.1:8080/api/v1/events?room=r1&access_token=SECRET1 - - -",
        "Request starting HTTP/1.1 GET http://127.0.0.1:8080/api/v1/events?room=r1&access_token=[redacted] - - -")]
    [InlineData("GET /console/ws?ticket=SECRET1", "GET /console/ws?ticket=[redacted]")]
    [InlineData("/api/v1/events?ticket=SECRET1&room=r1", "/api/v1/events?ticket=[redacted]&room=r1")]
    [InlineData("/oidc/callback?code=SECRET1&state=s", "/oidc/callback?code=[redacted]&state=s")]
    [InlineData("grant_type=authorization_code&code=SECRET1&code_verifier=SECRET2&client_id=skillvl-web",
        "grant_type=authorization_code&code=[redacted]&code_verifier=[redacted]&client_id=skillvl-web")]
    [InlineData("username=ann&password=SECRET1&__RequestVerificationToken=x", "username=ann&password=[redacted]&__RequestVerificationToken=x")]
    [InlineData("grant_type=refresh_token&refresh_token=SECRET1&client_secret=SECRET2",
        "grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]")]
    [InlineData("/connect/logout?id_token_hint=SECRET1&post_logout_redirect_uri=x", "/connect/logout?id_token_hint=[redacted]&post_logout_redirect_uri=x")]
    [InlineData("?TOKEN=SECRET1", "?TOKEN=[redacted]")]
    [InlineData("/login?returnUrl=%2Fconnect%2Fauthorize%3Fclient_id%3Dw%26code%3DSECRET1", "/login?returnUrl=%2Fconnect%2Fauthorize%3Fclient_id%3Dw%26code%3D[redacted]")]
    public void Redact_SecretParameters_AreMasked(string text, string expected) =>
        Assert.Equal(expected, LogRedaction.Redact(text));

    [Theory]
    [InlineData("/connect/authorize?code_challenge=abc&code_challenge_method=S256&state=x")]
    [InlineData("error_code=42 tokens=3 mycode=7")]
    [InlineData("GET /api/v1/rooms/net-basics/machines/web 200 12 ms")]
    [InlineData("Executed DbCommand (1ms) [Parameters=[@p0='?' (Size = 12)]] SELECT \"u\".\"Id\" FROM \"Users\"")]
    public void Redact_HarmlessText_IsUnchanged(string text) =>
        Assert.Equal(text, LogRedaction.Redact(text));

    [Theory]
    [InlineData("Authorization: Bearer SECRET1", "Authorization: [redacted]")]
    [InlineData("authorization=Basic dXNlcjpwYXNz", "authorization=[redacted]")]
    [InlineData("Cookie: skillvl.login=SECRET1; other=x", "Cookie: [redacted]")]
    [InlineData("the header was Bearer SECRET1.part", "the header was Bearer [redacted]")]
    public void Redact_Headers_AreMasked(string text, string expected) =>
        Assert.Equal(expected, LogRedaction.Redact(text));

    [Fact]
    public void Redact_JsonSecrets_AreMasked()
    {
        var text = """{"access_token":"SECRET1","token_type":"Bearer","refresh_token": "SECRET2","name":"ci","secret":"SECRET3","password":"a\"b"}""";
        var redacted = LogRedaction.Redact(text)!;
        Assert.DoesNotContain("SECRET", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("a\\\"b", redacted, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"ci\"", redacted, StringComparison.Ordinal);
        Assert.Contains("\"token_type\":\"Bearer\"", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_ApiTokensAndJwts_AreMaskedWherever()
    {
        var text = $"token svl_AbCdEf0123456789-_xyzXYZ was used; failed to validate {Jwt} (expired)";
        Assert.Equal("token svl_[redacted] was used; failed to validate [redacted] (expired)", LogRedaction.Redact(text));
    }

    [Fact]
    public void Redact_ExceptionText_IsMaskedLineByLine()
    {
        var text = "System.Net.Http.HttpRequestException: GET http://x/agent?token=SECRET1 failed\n   at Foo.Bar()\nAuthorization: Bearer SECRET2\n   at Baz()";
        var redacted = LogRedaction.Redact(text)!;
        Assert.DoesNotContain("SECRET", redacted, StringComparison.Ordinal);
        Assert.Contains("   at Foo.Bar()\n", redacted, StringComparison.Ordinal);
        Assert.EndsWith("   at Baz()", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_IsIdempotent()
    {
        var once = LogRedaction.Redact("a?access_token=x&ticket=y Authorization: Bearer z svl_0123456789abcdef");
        Assert.Equal(once, LogRedaction.Redact(once));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Redact_Nothing_IsNothing(string? text) => Assert.Equal(text, LogRedaction.Redact(text));
}
