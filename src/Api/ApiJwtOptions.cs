namespace GraphCast.Orleans.Api;

/// <summary>
/// Bearer JWTs (<c>Api:Jwt</c>): tokens of <see cref="Authority"/> (e.g. <c>https://login.microsoftonline.com/TENANT/v2.0</c>)
/// for <see cref="Audience"/>; the app roles in the token's <c>roles</c> claim map onto the API's read and submit roles.
/// </summary>
public sealed class ApiJwtOptions
{
    /// <summary>The token issuer's authority (its OpenID metadata is read from there); empty: no bearer tokens.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be for (the API's application id URI or client id).</summary>
    public string? Audience { get; set; }

    /// <summary>Where the OpenID metadata is, when not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Refuse metadata over plain HTTP (true; only a test issuer on loopback turns it off).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The app role that grants read access.</summary>
    public string ReadRole { get; set; } = "GraphCast.Read";

    /// <summary>The app role that grants submit access (and read).</summary>
    public string SubmitRole { get; set; } = "GraphCast.Submit";
}
