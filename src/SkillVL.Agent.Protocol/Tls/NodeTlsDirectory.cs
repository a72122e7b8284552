using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Core.Nodes;

namespace SkillVL.Agent.Tls;

/// <summary>
/// A node's &lt;data&gt;/tls directory (<see cref="NodeTlsFiles"/>): reads what is there and replaces it. Each file
/// is written to a temporary file in the same directory and renamed over the old one, so a reader (QEMU creating a
/// <c>tls-creds-x509</c> object) never sees half a file. The key is kept across renewals, so every mix of old and
/// new files a reader could catch between two renames is still a matching key and certificate.
/// </summary>
public sealed class NodeTlsDirectory(string dataDirectory)
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode KeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode CertificateMode = KeyMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const string TemporaryMarker = ".tmp-";

    public string Path { get; } = NodeTlsFiles.DirectoryOf(dataDirectory);

    public string FilePath(string file) => System.IO.Path.Combine(Path, file);

    /// <summary>The node's key from server-key.pem, or null when it is missing, unreadable or not an RSA-2048 key.</summary>
    public RSA? LoadKey()
    {
        var path = FilePath(NodeTlsFiles.ServerKey);
        if (!File.Exists(path))
        {
            return null;
        }

        var key = RSA.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize == NodeCertificatePolicy.KeySizeBits)
            {
                return key;
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A damaged key is replaced like a missing one.
        }

        key.Dispose();
        return null;
    }

    /// <summary>Why the node needs a new certificate from <paramref name="ca"/>, or null when what it has is good.</summary>
    public string? ReasonToRenew(X509Certificate2 ca, string nodeName, IPAddress? underlayAddress, DateTimeOffset now)
    {
        var missing = NodeTlsFiles.All.Where(f => !File.Exists(FilePath(f))).ToList();
        if (missing.Count > 0)
        {
            return $"{string.Join(", ", missing)} missing";
        }

        using var key = LoadKey();
        if (key is null)
        {
            return $"{NodeTlsFiles.ServerKey} holds no usable RSA-{NodeCertificatePolicy.KeySizeBits} key";
        }

        if (!SameContent(NodeTlsFiles.ServerKey, NodeTlsFiles.ClientKey) || !SameContent(NodeTlsFiles.ServerCertificate, NodeTlsFiles.ClientCertificate))
        {
            return "the client and server files differ";
        }

        X509Certificate2 certificate;
        X509Certificate2 trusted;
        try
        {
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(FilePath(NodeTlsFiles.ServerCertificate)));
            trusted = X509Certificate2.CreateFromPem(File.ReadAllText(FilePath(NodeTlsFiles.CaCertificate)));
        }
        catch (CryptographicException)
        {
            return "a certificate file is damaged";
        }

        using (certificate)
        using (trusted)
        {
            if (!trusted.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span))
            {
                return $"{NodeTlsFiles.CaCertificate} is not the current platform CA";
            }

            return NodeCertificatePolicy.ReasonToRenew(certificate, key.ExportSubjectPublicKeyInfo(), ca, nodeName, underlayAddress, now);
        }
    }

    /// <summary>Writes the key, the certificate (as server and client files) and the CA: temporary files, then renames.</summary>
    public void Install(RSA key, X509Certificate2 certificate, X509Certificate2 ca)
    {
        Directory.CreateDirectory(Path, DirectoryMode);
        File.SetUnixFileMode(Path, DirectoryMode); // also when it existed with other modes
        RemoveTemporaryFiles();
        var keyPem = key.ExportRSAPrivateKeyPem() + "\n";
        var certificatePem = certificate.ExportCertificatePem() + "\n";
        var contents = new Dictionary<string, (string Text, UnixFileMode Mode)>
        {
            [NodeTlsFiles.ServerKey] = (keyPem, KeyMode),
            [NodeTlsFiles.ClientKey] = (keyPem, KeyMode),
            [NodeTlsFiles.ServerCertificate] = (certificatePem, CertificateMode),
            [NodeTlsFiles.ClientCertificate] = (certificatePem, CertificateMode),
            [NodeTlsFiles.CaCertificate] = (ca.ExportCertificatePem() + "\n", CertificateMode),
        };
        var staged = new List<(string Temporary, string Final)>();
        try
        {
            foreach (var file in NodeTlsFiles.All)
            {
                var (text, mode) = contents[file];
                var temporary = FilePath("." + file + TemporaryMarker + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
                // Created with its final mode: a key is never readable by others, not even for a moment.
                using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
                {
                    stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
                    stream.Flush(flushToDisk: true);
                }

                File.SetUnixFileMode(temporary, mode); // the umask may have taken bits away
                staged.Add((temporary, FilePath(file)));
            }

            foreach (var (temporary, final) in staged)
            {
                File.Move(temporary, final, overwrite: true);
            }
        }
        finally
        {
            foreach (var (temporary, _) in staged)
            {
                File.Delete(temporary);
            }
        }
    }

    private bool SameContent(string a, string b) =>
        File.ReadAllBytes(FilePath(a)).AsSpan().SequenceEqual(File.ReadAllBytes(FilePath(b)));

    /// <summary>Leftovers of an install that died half-way.</summary>
    private void RemoveTemporaryFiles()
    {
        foreach (var leftover in Directory.EnumerateFiles(Path, "*" + TemporaryMarker + "*"))
        {
            File.Delete(leftover);
        }
    }
}
