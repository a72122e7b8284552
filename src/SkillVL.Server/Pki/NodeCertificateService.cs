using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SkillVL.Agent.Remote;
using SkillVL.Agent.Tls;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Pki;

/// <summary>
/// Gives nodes their QEMU TLS credentials from the platform CA (ADR 0011): answers a remote agent's
/// <see cref="NodeTlsCalls"/> on its connection, and runs the same enrolment for the embedded node in-process —
/// at start (<see cref="EnsureLocalAsync"/>, called before the Server opens) and every
/// <see cref="NodeCertificatePolicy.RecheckInterval"/> after. Every issue or refusal is audited as node.certificate.
/// </summary>
public sealed class NodeCertificateService(
    PlatformCertificateAuthority ca,
    AuditService audit,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<NodeCertificateService> logger) : BackgroundService
{
    /// <summary>The embedded node's name (it has no underlay address: it takes part in no tunnel).</summary>
    public const string LocalNode = "local";

    /// <summary>The platform CA's certificate (PEM).</summary>
    public string CaCertificatePem => ca.CertificatePem;

    /// <summary>Answers an agent's call. The names are the Server's: the authenticated node and the underlay it reported.</summary>
    public async Task<AgentMessage> AnswerAsync(AgentMessage request, string nodeName, string? underlayAddress, string? remoteAddress)
    {
        try
        {
            object result = request.Method switch
            {
                NodeTlsCalls.GetCa => new NodeTlsCalls.CaCertificate(ca.CertificatePem),
                NodeTlsCalls.Issue => await IssueAsync(
                    (request.Params is { } p ? p.Deserialize<NodeTlsCalls.IssueRequest>(AgentChannel.Json) : null)?.Csr ?? "",
                    nodeName,
                    IPAddress.TryParse(underlayAddress, out var address) ? address : null,
                    remoteAddress),
                _ => throw new DriverException($"The Server does not know the call '{request.Method}' (a newer agent?)."),
            };
            return new AgentMessage { Type = AgentMessage.Response, Id = request.Id, Result = JsonSerializer.SerializeToElement(result, AgentChannel.Json) };
        }
        catch (CertificateRequestRefusedException e)
        {
            return new AgentMessage { Type = AgentMessage.Response, Id = request.Id, Error = new AgentError("refused", e.Message, Transient: false) };
        }
        catch (Exception e)
        {
            // Whatever went wrong, the agent gets an answer now instead of waiting out its call's timeout.
            return new AgentMessage { Type = AgentMessage.Response, Id = request.Id, Error = AgentChannel.ToError(e) };
        }
    }

    /// <summary>Signs the CSR for <paramref name="nodeName"/>, audited either way.</summary>
    /// <exception cref="CertificateRequestRefusedException">The CSR was refused.</exception>
    public async Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, string nodeName, IPAddress? underlayAddress, string? remoteAddress)
    {
        var target = "node=" + nodeName;
        try
        {
            using var certificate = ca.Issue(csrPem, nodeName, underlayAddress);
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            PkiLog.Issued(logger, nodeName, certificate.SerialNumber, underlayAddress?.ToString() ?? "-", notAfter);
            await audit.AppendAsync(Entry(target, remoteAddress, "ok", $"serial={certificate.SerialNumber} ip={underlayAddress?.ToString() ?? "-"} notAfter={notAfter:u}"));
            return new NodeTlsCalls.Issued(certificate.ExportCertificatePem() + "\n", ca.CertificatePem);
        }
        catch (CertificateRequestRefusedException e)
        {
            PkiLog.Refused(logger, nodeName, e.Message);
            await audit.AppendAsync(Entry(target, remoteAddress, "refused", e.Message));
            throw;
        }
    }

    /// <summary>The embedded node's credentials in &lt;data&gt;/tls: the node side makes key and CSR, the CA signs.</summary>
    public async Task<NodeTlsOutcome> EnsureLocalAsync(CancellationToken cancellationToken)
    {
        var directory = new NodeTlsDirectory(options.Value.DataDirectory);
        var outcome = await NodeTlsEnrolment.EnsureAsync(directory, LocalNode, null, new InProcessIssuer(this), time, cancellationToken);
        if (outcome.Renewed)
        {
            PkiLog.LocalRenewed(logger, LocalNode, directory.Path, outcome.Reason!, outcome.NotAfter);
        }

        return outcome;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(NodeCertificatePolicy.RecheckInterval, time, stoppingToken);
                await EnsureLocalAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Logged, never thrown: a failed renewal must not stop the host (the next check tries again).
                PkiLog.LocalRenewFailed(logger, LocalNode, e);
            }
        }
    }

    private AuditEntity Entry(string target, string? remoteAddress, string outcome, string detail) => new()
    {
        At = time.GetUtcNow(),
        Action = "node.certificate",
        Target = target,
        RemoteAddress = remoteAddress,
        Outcome = outcome,
        Detail = detail,
    };

    /// <summary>The CA in this process, for the embedded node.</summary>
    private sealed class InProcessIssuer(NodeCertificateService service) : INodeCertificateIssuer
    {
        public Task<string> GetCaCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(service.CaCertificatePem);

        public Task<NodeTlsCalls.Issued> IssueAsync(string csrPem, CancellationToken cancellationToken) =>
            service.IssueAsync(csrPem, LocalNode, null, null);
    }
}
