namespace SkillVL.Core.Migration;

/// <summary>
/// The migration features the QEMU builds on both nodes support (the engine probes them); the policy only
/// chooses what is there.
/// </summary>
[Flags]
public enum MigrationFeatures
{
    None = 0,

    /// <summary>Several TCP channels for RAM (<c>multifd</c> capability).</summary>
    Multifd = 1,

    /// <summary>zstd compression of multifd channels (<c>multifd-compression: zstd</c>, needs a libzstd build).</summary>
    MultifdZstd = 2,

    /// <summary>Delta encoding of re-sent pages (<c>xbzrle</c>); QEMU refuses it together with multifd.</summary>
    Xbzrle = 4,

    /// <summary>vCPU throttling when the guest dirties memory too fast (<c>auto-converge</c>).</summary>
    AutoConverge = 8,

    /// <summary>Switching to post-copy mid-migration (<c>postcopy-ram</c>, <c>migrate-start-postcopy</c>).</summary>
    PostCopy = 16,

    /// <summary>Post-copy and multifd together. QEMU 7.2 refuses it, and so does the QEMU master snapshot that
    /// migration-anchors.md row 19 quotes ("Postcopy is not yet compatible with multifd", migration/options.c).</summary>
    PostCopyWithMultifd = 32,

    /// <summary>The node's migration tunnel (<see cref="MigrationTransport.Tunnel"/>): TLS between the nodes and zstd
    /// over both the disk and the RAM stream. A feature of the node agent, not of QEMU.</summary>
    Tunnel = 64,

    /// <summary>What Debian 12's QEMU 7.2 (built with libzstd) offers.</summary>
    Qemu72 = Multifd | MultifdZstd | Xbzrle | AutoConverge | PostCopy,
}
