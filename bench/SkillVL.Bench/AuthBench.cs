using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Server.Identity;

namespace SkillVL.Bench;

/// <summary>
/// Token validation overhead (issue 3): the same small anonymous endpoint (/api/v1/auth/config) requested with no
/// credentials ("auth off", the baseline of the same run), with an OIDC access token of the embedded issuer and
/// with a personal API token — authentication runs for any request that carries a bearer, so the difference is
/// the cost of validating it. Then an authorized API route (/api/v1/me). Sequential latency p50/p99 and
/// throughput with concurrent clients.
/// </summary>
public static class AuthBench
{
    public static async Task<string> RunAsync(int requests, int concurrency, TimeSpan duration)
    {
        await using var server = await EmbeddedServer.StartAsync("auth", image: null);
            var baseUrl = server.BaseUrl;
            var pat = server.AdminToken;
            using var admin = Client(baseUrl, pat);
            var adminId = (await admin.GetFromJsonAsync<MeInfo>(ApiPaths.Me))!.User.Id;
            // A token exactly as the embedded issuer signs it (same key, issuer, audience, claims shape).
            var jwt = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = baseUrl + "/",
                Audience = "skillvl",
                Expires = DateTime.UtcNow.AddHours(1),
                Claims = new Dictionary<string, object> { ["sub"] = adminId, ["role"] = "admin", ["scope"] = "openid skillvl" },
                SigningCredentials = new SigningCredentials(IssuerKeys.LoadOrCreate(Path.Combine(server.Root, "data")).Signing, SecurityAlgorithms.RsaSha256),
            });

            var cases = new (string Name, string Path, string? Bearer)[]
            {
                ("no credentials (auth off)", ApiPaths.AuthConfig, null),
                ("OIDC JWT", ApiPaths.AuthConfig, jwt),
                ("API token", ApiPaths.AuthConfig, pat),
                ("GET /api/v1/me, OIDC JWT", ApiPaths.Me, jwt),
                ("GET /api/v1/me, API token", ApiPaths.Me, pat),
            };
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, Server in the bench process, loopback HTTP/1.1; {requests} sequential requests per case (after 1000 warm-up, in 6 interleaved rounds), then {concurrency} concurrent clients for {duration.TotalSeconds:F0} s per case (two interleaved halves).");
            report.AppendLine();
            report.AppendLine("| request | p50 (µs) | p99 (µs) | overhead p50 vs auth off (µs) | throughput (req/s) | ratio to auth off |");
            report.AppendLine("|---|---:|---:|---:|---:|---:|");
            // Interleaved: every case is warmed up first, then measured in rounds that alternate the cases, so JIT
            // tiering and machine drift do not favour whichever case runs last.
            var clients = cases.Select(c => Client(baseUrl, c.Bearer)).ToArray();
            const int Rounds = 6;
            var samples = cases.Select(_ => new List<double>()).ToArray();
            var rates = cases.Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < cases.Length; i++)
            {
                for (var w = 0; w < 1000; w++)
                {
                    (await clients[i].GetAsync(cases[i].Path)).EnsureSuccessStatusCode();
                }
            }

            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < cases.Length; i++)
                {
                    for (var n = 0; n < requests / Rounds; n++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        using var response = await clients[i].GetAsync(cases[i].Path);
                        response.EnsureSuccessStatusCode();
                        samples[i].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    }

                    if (round < 2)
                    {
                        rates[i].Add(await ThroughputAsync(baseUrl, cases[i].Path, cases[i].Bearer, concurrency, duration / 2));
                    }
                }
            }

            double baseP50 = 0, baseRate = 0;
            for (var i = 0; i < cases.Length; i++)
            {
                var (name, path, bearer) = cases[i];
                var sorted = samples[i].Order().ToArray();
                var p50 = sorted[sorted.Length / 2];
                var p99 = sorted[(int)(sorted.Length * 0.99)];
                var rate = rates[i].Average();
                if (bearer is null)
                {
                    (baseP50, baseRate) = (p50, rate);
                }

                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {p50:F0} | {p99:F0} | {(path == ApiPaths.AuthConfig ? (p50 - baseP50).ToString("F0", CultureInfo.InvariantCulture) : "—")} | {rate:F0} | {rate / baseRate:F2} |");
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }

            return report.ToString();
    }

    private static async Task<double> ThroughputAsync(string baseUrl, string path, string? bearer, int concurrency, TimeSpan duration)
    {
        var count = 0L;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            using var client = Client(baseUrl, bearer);
            while (stop.Elapsed < duration)
            {
                using var response = await client.GetAsync(path);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref count);
            }
        });
        await Task.WhenAll(workers);
        return count / stop.Elapsed.TotalSeconds;
    }

    private static HttpClient Client(string baseUrl, string? bearer)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

}
