using System.Diagnostics;

namespace GraphCast.Model.Geometry;

/// <summary>
/// Connectivity between a regular latitude/longitude grid and the finest icosahedral mesh (reference
/// <c>grid_mesh_connectivity.py</c>): grid→mesh edges by radius query, mesh→grid edges from the mesh triangle that
/// contains each grid point. Grid node index = lat_index · num_lon + lon_index.
/// </summary>
public static class GridMeshConnectivity
{
    /// <summary>Degrees to radians in float32, as numpy's float32 <c>deg2rad</c> multiplies (by float32(π/180)).</summary>
    private static readonly float Deg2RadFloat32 = (float)(Math.PI / 180.0);

    /// <summary>
    /// Unit vectors [num_lat · num_lon, 3] of the grid points in float64: φ = lon, θ = 90° − lat,
    /// (cos φ sin θ, sin φ sin θ, cos θ) (reference <c>_grid_lat_lon_to_coordinates</c> on float64 input).
    /// </summary>
    public static double[] GridLatLonToCartesian(double[] latitudes, double[] longitudes)
    {
        ArgumentNullException.ThrowIfNull(latitudes);
        ArgumentNullException.ThrowIfNull(longitudes);
        var nLon = longitudes.Length;
        var xyz = new double[3 * latitudes.Length * nLon];
        for (var i = 0; i < latitudes.Length; i++)
        {
            var theta = (90.0 - latitudes[i]) * (Math.PI / 180.0);
            var sinTheta = Math.Sin(theta);
            var cosTheta = Math.Cos(theta);
            for (var j = 0; j < nLon; j++)
            {
                var phi = longitudes[j] * (Math.PI / 180.0);
                var o = 3 * ((i * nLon) + j);
                xyz[o] = Math.Cos(phi) * sinTheta;
                xyz[o + 1] = Math.Sin(phi) * sinTheta;
                xyz[o + 2] = cosTheta;
            }
        }

        return xyz;
    }

    /// <summary>
    /// Unit vectors [num_lat · num_lon, 3] of the grid points computed in float32 exactly as the reference does when
    /// the model hands it its float32 grid coordinates: float32 <c>90 − lat</c>, float32 <c>deg2rad</c>, numpy's float32
    /// sin/cos (<see cref="Float32SinCos"/>) and float32 products. The grid2mesh edge counts of the published models
    /// (1,618,746 at 0.25°) are reproduced only with these roundings.
    /// </summary>
    public static float[] GridLatLonToCartesian(float[] latitudes, float[] longitudes)
    {
        ValidateGrid(latitudes, longitudes);
        var nLon = longitudes.Length;
        var cosPhi = new float[nLon];
        var sinPhi = new float[nLon];
        for (var j = 0; j < nLon; j++)
        {
            var phi = longitudes[j] * Deg2RadFloat32;
            cosPhi[j] = Float32SinCos.Cos(phi);
            sinPhi[j] = Float32SinCos.Sin(phi);
        }

        var xyz = new float[3 * latitudes.Length * nLon];
        for (var i = 0; i < latitudes.Length; i++)
        {
            var theta = (90f - latitudes[i]) * Deg2RadFloat32;
            var sinTheta = Float32SinCos.Sin(theta);
            var cosTheta = Float32SinCos.Cos(theta);
            for (var j = 0; j < nLon; j++)
            {
                var o = 3 * ((i * nLon) + j);
                xyz[o] = cosPhi[j] * sinTheta;
                xyz[o + 1] = sinPhi[j] * sinTheta;
                xyz[o + 2] = cosTheta;
            }
        }

        return xyz;
    }

    /// <summary>
    /// The grid2mesh query radius: the finest mesh's longest edge chord (float32, as the reference measures it)
    /// times <paramref name="radiusQueryFractionEdgeLength"/>, in float64.
    /// </summary>
    public static double QueryRadius(IcosahedralMesh finestMesh, double radiusQueryFractionEdgeLength)
    {
        ArgumentNullException.ThrowIfNull(finestMesh);
        if (!(radiusQueryFractionEdgeLength > 0) || double.IsInfinity(radiusQueryFractionEdgeLength))
        {
            throw new ArgumentOutOfRangeException(nameof(radiusQueryFractionEdgeLength), radiusQueryFractionEdgeLength, "The radius query fraction must be a positive finite number (GraphCast uses 0.6).");
        }

        return finestMesh.MaxEdgeChord() * radiusQueryFractionEdgeLength;
    }

    /// <summary>
    /// Grid→mesh edges (reference <c>radius_query_indices</c>): every (grid point, mesh vertex) pair whose straight-line
    /// distance is at most <paramref name="radius"/>, ordered by grid index, then mesh index. Senders are grid nodes,
    /// receivers mesh nodes.
    /// </summary>
    /// <param name="latitudes">[num_lat] grid latitudes in degrees.</param>
    /// <param name="longitudes">[num_lon] grid longitudes in degrees.</param>
    /// <param name="mesh">The mesh whose vertices receive the edges (GraphCast: the finest level).</param>
    /// <param name="radius">Chord radius on the unit sphere, e.g. <see cref="QueryRadius"/>.</param>
    public static GraphEdges RadiusQuery(float[] latitudes, float[] longitudes, IcosahedralMesh mesh, double radius)
    {
        ValidateGrid(latitudes, longitudes);
        ArgumentNullException.ThrowIfNull(mesh);
        if (!(radius > 0) || radius >= 2.0)
        {
            throw new ArgumentOutOfRangeException(nameof(radius), radius, "The grid2mesh radius must be a chord length in (0, 2).");
        }

        var grid = GridLatLonToCartesian(latitudes, longitudes);
        var index = new UniformCellIndex(ToDouble(mesh.Vertices), radius);
        var nLat = latitudes.Length;
        var nLon = longitudes.Length;
        var radiusSquared = radius * radius;

        // One latitude row per work item: rows are independent and come back in order.
        var rows = new int[nLat][];
        Parallel.For(
            0,
            nLat,
            () => (Hits: new List<int>(16), Row: new List<int>(4 * nLon)),
            (i, _, buffers) =>
            {
                buffers.Row.Clear();
                for (var j = 0; j < nLon; j++)
                {
                    var o = 3 * ((i * nLon) + j);
                    buffers.Hits.Clear();
                    index.AppendWithin(grid[o], grid[o + 1], grid[o + 2], radius, radiusSquared, buffers.Hits);
                    buffers.Hits.Sort();

                    // Row entries are pairs (lon index, mesh index).
                    foreach (var m in buffers.Hits)
                    {
                        buffers.Row.Add(j);
                        buffers.Row.Add(m);
                    }
                }

                rows[i] = [.. buffers.Row];
                return buffers;
            },
            _ => { });

        var total = rows.Sum(r => r.Length / 2);
        var senders = new int[total];
        var receivers = new int[total];
        var e = 0;
        for (var i = 0; i < nLat; i++)
        {
            var row = rows[i];
            for (var k = 0; k < row.Length; k += 2)
            {
                senders[e] = (i * nLon) + row[k];
                receivers[e] = row[k + 1];
                e++;
            }
        }

        return new GraphEdges(senders, receivers);
    }

    /// <summary>
    /// Mesh→grid edges (reference <c>in_mesh_triangle_indices</c>): for each grid point, the three vertices of the mesh
    /// face that contains it, in the face's vertex order; 3 edges per grid point, grid-major. Senders are mesh nodes,
    /// receivers grid nodes.
    /// </summary>
    /// <remarks>
    /// The reference takes the face nearest to the point on the planar triangulated surface; this port takes the
    /// spherical triangle containing the point, which is the same face except for points on a shared edge or vertex,
    /// where either face is a valid choice. Candidates are the faces around every vertex within one longest edge chord
    /// (every vertex of a containing face is that close); should none contain the point, all faces are searched.
    /// </remarks>
    public static GraphEdges ContainingTriangles(float[] latitudes, float[] longitudes, IcosahedralMesh mesh)
    {
        ValidateGrid(latitudes, longitudes);
        ArgumentNullException.ThrowIfNull(mesh);
        var grid = GridLatLonToCartesian(latitudes, longitudes);
        var faces = ContainingFaces(grid, mesh);
        var count = faces.Length;
        var senders = new int[3 * count];
        var receivers = new int[3 * count];
        for (var g = 0; g < count; g++)
        {
            var f = faces[g];
            for (var c = 0; c < 3; c++)
            {
                senders[(3 * g) + c] = mesh.Faces[(3 * f) + c];
                receivers[(3 * g) + c] = g;
            }
        }

        return new GraphEdges(senders, receivers);
    }

    /// <summary>For each point of <paramref name="points"/> [N, 3] (unit vectors), the index of the mesh face containing it.</summary>
    internal static int[] ContainingFaces(float[] points, IcosahedralMesh mesh)
    {
        var vertices = ToDouble(mesh.Vertices);
        var faceCount = mesh.FaceCount;
        var faces = mesh.Faces;

        // [F, 3, 3] unit normals of the planes through the origin and each directed face edge (a × b / |a × b|):
        // a point p is inside the counter-clockwise spherical triangle when p · n ≥ 0 for all three edges.
        var edgeNormals = new double[9 * faceCount];
        var maxChord = 0.0;
        for (var f = 0; f < faceCount; f++)
        {
            for (var c = 0; c < 3; c++)
            {
                var a = 3 * faces[(3 * f) + c];
                var b = 3 * faces[(3 * f) + ((c + 1) % 3)];
                var nx = (vertices[a + 1] * vertices[b + 2]) - (vertices[a + 2] * vertices[b + 1]);
                var ny = (vertices[a + 2] * vertices[b]) - (vertices[a] * vertices[b + 2]);
                var nz = (vertices[a] * vertices[b + 1]) - (vertices[a + 1] * vertices[b]);
                var length = Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
                var o = (9 * f) + (3 * c);
                edgeNormals[o] = nx / length;
                edgeNormals[o + 1] = ny / length;
                edgeNormals[o + 2] = nz / length;
                var dx = vertices[a] - vertices[b];
                var dy = vertices[a + 1] - vertices[b + 1];
                var dz = vertices[a + 2] - vertices[b + 2];
                maxChord = Math.Max(maxChord, Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)));
            }
        }

        var (faceStart, facesOfVertex) = VertexFaces(faces, mesh.VertexCount);

        // A little slack over the longest chord covers the float rounding of positions.
        var searchRadius = maxChord * (1.0 + 1e-6);
        var index = new UniformCellIndex(vertices, searchRadius);
        var pointCount = points.Length / 3;
        var result = new int[pointCount];
        Parallel.For(
            0,
            pointCount,
            () => new List<int>(32),
            (g, _, nearby) =>
            {
                double x = points[3 * g], y = points[(3 * g) + 1], z = points[(3 * g) + 2];
                nearby.Clear();
                index.AppendWithin(x, y, z, searchRadius, searchRadius * searchRadius, nearby);
                var bestFace = -1;
                var bestScore = double.NegativeInfinity;
                foreach (var v in nearby)
                {
                    for (var k = faceStart[v]; k < faceStart[v + 1]; k++)
                    {
                        var f = facesOfVertex[k];
                        var score = InsideScore(edgeNormals, f, x, y, z);
                        if (score > bestScore || (score == bestScore && f < bestFace))
                        {
                            bestScore = score;
                            bestFace = f;
                        }
                    }
                }

                // Inside means a non-negative score; allow rounding noise before falling back to every face.
                if (bestScore < -1e-12)
                {
                    for (var f = 0; f < faceCount; f++)
                    {
                        var score = InsideScore(edgeNormals, f, x, y, z);
                        if (score > bestScore)
                        {
                            bestScore = score;
                            bestFace = f;
                        }
                    }
                }

                result[g] = bestFace;
                return nearby;
            },
            _ => { });

        return result;
    }

    /// <summary>
    /// The smallest signed distance of p from the three edge planes of face f: non-negative inside the spherical
    /// triangle, the larger the deeper inside.
    /// </summary>
    private static double InsideScore(double[] edgeNormals, int f, double x, double y, double z)
    {
        var o = 9 * f;
        var s0 = (edgeNormals[o] * x) + (edgeNormals[o + 1] * y) + (edgeNormals[o + 2] * z);
        var s1 = (edgeNormals[o + 3] * x) + (edgeNormals[o + 4] * y) + (edgeNormals[o + 5] * z);
        var s2 = (edgeNormals[o + 6] * x) + (edgeNormals[o + 7] * y) + (edgeNormals[o + 8] * z);
        return Math.Min(s0, Math.Min(s1, s2));
    }

    /// <summary>Faces incident to each vertex in compressed-row form: faces of v are facesOfVertex[start[v]..start[v+1]).</summary>
    private static (int[] Start, int[] FacesOfVertex) VertexFaces(int[] faces, int vertexCount)
    {
        var start = new int[vertexCount + 1];
        foreach (var v in faces)
        {
            start[v + 1]++;
        }

        for (var v = 0; v < vertexCount; v++)
        {
            start[v + 1] += start[v];
        }

        var fill = (int[])start.Clone();
        var facesOfVertex = new int[faces.Length];
        for (var k = 0; k < faces.Length; k++)
        {
            facesOfVertex[fill[faces[k]]++] = k / 3;
        }

        Debug.Assert(fill[vertexCount - 1] == faces.Length, "Every face corner is listed once.");
        return (start, facesOfVertex);
    }

    private static double[] ToDouble(float[] values)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    private static void ValidateGrid(float[] latitudes, float[] longitudes)
    {
        ArgumentNullException.ThrowIfNull(latitudes);
        ArgumentNullException.ThrowIfNull(longitudes);
        if (latitudes.Length == 0 || longitudes.Length == 0)
        {
            throw new ArgumentException($"The grid needs at least one latitude and one longitude; got {latitudes.Length} × {longitudes.Length}.", nameof(latitudes));
        }

        foreach (var lat in latitudes)
        {
            if (!(lat >= -90f && lat <= 90f))
            {
                throw new ArgumentOutOfRangeException(nameof(latitudes), lat, "Grid latitudes must be degrees in [-90, 90].");
            }
        }

        foreach (var lon in longitudes)
        {
            if (!float.IsFinite(lon) || MathF.Abs(lon) > 720f)
            {
                throw new ArgumentOutOfRangeException(nameof(longitudes), lon, "Grid longitudes must be finite degrees (e.g. 0 ≤ lon < 360).");
            }
        }
    }
}
