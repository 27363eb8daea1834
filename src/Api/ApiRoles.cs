namespace GraphCast.Orleans.Api;

/// <summary>The API's two roles and the authorization policies over them: submit implies read.</summary>
public static class ApiRoles
{
    /// <summary>Status, lists, events and fields.</summary>
    public const string Read = "read";

    /// <summary>Everything read allows, and submit, cancel and resume.</summary>
    public const string Submit = "submit";

    /// <summary>The authentication scheme that picks an API key or a bearer token by the request's headers.</summary>
    public const string Scheme = "graphcast";

    /// <summary>The header an API key comes in.</summary>
    public const string KeyHeader = "X-Api-Key";
}
