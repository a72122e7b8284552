namespace SkillVL.Core.Migration;

/// <summary>How the NBD connection and the migration stream cross between the nodes (ADR 0013).</summary>
public enum MigrationTransport
{
    /// <summary>QEMU connects to the target's QEMU over TCP itself, encrypted with QEMU's own TLS
    /// (<c>tls-creds-x509</c>) when the platform asks for TLS; RAM may be compressed by multifd + zstd, the disk is not.</summary>
    Qemu,

    /// <summary>QEMU on each end talks to a unix socket of its own node's tunnel; the two tunnel ends carry the
    /// streams over TLS (the nodes' platform certificates, checked both ways) and compress them with zstd, the disk
    /// included — as Proxmox tunnels migrations over SSH, plus compression. RAM goes as one stream, so QEMU's zero-page
    /// detection and xbzrle work; QEMU compresses nothing itself.</summary>
    Tunnel,
}
