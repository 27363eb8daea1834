using System.Globalization;
using GraphCast.Model.Configuration;
using GraphCast.Model.Geometry;

namespace GraphCast.Model.Regions;

/// <summary>
/// GraphCast's three graphs for a region: the icosahedral multi-mesh restricted to the box plus a margin (the finest
/// level's vertices inside it, and every multi-mesh edge of levels 0..mesh_size whose two ends are inside), and grid↔mesh
/// connectivity by the global rules (radius query on the finest mesh, containing triangle) restricted to that mesh.
/// Mesh nodes keep the global order; edge features are normalised as the global graphs are (each set by its own longest
/// edge, mesh2grid by the model's factor when it has one).
/// </summary>
public sealed class RegionalGraphs
{
    private RegionalGraphs(RegionGrid grid, GraphCastGraphs graphs, int[] meshVertices, double latitudeMargin, double longitudeMargin)
    {
        Grid = grid;
        Graphs = graphs;
        MeshVertices = meshVertices;
        LatitudeMargin = latitudeMargin;
        LongitudeMargin = longitudeMargin;
    }

    public RegionGrid Grid { get; }

    /// <summary>The graphs, in the form the network takes (grid = the region's grid).</summary>
    public GraphCastGraphs Graphs { get; }

    /// <summary>[num_mesh_nodes] the index of each regional mesh node among the finest global mesh's vertices.</summary>
    public IReadOnlyList<int> MeshVertices { get; }

    /// <summary>Degrees of latitude added north and south of the box.</summary>
    public double LatitudeMargin { get; }

    /// <summary>Degrees of longitude added east and west of the box (wider than the latitude margin away from the equator).</summary>
    public double LongitudeMargin { get; }

    /// <summary>
    /// The mesh refinement for a grid spacing, by the rule of the presets: the mesh_size of the preset with the coarsest
    /// resolution not coarser than <paramref name="resolution"/> (0.25° → 6, 1° → 5, 2° → 4, 10° → 2; 0.5° → 6), or the
    /// finest preset's for finer grids.
    /// </summary>
    public static int MeshSizeFor(double resolution)
    {
        var presets = Presets.All.Select(p => p.Model).Where(m => m.Resolution > 0).DistinctBy(m => m.Resolution).OrderBy(m => m.Resolution).ToArray();
        var chosen = presets.LastOrDefault(m => m.Resolution <= resolution) ?? presets[0];
        return chosen.MeshSize;
    }

    /// <summary>Whether (<paramref name="latitude"/>, <paramref name="longitude"/>) lies in the box plus the margins.</summary>
    public bool InDomain(double latitude, double longitude) => InDomain(Grid.Spec, LatitudeMargin, LongitudeMargin, latitude, longitude);

    /// <summary>Builds the graphs of <paramref name="grid"/>.</summary>
    /// <param name="grid">The region's grid.</param>
    /// <param name="meshSize">Refinements of the icosahedron (see <see cref="MeshSizeFor"/>).</param>
    /// <param name="radiusQueryFractionEdgeLength">Grid2mesh radius as a fraction of the finest mesh's longest edge.</param>
    /// <param name="mesh2GridEdgeNormalizationFactor">Fixed N for mesh2grid features, or null for their own maximum.</param>
    /// <param name="latitudeMargin">Degrees added north and south; null → 1.5 finest-mesh edges, enough that every grid
    /// point's radius neighbours and containing triangle are inside.</param>
    public static RegionalGraphs Build(RegionGrid grid, int meshSize, double radiusQueryFractionEdgeLength, double? mesh2GridEdgeNormalizationFactor, double? latitudeMargin = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var spec = grid.Spec;
        var gridLat = grid.Float32Latitudes();
        var gridLon = grid.Float32Longitudes();
        var graphSpec = new GraphCastGraphSpec(gridLat, gridLon, meshSize, radiusQueryFractionEdgeLength, mesh2GridEdgeNormalizationFactor);

        var meshes = IcosahedralMesh.Hierarchy(meshSize);
        var finest = meshes[^1];
        var multimesh = IcosahedralMesh.Merge(meshes);
        var edgeChord = finest.MaxEdgeChord();
        var edgeDegrees = 2 * Math.Asin(Math.Min(1.0, edgeChord / 2)) * 180 / Math.PI;
        var latMargin = latitudeMargin ?? 1.5 * edgeDegrees;
        if (!(latMargin >= 0) || !double.IsFinite(latMargin))
        {
            throw new ArgumentOutOfRangeException(nameof(latitudeMargin), latitudeMargin, "The mesh margin must be a non-negative number of degrees.");
        }

        // A longitude degree shrinks as cos(latitude): widen the margin for the most poleward row the domain reaches.
        var poleward = Math.Min(89.0, Math.Max(Math.Abs(spec.Lat0), Math.Abs(spec.Lat1)) + latMargin);
        var lonMargin = Math.Min(180.0, latMargin / Math.Cos(poleward * Math.PI / 180));

        var (allLat, allLon) = StructuralFeatures.MeshNodeLatLon(finest.Vertices);
        var local = new int[finest.VertexCount];
        var kept = new List<int>();
        for (var v = 0; v < finest.VertexCount; v++)
        {
            local[v] = -1;
            if (InDomain(spec, latMargin, lonMargin, allLat[v], allLon[v]))
            {
                local[v] = kept.Count;
                kept.Add(v);
            }
        }

        var meshLat = kept.Select(v => allLat[v]).ToArray();
        var meshLon = kept.Select(v => allLon[v]).ToArray();

        // Multi-mesh edges of every level with both ends in the domain, in the global order.
        var globalEdges = multimesh.Edges();
        var senders = new List<int>();
        var receivers = new List<int>();
        for (var e = 0; e < globalEdges.Count; e++)
        {
            int s = local[globalEdges.Senders[e]], r = local[globalEdges.Receivers[e]];
            if (s >= 0 && r >= 0)
            {
                senders.Add(s);
                receivers.Add(r);
            }
        }

        var meshEdges = new GraphEdges([.. senders], [.. receivers]);

        // Grid2mesh: the global radius query on the finest mesh, restricted to the domain's vertices.
        var radius = GridMeshConnectivity.QueryRadius(finest, radiusQueryFractionEdgeLength);
        var g2m = GridMeshConnectivity.RadiusQuery(gridLat, gridLon, finest, radius);
        senders.Clear();
        receivers.Clear();
        for (var e = 0; e < g2m.Count; e++)
        {
            var r = local[g2m.Receivers[e]];
            if (r >= 0)
            {
                senders.Add(g2m.Senders[e]);
                receivers.Add(r);
            }
        }

        var grid2Mesh = new GraphEdges([.. senders], [.. receivers]);

        // Mesh2grid: the containing triangle on the global finest mesh; its corners must all be in the domain.
        var m2g = GridMeshConnectivity.ContainingTriangles(gridLat, gridLon, finest);
        var m2gSenders = new int[m2g.Count];
        for (var e = 0; e < m2g.Count; e++)
        {
            m2gSenders[e] = local[m2g.Senders[e]];
            if (m2gSenders[e] < 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Region '{spec.Name}': the mesh margin of {latMargin:0.###}° leaves a corner of the mesh triangle around grid node {m2g.Receivers[e]} outside the domain: give a margin of at least {1.5 * edgeDegrees:0.###}°."));
            }
        }

        var mesh2Grid = new GraphEdges(m2gSenders, m2g.Receivers);
        var (nodeLat, nodeLon) = StructuralFeatures.GridNodeLatLon(gridLat, gridLon);
        var graphs = new GraphCastGraphs(
            graphSpec,
            kept.Count,
            StructuralFeatures.NodeFeatures(nodeLat, nodeLon),
            StructuralFeatures.NodeFeatures(meshLat, meshLon),
            meshEdges,
            StructuralFeatures.Edges(meshLat, meshLon, meshEdges),
            grid2Mesh,
            StructuralFeatures.Edges(nodeLat, nodeLon, meshLat, meshLon, grid2Mesh),
            mesh2Grid,
            StructuralFeatures.Edges(meshLat, meshLon, nodeLat, nodeLon, mesh2Grid, mesh2GridEdgeNormalizationFactor));
        return new RegionalGraphs(grid, graphs, [.. kept], latMargin, lonMargin);
    }

    private static bool InDomain(RegionSpec spec, double latMargin, double lonMargin, double latitude, double longitude)
    {
        if (latitude < spec.Lat0 - latMargin || latitude > spec.Lat1 + latMargin)
        {
            return false;
        }

        // Longitude east of (Lon0 − margin), wrapped on [0, 360).
        var width = spec.Lon1 - spec.Lon0 + (2 * lonMargin);
        if (width >= 360)
        {
            return true;
        }

        var east = (longitude - (spec.Lon0 - lonMargin)) % 360.0;
        east = east < 0 ? east + 360 : east;
        return east <= width;
    }
}
