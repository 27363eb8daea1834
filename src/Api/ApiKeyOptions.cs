namespace GraphCast.Orleans.Api;

/// <summary>One API key (<c>Api:Keys:N</c>): a name for logs, the SHA-256 of the key in hex, and its role.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Who holds the key (it names the caller in logs; the key never appears anywhere).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>SHA-256 of the key's UTF-8 bytes, 64 hex digits (e.g. <c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary><c>read</c> (status, events, fields) or <c>submit</c> (also submit, cancel, resume).</summary>
    public string Role { get; set; } = ApiRoles.Read;
}
