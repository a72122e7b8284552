using SkillVL.Cli.Configuration;

namespace SkillVL.Cli.Auth;

/// <summary>
/// Renews the OIDC access token <c>skillvl login</c> saved, with its refresh token, when it has expired or the
/// server refused it — at most once per command — and saves the new tokens where the old ones were.
/// </summary>
internal sealed class TokenRefresher(HttpClient http, LoginSession session, TimeProvider timeProvider, TextWriter error)
{
    public const string SessionExpiredMessage = "session expired: run skillvl login";

    /// <summary>A token this close to its expiry is renewed first: it could expire on the way to the server.</summary>
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(30);

    private SavedOidcLogin oidc = session.Oidc;
    private bool renewed;

    /// <summary>The token to send: <paramref name="token"/>, or a renewed one when that has expired.</summary>
    public async Task<string?> BeforeRequestAsync(string? token, CancellationToken cancellationToken)
    {
        var expired = oidc.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow() + ExpirySkew;
        return !renewed && expired && oidc.RefreshToken is not null
            ? await RenewAsync(cancellationToken)
            : token;
    }

    /// <summary>
    /// After a 401: a renewed token to try once more, or null when the token was renewed already in this command
    /// (then the refusal stands). Throws "session expired" when the token cannot be renewed.
    /// </summary>
    public async Task<string?> AfterRefusalAsync(CancellationToken cancellationToken) =>
        renewed ? null : await RenewAsync(cancellationToken);

    private async Task<string> RenewAsync(CancellationToken cancellationToken)
    {
        renewed = true;
        if (oidc.RefreshToken is not { Length: > 0 } refreshToken
            || oidc.ClientId is not { Length: > 0 } clientId
            || !Uri.TryCreate(oidc.TokenEndpoint, UriKind.Absolute, out var endpoint))
        {
            throw new CliException(SessionExpiredMessage, ExitCodes.Error);
        }

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = OAuthClient.RefreshTokenGrant,
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        };
        var answer = await new OAuthClient(http).RequestTokenAsync(endpoint, form, cancellationToken);
        if (!answer.IsSuccess && RenewedElsewhere(refreshToken) is { } saved)
        {
            // Another skillvl renewed first, and the issuer rotates refresh tokens: use what it saved.
            oidc = saved.Oidc!;
            return saved.Token!;
        }

        if (!answer.IsSuccess)
        {
            throw new CliException($"{SessionExpiredMessage} (the identity provider refused to renew it: {answer.ErrorText})", ExitCodes.Error);
        }

        // Issuers that rotate refresh tokens send a new one; the others keep the old one valid.
        oidc = oidc with
        {
            RefreshToken = answer.RefreshToken ?? refreshToken,
            ExpiresAt = answer.ExpiresIn is { } lifetime ? timeProvider.GetUtcNow() + lifetime : null,
        };
        try
        {
            ConfigFileWriter.SaveRenewedToken(session.ConfigPath, answer.AccessToken!, oidc);
        }
        catch (CliException e)
        {
            // This command still goes on with the new token; the next one renews again.
            await error.WriteLineAsync($"skillvl: warning: the renewed token was not saved: {e.Message}".AsMemory(), cancellationToken);
        }

        return answer.AccessToken!;
    }

    /// <summary>The config file as saved since this command read it, when it holds another login's tokens.</summary>
    private ConfigFile? RenewedElsewhere(string refreshToken)
    {
        try
        {
            var file = ConnectionSettingsResolver.Load(session.ConfigPath);
            return file is { Token.Length: > 0, Oidc.RefreshToken.Length: > 0 } && file.Oidc.RefreshToken != refreshToken ? file : null;
        }
        catch (CliException)
        {
            return null;
        }
    }
}
