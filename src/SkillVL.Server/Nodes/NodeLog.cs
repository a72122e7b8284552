namespace SkillVL.Server.Nodes;

internal static partial class NodeLog
{
    [LoggerMessage(3500, LogLevel.Information, "Node {Node} connected (underlay {Underlay})")]
    public static partial void Connected(ILogger logger, string node, string underlay);

    [LoggerMessage(3501, LogLevel.Warning, "Node {Node} disconnected; its VMs are left alone until it is back")]
    public static partial void Disconnected(ILogger logger, string node);

    [LoggerMessage(3502, LogLevel.Information, "Template file {File} compressed for nodes: {Bytes} → {CompressedBytes} bytes in {Seconds:0.0} s")]
    public static partial void TemplateFileCompressed(ILogger logger, string file, long bytes, long compressedBytes, double seconds);
}
