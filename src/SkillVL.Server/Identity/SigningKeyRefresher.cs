using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace SkillVL.Server.Identity;

/// <summary>
/// Key rotation without a failed request: when an external token names a key id the cached JWKS lacks, JwtBearer
/// only schedules a refresh and refuses the token. This fetches the issuer's discovery document and keys at once
/// (at most once per key refresh interval) and validates the token again with them.
/// </summary>
public sealed class SigningKeyRefresher(TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _lastFetch = DateTimeOffset.MinValue;
    private OpenIdConnectConfiguration? _fresh;

    public void Dispose() => _gate.Dispose();

    /// <summary>The validated token, or null when it is still not valid with the issuer's current keys.</summary>
    public async Task<JsonWebToken?> RevalidateAsync(JwtBearerOptions options, string token, TimeSpan minimumInterval, CancellationToken cancellationToken)
    {
        var configuration = await FetchAsync(options, minimumInterval, cancellationToken);
        if (configuration is null)
        {
            return null;
        }

        var parameters = options.TokenValidationParameters.Clone();
        parameters.ValidIssuer = configuration.Issuer;
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
        return result.IsValid ? result.SecurityToken as JsonWebToken : null;
    }

    private async Task<OpenIdConnectConfiguration?> FetchAsync(JwtBearerOptions options, TimeSpan minimumInterval, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - _lastFetch < minimumInterval)
            {
                return _fresh;
            }

            _lastFetch = time.GetUtcNow();
            var retriever = new HttpDocumentRetriever(options.Backchannel) { RequireHttps = options.RequireHttpsMetadata };
            try
            {
                _fresh = await OpenIdConnectConfigurationRetriever.GetAsync(options.MetadataAddress, retriever, cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException or TaskCanceledException)
            {
                return _fresh;
            }

            // The handler's own cache follows on its next refresh; make it come soon.
            options.ConfigurationManager?.RequestRefresh();
            return _fresh;
        }
        finally
        {
            _gate.Release();
        }
    }
}
