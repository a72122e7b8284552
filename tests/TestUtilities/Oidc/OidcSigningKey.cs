using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SkillVL.TestUtilities.Oidc;

/// <summary>
/// An RSA signing key for the test OIDC provider, written to its keys file as a private JWK (RFC 7517/7518).
/// Plain System.Security.Cryptography, so TestUtilities needs no IdentityModel package.
/// </summary>
public sealed class OidcSigningKey
{
    private readonly RSAParameters _parameters;

    private OidcSigningKey(string keyId, RSAParameters parameters)
    {
        KeyId = keyId;
        _parameters = parameters;
    }

    /// <summary>The JWK's <c>kid</c>, which the tokens it signs carry in their header.</summary>
    public string KeyId { get; }

    /// <summary>A fresh 2048-bit key (the size Keycloak generates) with a fresh kid.</summary>
    public static OidcSigningKey Generate()
    {
        using var rsa = RSA.Create(2048);
        return new OidcSigningKey("svl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), rsa.ExportParameters(includePrivateParameters: true));
    }

    /// <summary>The key as an <see cref="RSA"/> (private part included), e.g. to forge a token the provider never signed.</summary>
    public RSA CreateRsa() => RSA.Create(_parameters);

    public JsonObject ToPublicJwk() => new()
    {
        ["kty"] = "RSA",
        ["kid"] = KeyId,
        ["use"] = "sig",
        ["alg"] = "RS256",
        ["n"] = Encode(_parameters.Modulus),
        ["e"] = Encode(_parameters.Exponent),
    };

    public JsonObject ToPrivateJwk()
    {
        var jwk = ToPublicJwk();
        jwk["d"] = Encode(_parameters.D);
        jwk["p"] = Encode(_parameters.P);
        jwk["q"] = Encode(_parameters.Q);
        jwk["dp"] = Encode(_parameters.DP);
        jwk["dq"] = Encode(_parameters.DQ);
        jwk["qi"] = Encode(_parameters.InverseQ);
        return jwk;
    }

    private static string Encode(byte[]? value) =>
        Base64Url.EncodeToString(value ?? throw new InvalidOperationException("RSA parameter missing."));
}
